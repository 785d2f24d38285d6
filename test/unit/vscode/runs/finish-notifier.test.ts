import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { recogniseFailure } from '../../../../src/core/runs/failure';
import type { ListedRun } from '../../../../src/core/runs/run-facts';
import { announceFinished, failureMessage, successMessage } from '../../../../src/vscode/runs/finish-notifier';
import { formatOnly } from '../../../support/format-only';
import { ASSETS, FakeRuns, idleSession, listing, TEMPLATE_COMMAND } from '../../../support/runs-fakes';
import { environment, fakeCore, fakeServices } from '../../../support/extension-fakes';

const ID = '20260101-100000-aaaa';

function setup(run: ListedRun, log = '', workspace = '/home/u/proj') {
  const runs = new FakeRuns();
  runs.runs = [run];
  runs.diagnosis = recogniseFailure(log);
  const removed: string[] = [];
  const core = fakeCore({
    list: async () => [environment('exp')],
    status: async (name: string) => environment(name, 'running', { workspace }),
    openSession: async () => idleSession(),
    runs: () => runs,
    shippedAssets: () => ASSETS,
    remove: async (name: string) => {
      removed.push(name);
      return { removedContainer: true, purged: [] };
    },
    up: async () => ({ action: 'created', info: environment('exp', 'running', { workspace }), warnings: [] }),
  });
  const services = fakeServices({ core, settings: { uid: '1234' } });
  return { services, runs, removed, ref: { environment: 'exp', listing: run } };
}

describe('finish notification', () => {
  it('says the test accuracy, the time and the best checkpoint, and opens the dashboard', async () => {
    const run = listing(ID, { state: 'succeeded', testAccuracy: 0.901, bestCheckpoint: `/workspace/.gpu-env/runs/${ID}/checkpoints/best.pt`, startedAt: 1000, endedAt: 1151 });
    const { services, ref } = setup(run);
    expect(successMessage(services, ref, 5000)).toBe(`Training cnn · fashion-mnist · 5 epochs finished: test accuracy 90.1% in 2m31s · best checkpoint .gpu-env/runs/${ID}/checkpoints/best.pt`);
    services.ui.respond = (m) => m.actions[0];
    await announceFinished(services, ref);
    expect(services.ui.messages.map((m) => [m.kind, m.actions])).toEqual([['info', ['Open Dashboard']]]);
    expect(services.dashboards).toEqual([[ID]]);
  });

  it('a run without metrics still gets its time', () => {
    const run = { ...listing(ID, { state: 'succeeded', startedAt: 1000, endedAt: 1045 }), metrics: null };
    expect(successMessage({ t: formatOnly }, { environment: 'exp', listing: run }, 5000)).toBe('Training cnn · fashion-mnist · 5 epochs finished in 45s');
  });

  it('CUDA out of memory: offers to retry with half the batch, and does', async () => {
    const command = [...TEMPLATE_COMMAND.slice(0, -2), '--batch-size', '256', '--lr', '0.002'];
    const run = listing(ID, { state: 'failed', command });
    const { services, runs, ref } = setup(run, 'Traceback...\ntorch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB\n');
    services.ui.respond = (m) => m.actions.find((a) => a.startsWith('Retry'));
    await announceFinished(services, ref);
    const shown = services.ui.messages[0]!;
    expect(shown.kind).toBe('error');
    expect(shown.message).toMatch(/^Training cnn · fashion-mnist · 5 epochs failed: The GPU ran out of memory: reduce --batch-size/);
    expect(shown.actions).toEqual(['Retry with batch size 128', 'Show Training Log']);
    expect(runs.started.map((s) => s.options)).toEqual([{ template: 'cnn', dataset: 'fashion-mnist', epochs: 5, seed: 0, batchSize: 128, lr: 0.002 }]);
    expect(services.dashboards).toEqual([[runs.nextId]]);
    services.training.runs.dispose();
  });

  it('killed by the kernel OOM killer (issue 16 defect 18): host memory, the --memory fix, and the same half-batch retry', async () => {
    const command = [...TEMPLATE_COMMAND.slice(0, -2), '--batch-size', '256', '--lr', '0.002'];
    const run = listing(ID, { state: 'failed', command });
    const log = "[gpu-env-run 2026-12-03 14:00:00] the kernel's out-of-memory killer killed 1 process of this environment: host memory ran out (the environment's --memory limit, or the machine's RAM)\n[gpu-env-run 2026-12-03 14:00:00] attempt 1 ended: failed (signal SIGKILL)\n";
    const { services, runs, ref } = setup(run, log);
    services.ui.respond = (m) => m.actions.find((a) => a.startsWith('Retry'));
    await announceFinished(services, ref);
    const shown = services.ui.messages[0]!;
    expect(shown.message).toMatch(/^Training cnn · fashion-mnist · 5 epochs failed: The environment ran out of host memory: reduce --batch-size .*--memory/);
    expect(shown.actions).toEqual(['Retry with batch size 128', 'Show Training Log']);
    expect(runs.started.map((s) => s.options)).toEqual([{ template: 'cnn', dataset: 'fashion-mnist', epochs: 5, seed: 0, batchSize: 128, lr: 0.002 }]);
    services.training.runs.dispose();
  });

  it('Bus error: "Raise shm size" opens the setting', async () => {
    const { services, ref } = setup(listing(ID, { state: 'failed' }), 'ERROR: Unexpected bus error encountered in worker. This might be caused by insufficient shared memory (shm).\n');
    services.ui.respond = (m) => m.actions[0];
    await announceFinished(services, ref);
    expect(services.ui.messages[0]!.actions).toEqual(['Raise shm size', 'Show Training Log']);
    expect(services.ui.commands).toEqual([{ id: 'workbench.action.openSettings', args: ['gpuEnv.shmSize'] }]);
  });

  it('NVML lost: "Recreate Environment" replaces the container, keeping its folder', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'gpu-env-recreate-'));
    const { services, removed, ref } = setup(listing(ID, { state: 'failed' }), 'RuntimeError: Failed to initialize NVML: Unknown Error\n', folder);
    services.ui.respond = (m) => (m.kind === 'error' ? m.actions[0] : undefined);
    await announceFinished(services, ref);
    rmSync(folder, { recursive: true });
    expect(services.ui.texts('error')).toHaveLength(1);
    expect(services.ui.messages[0]!.actions).toEqual(['Recreate Environment', 'Show Training Log']);
    expect(removed).toEqual(['exp']);
    expect(services.ui.progressTitles).toEqual(['Removing GPU environment "exp"', 'Starting GPU environment "exp"']);
  });

  it('missing data: "Show expected files" lists the files and where they go', async () => {
    const log = 'cnn_data.DataError: fashion-mnist: missing train-images-idx3-ubyte, train-labels-idx1-ubyte (.gz or uncompressed) in /usr/share/datasets/fashion-mnist, /usr/share/datasets/fashion-mnist/FashionMNIST/raw\n';
    const { services, ref } = setup(listing(ID, { state: 'failed' }), log);
    services.ui.respond = (m) => m.actions[0];
    await announceFinished(services, ref);
    expect(services.ui.messages[0]!.actions).toEqual(['Show expected files', 'Show Training Log']);
    expect(services.ui.previews[0]).toContain('- /usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte\\(.gz\\)');
  });

  it('an unrecognised failure gives the exit code and the log', async () => {
    const run = listing(ID, { state: 'failed', exitCode: 3 });
    const { services, runs, ref } = setup(run, 'ValueError: something of mine\n');
    services.ui.respond = (m) => m.actions[0];
    runs.log = 'ValueError: something of mine\n';
    await announceFinished(services, ref);
    expect(failureMessage(services, ref, undefined)).toBe('Training cnn · fashion-mnist · 5 epochs failed: exit code 3');
    expect(services.ui.messages[0]!.actions).toEqual(['Show Training Log']);
    expect(services.ui.trainingLog.text).toContain('ValueError: something of mine');
  });

  it('a stopped run is not announced (the user stopped it)', async () => {
    const { services, ref } = setup(listing(ID, { state: 'stopped' }));
    await announceFinished(services, ref);
    expect(services.ui.messages).toEqual([]);
  });
});
