import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runPathsFor } from '../../../../src/core/runs/paths';
import type { ClusterRunRequest } from '../../../../src/core/runs/run-scheduler';
import { CLI_SLURM_FIELDS, validateSlurmOptions } from '../../../../src/core/slurm/job-options';
import type { NodeSoftware } from '../../../../src/core/slurm/node-software';
import { ranksArgv, trainingJobName, trainingJobScript, trainingSbatchArgv, warnSeconds, type TrainingJobInput } from '../../../../src/core/slurm/training-job';

const RUN = '20261203-120000-abcd';
const paths = runPathsFor('/home/me/gpu-env/exp');
const runDir = `/home/me/gpu-env/exp/.gpu-env/runs/${RUN}`;
const request = (overrides: Partial<ClusterRunRequest> = {}): ClusterRunRequest => ({
  runId: RUN, paths, nodes: 2, nprocPerNode: 1, argv: ['python3', '/home/me/gpu-env/exp/gpu-env-templates/train_cnn.py', '--epochs', '2', '--run-dir', runDir],
  runner: `${runDir}/gpu_env_run.py`, runnerSha256: 'a'.repeat(64), ...overrides,
});
const input = (options: Parameters<typeof validateSlurmOptions>[0] = {}, overrides: Partial<ClusterRunRequest> = {}, software: NodeSoftware = { kind: 'native' }, timeSeconds?: number): TrainingJobInput => ({
  name: 'exp', request: request(overrides), environment: { spec: validateSlurmOptions(options, CLI_SLURM_FIELDS), software }, ...(timeSeconds !== undefined ? { timeSeconds } : {}),
});

describe('the batch job of a cluster run', () => {
  let dir = '';
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = '';
  });

  it('is named after the environment and run, in a form `ls` never takes for an environment', () => {
    expect(trainingJobName('exp', RUN)).toBe(`gpu-env-exp:${RUN}`);
  });

  it('asks for the environment\'s allocation with the run\'s nodes and ranks, appends to the run\'s log, requeues and is warned', () => {
    expect(trainingSbatchArgv(input({ partition: 'gpu', account: 'proj', time: '4:00:00', gpusPerNode: '2', sbatchArgs: ['--mail-type=END'] }, { nprocPerNode: 2 }, { kind: 'native' }, 14_400), `${runDir}/job.sh`)).toEqual([
      'sbatch', '--parsable', `--job-name=gpu-env-exp:${RUN}`, `--output=${runDir}/stdout.log`, '--open-mode=append', '--chdir=/home/me/gpu-env/exp',
      '--partition=gpu', '--account=proj', '--time=4:00:00', '--nodes=2', '--ntasks-per-node=2', '--gres=gpu:2', '--mail-type=END',
      '--requeue', '--signal=B:USR1@90', `${runDir}/job.sh`,
    ]);
  });

  it('takes the run\'s own time limit over the environment\'s, and doubles a % in the output path', () => {
    const argv = trainingSbatchArgv(input({ time: '4:00:00' }, { time: '3', paths: runPathsFor('/home/me/100%') }, { kind: 'native' }, 180), 'job.sh');
    expect(argv).toContain('--time=3');
    expect(argv).not.toContain('--time=4:00:00');
    expect(argv).toContain(`--output=/home/me/100%%/.gpu-env/runs/${RUN}/stdout.log`);
    expect(argv).toContain('--signal=B:USR1@45');
  });

  it('warns 90 s before the limit, a quarter of a short limit, at least 10 s', () => {
    expect([undefined, Infinity, 3600, 180, 120, 60].map(warnSeconds)).toEqual([90, 90, 90, 45, 30, 15]);
    expect(warnSeconds(20)).toBe(10);
  });

  it('starts one task per rank through the runner\'s rank wrapper, srun ending the others a minute after one ended', () => {
    expect(ranksArgv(input({ cpusPerTask: '4' }, { nprocPerNode: 2 }))).toEqual([
      'srun', '--wait=60', '--nodes=2', '--ntasks-per-node=2', '--cpus-per-task=4', 'python3', `${runDir}/gpu_env_run.py`, 'rank', '--', ...request().argv,
    ]);
  });

  it('runs the ranks in the environment\'s container (pyxis options on srun, Apptainer around the command)', () => {
    const pyxis = ranksArgv(input({}, {}, { kind: 'pyxis', image: 'nvcr.io/nvidia/pytorch:24.05-py3', containerName: 'gpu-env-exp', mounts: ['/home/me'], workdir: '/home/me/gpu-env/exp' }));
    expect(pyxis.slice(0, 8)).toEqual(['srun', '--wait=60', '--nodes=2', '--ntasks-per-node=1', '--container-name=gpu-env-exp', '--container-mounts=/home/me', '--container-workdir=/home/me/gpu-env/exp', '--no-container-remap-root']);
    const apptainer = ranksArgv(input({}, {}, { kind: 'apptainer', image: 'pytorch/pytorch', sif: '/home/me/.gpu-env/envs/exp/image.sif', binds: ['/home/me'] }));
    expect(apptainer.slice(4, 11)).toEqual(['apptainer', 'exec', '--nv', '--bind', '/home/me', '/home/me/.gpu-env/envs/exp/image.sif', 'python3']);
  });

  it('runs the setup lines, then the runner\'s job command with the ranks\' srun after --', () => {
    const script = trainingJobScript(input({ setup: ['module load cuda/12.4'] }));
    expect(script).toMatch(/^#!\/bin\/bash\n/);
    expect(script).toContain('\nset -eu\n# --setup\nmodule load cuda/12.4\n');
    expect(script.trimEnd().split('\n').pop()).toBe(`exec python3 ${runDir}/gpu_env_run.py job ${runDir} -- ${ranksArgv(input()).join(' ')}`);
    expect(spawnSync('bash', ['-n'], { input: script }).status).toBe(0);
  });

  it('runs only the runner it was submitted with: a changed copy is refused before anything starts (real bash, real sha256sum)', () => {
    dir = mkdtempSync(join(tmpdir(), 'gpu-env-training-job-'));
    const runner = join(dir, 'gpu_env_run.py');
    writeFileSync(runner, 'print("the runner")\n');
    const sha = createHash('sha256').update('print("the runner")\n').digest('hex');
    const run = (): ReturnType<typeof spawnSync> => spawnSync('bash', ['-s'], {
      // `exec python3 …` replaced by a marker: the check before it is what is tested.
      input: trainingJobScript(input({}, { runner, runnerSha256: sha })).replace(/^exec .*$/m, 'echo runner-accepted'),
      encoding: 'utf8',
    });
    expect(run().stdout).toBe('runner-accepted\n');
    writeFileSync(runner, 'print("planted")\n');
    const refused = run();
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain('is not the runner this run was submitted with; not running it');
    expect(refused.stdout).toBe('');
  });
});
