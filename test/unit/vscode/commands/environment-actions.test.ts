import { describe, expect, it } from 'vitest';
import { actionsFor, environmentActionsCommand } from '../../../../src/vscode/commands/environment-actions';
import { runCommand } from '../../../../src/vscode/commands/run-command';
import { formatOnly } from '../../../support/format-only';
import { environment, fakeCore, fakeServices, settle } from '../../../support/extension-fakes';

describe('environment actions (status bar)', () => {
  it('offers the actions that fit the state', () => {
    expect(actionsFor(environment('a'), formatOnly).map((i) => i.value.id)).toEqual([
      'gpuEnv.openTerminal', 'gpuEnv.attach', 'gpuEnv.copySshCommand', 'gpuEnv.showLogs', 'gpuEnv.stop', 'gpuEnv.remove',
    ]);
    expect(actionsFor(environment('a', 'stopped'), formatOnly).map((i) => i.value.id)).toEqual(['gpuEnv.start', 'gpuEnv.showLogs', 'gpuEnv.copySshCommand', 'gpuEnv.remove']);
  });

  it('runs the picked action on the environment', async () => {
    const services = fakeServices({ core: fakeCore({ status: async (name: string) => environment(name) }) });
    services.ui.pickWith = (items) => items[4]!.value;
    await runCommand(services, environmentActionsCommand, ['exp']);
    await settle();
    expect(services.ui.commands).toEqual([{ id: 'gpuEnv.stop', args: ['exp'] }]);
  });
});
