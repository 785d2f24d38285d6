import { describe, expect, it } from 'vitest';
import { runCommand } from '../../../../src/vscode/commands/run-command';
import { stopCommand } from '../../../../src/vscode/commands/stop';
import { environmentRow, environment, fakeCore, fakeServices } from '../../../support/extension-fakes';


describe('Stop GPU Environment', () => {
  it('stops the tree item\'s environment and hides its status bar item', async () => {
    const core = fakeCore({ down: async (name: string) => environment(name, 'stopped') });
    const services = fakeServices({ core });
    services.statusBar.showEnvironment(environment('exp'));
    await runCommand(services, stopCommand, [environmentRow(environment('exp'))]);
    expect(core.calls).toEqual(['down', 'list']);
    expect(services.ui.progressTitles).toEqual(['Stopping GPU environment "exp"']);
    expect(services.ui.statusBar.shown).toBeUndefined();
  });
});
