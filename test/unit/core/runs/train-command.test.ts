import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_RUN_PATHS, runDir } from '../../../../src/core/runs/paths';
import { GPU_COUNT_COMMAND, createCommand, listCommand, parseGpuCount, reopenCommand, runLabel, startCommand, stopCommand, submittedCommand, trainArgv } from '../../../../src/core/runs/train-command';
import { parseTrainOptions } from '../../../../src/core/runs/train-options';
import { shellArgv } from '../../../support/sh-argv';

const ID = '20261124-183012-ab12';

describe('trainArgv', () => {
  it('maps every option to the template flags', () => {
    const options = parseTrainOptions({ template: 'resnet', dataset: 'cifar10', dataDir: '/data/my cifar', epochs: 3, batchSize: 128, lr: 0.0005, seed: 7, targetAccuracy: 0.93 });
    expect(trainArgv(options, DEFAULT_RUN_PATHS, ID)).toEqual([
      'python3', '/workspace/gpu-env-templates/train_cnn.py',
      '--model', 'resnet', '--dataset', 'cifar10', '--data-dir', '/data/my cifar',
      '--epochs', '3', '--batch-size', '128', '--lr', '0.0005', '--target-accuracy', '0.93', '--seed', '7',
      '--run-dir', `/workspace/.gpu-env/runs/${ID}`,
    ]);
  });

  it('leaves the template defaults to the template', () => {
    const argv = trainArgv(parseTrainOptions({}), DEFAULT_RUN_PATHS, ID);
    expect(argv).toContain('simplecnn');
    expect(argv).not.toContain('--batch-size');
    expect(argv).not.toContain('--lr');
    expect(argv).not.toContain('--data-dir');
    expect(argv).not.toContain('--target-accuracy');
  });

  it('writes tiny learning rates in a form Python reads', () => {
    const argv = trainArgv(parseTrainOptions({ lr: 1e-7 }), DEFAULT_RUN_PATHS, ID);
    expect(argv[argv.indexOf('--lr') + 1]).toBe('1e-7');
  });

  it('refuses a run id that is not one (it becomes a path)', () => {
    expect(() => trainArgv(parseTrainOptions({}), DEFAULT_RUN_PATHS, '../../etc')).toThrow(/is not a run id/);
    expect(() => runDir(DEFAULT_RUN_PATHS, 'x y')).toThrow(/YYYYMMDD-HHMMSS-xxxx/);
  });

  it('labels runs for lists', () => {
    expect(runLabel(parseTrainOptions({ epochs: 1 }))).toBe('cnn · fashion-mnist · 1 epoch');
    expect(runLabel(parseTrainOptions({ template: 'resnet', dataset: 'cifar10', epochs: 12 }))).toBe('resnet · cifar10 · 12 epochs');
  });
});

describe('runner commands', () => {
  it('start: the runner gets its options, then -- and the training argv untouched', () => {
    const argv = trainArgv(parseTrainOptions({ dataDir: "/data/o'brien" }), DEFAULT_RUN_PATHS, ID);
    const line = startCommand(DEFAULT_RUN_PATHS, { id: ID, argv, label: 'cnn · fashion-mnist', autoResume: true, environment: 'dev box' });
    expect(shellArgv(line)).toEqual([
      'python3', '/workspace/.gpu-env/runner/gpu_env_run.py', 'start', `/workspace/.gpu-env/runs/${ID}`,
      `--id=${ID}`, '--cwd=/workspace', '--label=cnn · fashion-mnist', '--environment=dev box', '--auto-resume',
      '--', ...argv,
    ]);
  });

  it('start without autoResume has no --auto-resume', () => {
    const line = startCommand(DEFAULT_RUN_PATHS, { id: ID, argv: ['true'], autoResume: false });
    expect(shellArgv(line)).not.toContain('--auto-resume');
    expect(() => startCommand(DEFAULT_RUN_PATHS, { id: ID, argv: [], autoResume: false })).toThrow(/empty command/);
  });

  it('stop passes a grace period and refuses a negative one', () => {
    expect(shellArgv(stopCommand(DEFAULT_RUN_PATHS, ID, 5))).toEqual(['python3', DEFAULT_RUN_PATHS.runner, 'stop', `/workspace/.gpu-env/runs/${ID}`, '--grace', '5']);
    expect(() => stopCommand(DEFAULT_RUN_PATHS, ID, -1)).toThrow(/grace/);
  });

  it('list is a no-op where the runner was never installed', () => {
    const paths = { ...DEFAULT_RUN_PATHS, runner: '/nonexistent/gpu_env_run.py' };
    expect(execFileSync('sh', ['-c', listCommand(paths)]).toString()).toBe('');
  });
});

describe('processes and GPUs', () => {
  it('start: the runner starts K ranks itself; one process passes nothing', () => {
    const argv = ['python3', 'train_cnn.py'];
    expect(shellArgv(startCommand(DEFAULT_RUN_PATHS, { id: ID, argv, autoResume: false, nprocPerNode: 2 }))).toEqual([
      'python3', '/workspace/.gpu-env/runner/gpu_env_run.py', 'start', runDir(DEFAULT_RUN_PATHS, ID), `--id=${ID}`, '--cwd=/workspace',
      '--nproc-per-node', '2', '--', 'python3', 'train_cnn.py',
    ]);
    expect(startCommand(DEFAULT_RUN_PATHS, { id: ID, argv, autoResume: false, nprocPerNode: 1 })).not.toContain('--nproc-per-node');
    expect(runLabel(parseTrainOptions({ epochs: 2 }), 2)).toBe('cnn · fashion-mnist · 2 epochs · 2 processes');
  });

  it('counts the GPUs nvidia-smi lists, 0 without a driver (real sh, stand-in nvidia-smi programs)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gpu-count-'));
    const smi = (script: string) => writeFileSync(join(dir, 'nvidia-smi'), `#!/bin/sh\n${script}\n`, { mode: 0o755 });
    const count = () => parseGpuCount(execFileSync('/bin/sh', ['-c', GPU_COUNT_COMMAND], { env: { PATH: `${dir}:/usr/bin:/bin` }, encoding: 'utf8' }));
    try {
      smi("echo \"NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.\"; exit 9");
      expect(count()).toBe(0);
      smi('echo "GPU 0: NVIDIA H100 (UUID: GPU-a)"; echo "  MIG 1g.10gb Device 0: (UUID: MIG-b)"; echo "GPU 1: NVIDIA H100 (UUID: GPU-c)"');
      expect(count()).toBe(2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(parseGpuCount('garbage')).toBe(0);
  });
});

describe('cluster runs (a batch job of their own)', () => {
  const id = '20261203-120000-abcd';
  const argv = ['python3', '/workspace/gpu-env-templates/train_cnn.py', '--epochs', '2', '--subset', '6000'];

  it('passes the subset to the template and labels the nodes', () => {
    expect(trainArgv(parseTrainOptions({ subset: 6000 }), DEFAULT_RUN_PATHS, id)).toEqual(expect.arrayContaining(['--subset', '6000']));
    expect(runLabel(parseTrainOptions({ epochs: 2 }), 1, 2)).toBe('cnn · fashion-mnist · 2 epochs · 2 nodes × 1 process');
    expect(runLabel(parseTrainOptions({ epochs: 2 }), 4, 8)).toBe('cnn · fashion-mnist · 2 epochs · 8 nodes × 4 processes');
  });

  it('records the run with the runner\'s create (nothing started), every option as --name=value', () => {
    const line = createCommand(DEFAULT_RUN_PATHS, { id, argv, label: '-odd label', environment: 'exp', scheduler: 'slurm', nodes: 2, nprocPerNode: 1, warnSeconds: 45, time: '3' });
    expect(shellArgv(line)).toEqual([
      'python3', '/workspace/.gpu-env/runner/gpu_env_run.py', 'create', runDir(DEFAULT_RUN_PATHS, id), `--id=${id}`, '--cwd=/workspace', '--label=-odd label', '--environment=exp',
      '--scheduler=slurm', '--nodes=2', '--nproc-per-node=1', '--warn-seconds=45', '--time=3', '--', ...argv,
    ]);
  });

  it('records the submitted job (digits only), and reopens a run for submitting it again', () => {
    expect(shellArgv(submittedCommand(DEFAULT_RUN_PATHS, id, '42')).slice(2)).toEqual(['submitted', runDir(DEFAULT_RUN_PATHS, id), '--job-id=42']);
    expect(() => submittedCommand(DEFAULT_RUN_PATHS, id, '42;x')).toThrow(RangeError);
    expect(shellArgv(reopenCommand(DEFAULT_RUN_PATHS, id)).slice(2)).toEqual(['reopen', runDir(DEFAULT_RUN_PATHS, id)]);
  });
});
