import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCommand } from '../../../../src/vscode/commands/run-command';
import { trainCnnCommand } from '../../../../src/vscode/commands/train-cnn';
import { CHOICES_KEY } from '../../../../src/vscode/runs/train-choices';
import { FakeRuns } from '../../../support/runs-fakes';
import { environment } from '../../../support/extension-fakes';
import { trainingServices } from '../../../support/training-services';

const uri = (fsPath: string) => ({ scheme: 'file', fsPath, path: fsPath });

describe('Train CNN', () => {
  it('refuses in an untrusted workspace without touching the core', async () => {
    const { services, runs } = trainingServices();
    services.ui.trusted = false;
    await runCommand(services, trainCnnCommand, []);
    expect(services.ui.texts('error')[0]).toMatch(/^"Train CNN" requires a trusted workspace/);
    expect(services.coreLoads).toBe(0);
    expect(runs.calls).toEqual([]);
  });

  it('asks template, dataset, epochs, batch size and learning rate with the defaults, starts detached, follows and opens the dashboard', async () => {
    const { services, runs } = trainingServices();
    const picks: string[] = [];
    services.ui.pickWith = (items) => {
      picks.push(items.map((i) => i.label).join('|'));
      return items[0]!.value;
    };
    services.ui.answers = ['2', '128', '', '0.88', '2'];
    await runCommand(services, trainCnnCommand, []);
    expect(services.ui.messages.filter((m) => m.kind === 'error')).toEqual([]);
    expect(picks).toEqual(['SimpleCNN|Small ResNet', 'fashion-mnist|mnist|cifar10|imagefolder']);
    expect(services.ui.questions.map((q) => [q.prompt, q.value])).toEqual([['Epochs (default 5)', '5'], ['Batch size', ''], ['Learning rate', ''], ['Stop at test accuracy (e.g. 0.88)', ''], ['Processes (data-parallel ranks)', '']]);
    expect(services.ui.questions[4]!.validate('0')).toMatch(/nprocPerNode must be a whole number from 1/);
    expect(services.ui.questions[3]!.validate('88')).toMatch(/targetAccuracy must be a number above 0 and at most 1/);
    expect(services.ui.questions[3]!.validate('')).toBeUndefined();
    expect(runs.started).toEqual([{ options: { template: 'cnn', dataset: 'fashion-mnist', epochs: 2, batchSize: 128, targetAccuracy: 0.88, nprocPerNode: 2 }, extra: expect.objectContaining({ environment: 'exp' }) }]);
    expect(services.ui.progressTitles).toEqual(['Starting training in "exp"']);
    expect(services.training.runs.isTracked('20260101-120000-abcd')).toBe(true);
    expect(services.dashboards).toEqual([['20260101-120000-abcd']]);
    // Remembered for next time, in the workspace's state.
    expect(services.ui.workspaceState.get(CHOICES_KEY)).toEqual({ template: 'cnn', dataset: 'fashion-mnist', epochs: 2, batchSize: 128, targetAccuracy: 0.88, nprocPerNode: 2 });
    services.training.runs.dispose();
  });

  it('offers the remembered choices first and validates answers with the core\'s rules', async () => {
    const { services } = trainingServices();
    await services.ui.workspaceState.update(CHOICES_KEY, { template: 'resnet', dataset: 'cifar10', epochs: 7, lr: 0.01 });
    const labels: string[][] = [];
    services.ui.pickWith = (items) => {
      labels.push(items.map((i) => i.label));
      return undefined;
    };
    await runCommand(services, trainCnnCommand, []);
    expect(labels).toEqual([['Small ResNet', 'SimpleCNN']]);
    services.ui.pickWith = (items) => items[0]!.value;
    services.ui.answers = [undefined];
    await runCommand(services, trainCnnCommand, []);
    const epochs = services.ui.questions[0]!;
    expect(epochs.value).toBe('7');
    expect(epochs.validate('0')).toMatch(/epochs must be a whole number from 1/);
    expect(epochs.validate('3')).toBeUndefined();
  });

  it('asks for the data folder for imagefolder, inside the environment', async () => {
    const { services, runs } = trainingServices();
    services.ui.pickWith = (items) => items.find((i) => i.label === 'imagefolder')?.value ?? items[0]!.value;
    services.ui.answers = ['/workspace/data/pets', '1', '', '0.002', '', ''];
    await runCommand(services, trainCnnCommand, []);
    const folder = services.ui.questions[0]!;
    expect(folder.validate('data/pets')).toMatch(/absolute path inside the environment/);
    expect(runs.started[0]!.options).toEqual({ template: 'cnn', dataset: 'imagefolder', dataDir: '/workspace/data/pets', epochs: 1, lr: 0.002 });
    services.training.runs.dispose();
  });

  it('from the CodeLens: saves and runs that file, mapped into /workspace', async () => {
    const { services, runs } = trainingServices();
    await runCommand(services, trainCnnCommand, [uri('/home/u/proj/exp/train.py')]);
    expect(services.ui.saved).toEqual(['/home/u/proj/exp/train.py']);
    expect(runs.scripts).toEqual(['/workspace/exp/train.py']);
    expect(services.ui.lastPickItems).toEqual([]);
    services.training.runs.dispose();
  });

  it('offers the Python file in the editor as "Current file"', async () => {
    const { services, runs } = trainingServices();
    services.ui.active = { path: '/home/u/proj/main.py', languageId: 'python', dirty: true };
    services.ui.pickWith = (items) => items[items.length - 1]!.value;
    await runCommand(services, trainCnnCommand, []);
    expect(services.ui.lastPickItems.at(-1)).toMatchObject({ label: 'Current file: main.py', detail: '/home/u/proj/main.py' });
    expect(runs.scripts).toEqual(['/workspace/main.py']);
    services.training.runs.dispose();
  });

  it('says so when the file is not in the folder the environment mounts', async () => {
    const { services, runs } = trainingServices();
    await runCommand(services, trainCnnCommand, [uri('/tmp/other/train.py')]);
    expect(services.ui.texts('error')).toEqual(['Train CNN: /tmp/other/train.py is not inside /home/u/proj, the folder that GPU environment "exp" mounts at /workspace.']);
    expect(runs.calls).toEqual([]);
  });

  it('with no environment running, offers to start one and trains in it', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'gpu-env-train-'));
    // The folder belongs to whoever runs the tests (root in CI): say which user the container gets.
    const { services, runs } = trainingServices([], new FakeRuns(), { uid: '1234' });
    services.ui.folders = [folder];
    const core = await services.core();
    core.up = async () => ({ action: 'created', info: environment('default', 'running', { workspace: folder }), warnings: [] });
    services.ui.respond = (m) => (m.message === 'No GPU environment is running. Start one to train in?' ? 'Start GPU Environment' : undefined);
    await runCommand(services, trainCnnCommand, [uri(join(folder, 't.py'))]);
    rmSync(folder, { recursive: true });
    expect(services.ui.messages.filter((m) => m.kind === 'error')).toEqual([]);
    expect(services.ui.progressTitles).toEqual(['Starting GPU environment "default"', 'Starting training in "default"']);
    expect(runs.scripts).toEqual(['/workspace/t.py']);
    services.training.runs.dispose();
  });

  it('does nothing more when the offer to start is declined', async () => {
    const { services, runs } = trainingServices([environment('exp', 'stopped')]);
    await runCommand(services, trainCnnCommand, []);
    expect(runs.calls).toEqual([]);
    expect(services.ui.progressTitles).toEqual([]);
  });

  it('reports a start the runner refused, naming the command', async () => {
    const { services, runs } = trainingServices();
    runs.start = async () => {
      throw new Error('start run failed (exit 1): disk full');
    };
    services.ui.pickWith = (items) => items[0]!.value;
    services.ui.answers = ['1', '', '', '', ''];
    await runCommand(services, trainCnnCommand, []);
    expect(services.ui.texts('error')).toEqual(['Train CNN failed: start run failed (exit 1): disk full']);
    expect(services.dashboards).toEqual([]);
  });
});
