import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { EnvironmentInfo } from '../../src/core/lifecycle/environment-info';
import { openDashboardCommand } from '../../src/vscode/commands/open-dashboard';
import { resumeTrainingCommand } from '../../src/vscode/commands/resume-training';
import { runCommand } from '../../src/vscode/commands/run-command';
import { showTrainingLogCommand } from '../../src/vscode/commands/show-training-log';
import { stopTrainingCommand } from '../../src/vscode/commands/stop-training';
import { trainCnnCommand } from '../../src/vscode/commands/train-cnn';
import { CHOICES_KEY } from '../../src/vscode/runs/train-choices';
import { ASSETS, FakeRuns, idleSession, listing } from './vscode-runs-fakes';
import { environment, fakeCore, fakeServices, settle, type FakeServices } from './vscode-fakes';

function training(environments: EnvironmentInfo[] = [environment('exp', 'running', { workspace: '/home/u/proj' })], runs = new FakeRuns(), settings: Record<string, unknown> = {}): { services: FakeServices; runs: FakeRuns } {
  const core = fakeCore({
    list: async () => environments,
    status: async (name: string) => environments.find((e) => e.name === name)!,
    openSession: async () => idleSession(),
    runs: () => runs,
    shippedAssets: () => ASSETS,
    up: async () => ({ action: 'created', info: environment('default', 'running', { workspace: '/home/u/proj' }), warnings: [] }),
  });
  const services = fakeServices({ core, settings });
  services.host.folders = ['/home/u/proj'];
  return { services, runs };
}

const uri = (fsPath: string) => ({ scheme: 'file', fsPath, path: fsPath });

describe('Train CNN', () => {
  it('refuses in an untrusted workspace without touching the core', async () => {
    const { services, runs } = training();
    services.host.trusted = false;
    await runCommand(services, trainCnnCommand, []);
    expect(services.host.texts('error')[0]).toMatch(/^"Train CNN" requires a trusted workspace/);
    expect(services.coreLoads).toBe(0);
    expect(runs.calls).toEqual([]);
  });

  it('asks template, dataset, epochs, batch size and learning rate with the defaults, starts detached, follows and opens the dashboard', async () => {
    const { services, runs } = training();
    const picks: string[] = [];
    services.host.pickWith = (items) => {
      picks.push(items.map((i) => i.label).join('|'));
      return items[0]!.value;
    };
    services.host.answers = ['2', '128', ''];
    await runCommand(services, trainCnnCommand, []);
    expect(services.host.messages.filter((m) => m.kind === 'error')).toEqual([]);
    expect(picks).toEqual(['SimpleCNN|Small ResNet', 'fashion-mnist|mnist|cifar10|imagefolder']);
    expect(services.host.questions.map((q) => [q.prompt, q.value])).toEqual([['Epochs (default 5)', '5'], ['Batch size', ''], ['Learning rate', '']]);
    expect(runs.started).toEqual([{ options: { template: 'cnn', dataset: 'fashion-mnist', epochs: 2, batchSize: 128 }, extra: expect.objectContaining({ environment: 'exp' }) }]);
    expect(services.host.progressTitles).toEqual(['Starting training in "exp"']);
    expect(services.training.runs.isTracked('20260101-120000-abcd')).toBe(true);
    expect(services.dashboards).toEqual([['20260101-120000-abcd']]);
    // Remembered for next time, in the workspace's state.
    expect(services.host.workspaceState.get(CHOICES_KEY)).toEqual({ template: 'cnn', dataset: 'fashion-mnist', epochs: 2, batchSize: 128 });
    services.training.runs.dispose();
  });

  it('offers the remembered choices first and validates answers with the core\'s rules', async () => {
    const { services } = training();
    await services.host.workspaceState.update(CHOICES_KEY, { template: 'resnet', dataset: 'cifar10', epochs: 7, lr: 0.01 });
    const labels: string[][] = [];
    services.host.pickWith = (items) => {
      labels.push(items.map((i) => i.label));
      return undefined;
    };
    await runCommand(services, trainCnnCommand, []);
    expect(labels).toEqual([['Small ResNet', 'SimpleCNN']]);
    services.host.pickWith = (items) => items[0]!.value;
    services.host.answers = [undefined];
    await runCommand(services, trainCnnCommand, []);
    const epochs = services.host.questions[0]!;
    expect(epochs.value).toBe('7');
    expect(epochs.validate('0')).toMatch(/epochs must be a whole number from 1/);
    expect(epochs.validate('3')).toBeUndefined();
  });

  it('asks for the data folder for imagefolder, inside the environment', async () => {
    const { services, runs } = training();
    services.host.pickWith = (items) => items.find((i) => i.label === 'imagefolder')?.value ?? items[0]!.value;
    services.host.answers = ['/workspace/data/pets', '1', '', '0.002'];
    await runCommand(services, trainCnnCommand, []);
    const folder = services.host.questions[0]!;
    expect(folder.validate('data/pets')).toMatch(/absolute path inside the environment/);
    expect(runs.started[0]!.options).toEqual({ template: 'cnn', dataset: 'imagefolder', dataDir: '/workspace/data/pets', epochs: 1, lr: 0.002 });
    services.training.runs.dispose();
  });

  it('from the CodeLens: saves and runs that file, mapped into /workspace', async () => {
    const { services, runs } = training();
    await runCommand(services, trainCnnCommand, [uri('/home/u/proj/exp/train.py')]);
    expect(services.host.saved).toEqual(['/home/u/proj/exp/train.py']);
    expect(runs.scripts).toEqual(['/workspace/exp/train.py']);
    expect(services.host.lastPickItems).toEqual([]);
    services.training.runs.dispose();
  });

  it('offers the Python file in the editor as "Current file"', async () => {
    const { services, runs } = training();
    services.host.active = { path: '/home/u/proj/main.py', languageId: 'python', dirty: true };
    services.host.pickWith = (items) => items[items.length - 1]!.value;
    await runCommand(services, trainCnnCommand, []);
    expect(services.host.lastPickItems.at(-1)).toMatchObject({ label: 'Current file: main.py', detail: '/home/u/proj/main.py' });
    expect(runs.scripts).toEqual(['/workspace/main.py']);
    services.training.runs.dispose();
  });

  it('says so when the file is not in the folder the environment mounts', async () => {
    const { services, runs } = training();
    await runCommand(services, trainCnnCommand, [uri('/tmp/other/train.py')]);
    expect(services.host.texts('error')).toEqual(['Train CNN: /tmp/other/train.py is not inside /home/u/proj, the folder that GPU environment "exp" mounts at /workspace.']);
    expect(runs.calls).toEqual([]);
  });

  it('with no environment running, offers to start one and trains in it', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'gpu-env-train-'));
    // The folder belongs to whoever runs the tests (root in CI): say which user the container gets.
    const { services, runs } = training([], new FakeRuns(), { uid: '1234' });
    services.host.folders = [folder];
    const core = await services.core();
    core.up = async () => ({ action: 'created', info: environment('default', 'running', { workspace: folder }), warnings: [] });
    services.host.respond = (m) => (m.message === 'No GPU environment is running. Start one to train in?' ? 'Start GPU Environment' : undefined);
    await runCommand(services, trainCnnCommand, [uri(join(folder, 't.py'))]);
    rmSync(folder, { recursive: true });
    expect(services.host.messages.filter((m) => m.kind === 'error')).toEqual([]);
    expect(services.host.progressTitles).toEqual(['Starting GPU environment "default"', 'Starting training in "default"']);
    expect(runs.scripts).toEqual(['/workspace/t.py']);
    services.training.runs.dispose();
  });

  it('does nothing more when the offer to start is declined', async () => {
    const { services, runs } = training([environment('exp', 'stopped')]);
    await runCommand(services, trainCnnCommand, []);
    expect(runs.calls).toEqual([]);
    expect(services.host.progressTitles).toEqual([]);
  });

  it('reports a start the runner refused, naming the command', async () => {
    const { services, runs } = training();
    runs.start = async () => {
      throw new Error('start run failed (exit 1): disk full');
    };
    services.host.pickWith = (items) => items[0]!.value;
    services.host.answers = ['1', '', ''];
    await runCommand(services, trainCnnCommand, []);
    expect(services.host.texts('error')).toEqual(['Train CNN failed: start run failed (exit 1): disk full']);
    expect(services.dashboards).toEqual([]);
  });
});

describe('Stop, Resume, Open Dashboard and Show Training Log', () => {
  const running = listing('20260101-100000-aaaa', { state: 'running', epoch: 1.4, loss: 0.41 });
  const stopped = listing('20260101-090000-bbbb', { state: 'stopped' });
  const node = (l: typeof running) => ({ kind: 'run' as const, environment: 'exp', listing: l });

  it('stops the run of a tree row, then refreshes', async () => {
    const { services, runs } = training();
    runs.runs = [running];
    await runCommand(services, stopTrainingCommand, [node(running)]);
    expect(runs.calls).toEqual(['stop 20260101-100000-aaaa', 'list']);
    expect(services.host.texts('info')).toEqual(['Training cnn · fashion-mnist · 5 epochs stopped. Resume it from the Runs view.']);
    services.training.runs.dispose();
  });

  it('from the palette, offers only the runs that fit', async () => {
    const { services, runs } = training();
    runs.runs = [running, stopped];
    await runCommand(services, stopTrainingCommand, []);
    expect(services.host.lastPickItems.map((i) => (i.value as { listing: { id: string } }).listing.id)).toEqual([running.id]);
    await runCommand(services, resumeTrainingCommand, []);
    expect(services.host.lastPickItems.map((i) => (i.value as { listing: { id: string } }).listing.id)).toEqual([stopped.id]);
    runs.runs = [stopped];
    await runCommand(services, stopTrainingCommand, []);
    expect(services.host.texts('info')).toContain('No training run is running.');
    services.training.runs.dispose();
  });

  it('rejects a malformed run id before connecting', async () => {
    const { services, runs } = training();
    await runCommand(services, stopTrainingCommand, ['../../etc']);
    expect(services.host.texts('error')).toEqual(['Stop Training: "../../etc" is not a run id (expected YYYYMMDD-HHMMSS-xxxx).']);
    expect(runs.calls.filter((c) => c.startsWith('stop'))).toEqual([]);
    await runCommand(services, openDashboardCommand, ['nope']);
    expect(services.dashboards).toEqual([]);
  });

  it('resumes, follows it for the finish notification, and offers the dashboard', async () => {
    const { services, runs } = training();
    runs.runs = [stopped];
    services.host.respond = (m) => m.actions[0];
    await runCommand(services, resumeTrainingCommand, [node(stopped)]);
    expect(runs.calls[0]).toBe('resume 20260101-090000-bbbb');
    expect(services.training.runs.isTracked(stopped.id)).toBe(true);
    expect(services.host.texts('info')).toEqual(['Training cnn · fashion-mnist · 5 epochs resumed from its last checkpoint.']);
    expect(services.dashboards).toEqual([[stopped.id]]);
    services.training.runs.dispose();
  });

  it('opens the dashboard on a row or an id, or on the default run', async () => {
    const { services } = training();
    await runCommand(services, openDashboardCommand, [node(running)]);
    await runCommand(services, openDashboardCommand, [running.id]);
    await runCommand(services, openDashboardCommand, []);
    expect(services.dashboards).toEqual([[running.id], [running.id], undefined]);
  });

  it('shows the log of a finished run and says how it ended', async () => {
    const { services, runs } = training();
    const done = listing('20260101-080000-cccc', { state: 'succeeded', testAccuracy: 0.9 });
    runs.runs = [done];
    runs.log = 'epoch 1/1 test loss 0.37 accuracy 0.87\ndone\n';
    await runCommand(services, showTrainingLogCommand, [node(done)]);
    await settle();
    expect(services.host.trainingLog.text).toBe(
      'Training log of cnn · fashion-mnist · 5 epochs (20260101-080000-cccc) in exp\n\nepoch 1/1 test loss 0.37 accuracy 0.87\ndone\n\n— the run is succeeded.\n',
    );
    expect(services.host.trainingLog.shown).toBe(1);
  });
});
