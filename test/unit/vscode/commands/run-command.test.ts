import { describe, expect, it } from 'vitest';
import { usageError } from '../../../../src/shared/errors';
import { runCommand } from '../../../../src/vscode/commands/run-command';
import { showLogsCommand } from '../../../../src/vscode/commands/show-logs';
import { stopCommand } from '../../../../src/vscode/commands/stop';
import { environment, fakeCore, fakeServices } from '../../../support/extension-fakes';

describe('choosing the environment', () => {
  it('says there is none and offers to start one', async () => {
    const services = fakeServices({ core: fakeCore({ list: async () => [] }) });
    services.ui.respond = (m) => m.actions[0];
    await runCommand(services, showLogsCommand, []);
    expect(services.ui.texts('info')).toEqual(['There is no GPU environment yet.']);
    expect(services.ui.commands).toEqual([{ id: 'gpuEnv.start', args: [] }]);
  });

  it('says none is running when stopping with only stopped ones', async () => {
    const services = fakeServices({ core: fakeCore({ list: async () => [environment('a', 'stopped')] }) });
    await runCommand(services, stopCommand, []);
    expect(services.ui.texts('info')).toEqual(['No GPU environment is running.']);
  });

  it('takes the only candidate without asking', async () => {
    const down = async (name: string) => environment(name, 'stopped');
    const core = fakeCore({ list: async () => [environment('a', 'stopped'), environment('b')], down });
    const services = fakeServices({ core });
    await runCommand(services, stopCommand, []);
    // The last list is the store catching up, for the view and the status bar.
    expect(core.calls).toEqual(['list', 'down', 'list']);
    expect(services.ui.lastPickItems).toEqual([]);
  });

  it('asks with a quick pick when there are several, the configured one first', async () => {
    const stopped: string[] = [];
    const core = fakeCore({
      list: async () => [environment('a'), environment('mine'), environment('z')],
      down: async (name: string) => {
        stopped.push(name);
        return environment(name, 'stopped');
      },
    });
    const services = fakeServices({ core, settings: { environmentName: 'mine' } });
    services.ui.pickWith = (items) => items[2]!.value;
    await runCommand(services, stopCommand, []);
    expect(services.ui.lastPickItems.map((i) => [i.label, i.description])).toEqual([['mine', 'running'], ['a', 'running'], ['z', 'running']]);
    expect(stopped).toEqual(['z']);
  });

  it('does nothing when the pick is dismissed', async () => {
    const core = fakeCore({ list: async () => [environment('a'), environment('b')] });
    const services = fakeServices({ core });
    await runCommand(services, stopCommand, []);
    expect(core.calls).toEqual(['list']);
    expect(services.ui.messages).toEqual([]);
  });

  it('looks a name argument up, and rejects an invalid one by what was wrong', async () => {
    const core = fakeCore({ status: async (name: string) => environment(name, 'stopped'), logs: async () => 'hello\n' });
    const services = fakeServices({ core });
    await runCommand(services, showLogsCommand, ['exp']);
    expect(core.calls).toEqual(['status', 'logs']);
    await runCommand(services, showLogsCommand, ['Bad Name!']);
    expect(services.ui.texts('error')).toEqual([
      'Show GPU Environment Logs: environment name: "Bad Name!" is not a valid name; use lower-case letters, digits, \'_\', \'.\', \'-\', starting with a letter or digit, at most 48 characters',
    ]);
  });
});

describe('runCommand', () => {
  it('shows a usage error as is, without the log button', async () => {
    const services = fakeServices();
    await runCommand(services, { id: 'gpuEnv.test', title: () => 'Test', run: async () => { throw usageError('gpuEnv.cpus: "x" is not a CPU count'); } }, []);
    expect(services.ui.messages).toEqual([{ kind: 'error', message: 'Test: gpuEnv.cpus: "x" is not a CPU count', actions: [] }]);
  });
});
