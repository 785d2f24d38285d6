import { describe, expect, it } from 'vitest';
import { localApi } from '../../../../src/core/local-api';
import { parseTaskDefinition, TrainTaskTerminal } from '../../../../src/vscode/tasks/train-task';
import { ASSETS, FakeRuns, idleSession, listing } from '../../../support/runs-fakes';
import { environment, fakeCore, fakeServices } from '../../../support/extension-fakes';

describe('gpu-env tasks', () => {
  it('check the definition and name every problem', () => {
    expect(parseTaskDefinition({ type: 'gpu-env', dataset: 'mnist', epochs: 1 }, localApi)).toEqual({ ok: true, environment: undefined, options: { dataset: 'mnist', epochs: 1 } });
    expect(parseTaskDefinition({ type: 'gpu-env', targetAccuracy: 0.88 }, localApi)).toEqual({ ok: true, environment: undefined, options: { targetAccuracy: 0.88 } });
    expect(parseTaskDefinition({ type: 'gpu-env', targetAccuracy: 88 }, localApi)).toEqual({ ok: false, problems: [expect.stringMatching(/^targetAccuracy must be a number above 0 and at most 1/)] });
    const bad = parseTaskDefinition({ type: 'gpu-env', environment: 'Bad Name', template: 'vgg', epochs: 0 }, localApi);
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.problems).toEqual([
      expect.stringMatching(/^environment: "Bad Name" is not a valid name/),
      expect.stringMatching(/^template must be one of cnn, resnet/),
      expect.stringMatching(/^epochs must be a whole number/),
    ]);
  });

  function taskServices(state: 'running' | 'stopped' = 'running') {
    const runs = new FakeRuns();
    const core = fakeCore({ status: async (name: string) => environment(name, state), openSession: async () => idleSession(), runs: () => runs, shippedAssets: () => ASSETS, list: async () => [environment('exp', state)] });
    return { services: fakeServices({ core, settings: { environmentName: 'exp' } }), runs };
  }

  async function runTask(terminal: TrainTaskTerminal): Promise<{ output: string; code: number | void }> {
    let output = '';
    const closed = new Promise<number | void>((resolve) => terminal.onDidClose(resolve));
    terminal.onDidWrite((text) => void (output += text));
    terminal.open(undefined);
    const code = await closed;
    return { output, code };
  }

  it('start the run, show its log until it ends, and exit 0 when it succeeded', async () => {
    const { services, runs } = taskServices();
    runs.runs = [listing(runs.nextId, { state: 'succeeded' })];
    runs.log = 'epoch 1/1 test accuracy 0.87\n';
    const { output, code } = await runTask(new TrainTaskTerminal(services, { type: 'gpu-env', dataset: 'fashion-mnist', epochs: 1 }));
    expect(runs.started[0]).toEqual({ options: { dataset: 'fashion-mnist', epochs: 1 }, extra: expect.objectContaining({ environment: 'exp' }) });
    expect(output).toContain('epoch 1/1 test accuracy 0.87\r\n');
    expect(output).toContain(`Run ${runs.nextId} succeeded.`);
    expect(code).toBe(0);
    services.training.runs.dispose();
  });

  it('exit 1 for a failed run, an invalid definition, a stopped environment or an untrusted workspace', async () => {
    const failed = taskServices();
    failed.runs.runs = [listing(failed.runs.nextId, { state: 'failed' })];
    expect((await runTask(new TrainTaskTerminal(failed.services, { type: 'gpu-env' }))).code).toBe(1);
    failed.services.training.runs.dispose();
    const invalid = taskServices();
    const bad = await runTask(new TrainTaskTerminal(invalid.services, { type: 'gpu-env', epochs: 'many' }));
    expect(bad).toMatchObject({ code: 1, output: expect.stringContaining('The gpu-env task in tasks.json is not valid: epochs must be') });
    expect(invalid.runs.calls).toEqual([]);
    const stopped = taskServices('stopped');
    expect(await runTask(new TrainTaskTerminal(stopped.services, { type: 'gpu-env' }))).toMatchObject({ code: 1, output: expect.stringContaining('GPU environment "exp" is not running') });
    const untrusted = taskServices();
    untrusted.services.ui.trusted = false;
    expect((await runTask(new TrainTaskTerminal(untrusted.services, { type: 'gpu-env' }))).code).toBe(1);
    expect(untrusted.services.coreLoads).toBe(0);
  });
});
