import { describe, expect, it } from 'vitest';
import { removeCommand } from '../../../../src/vscode/commands/remove';
import { runCommand } from '../../../../src/vscode/commands/run-command';
import { environmentRow, environment, fakeCore, fakeServices } from '../../../support/extension-fakes';


describe('Remove GPU Environment', () => {
  it('asks first and removes nothing when the dialog is dismissed', async () => {
    const core = fakeCore();
    const services = fakeServices({ core });
    await runCommand(services, removeCommand, [environmentRow(environment('exp'))]);
    expect(services.ui.messages[0]).toMatchObject({ kind: 'modal', message: 'Remove GPU environment "exp"?', actions: ['Remove', 'Remove and Delete Keys and Runs'] });
    expect(services.ui.messages[0]!.detail).toContain('/home/user/exp');
    expect(core.calls).toEqual([]);
  });

  it.each([['Remove', false], ['Remove and Delete Keys and Runs', true]])('%s → purge %s', async (answer, purge) => {
    const seen: Array<{ purge: boolean }> = [];
    const core = fakeCore({
      remove: async (_name: string, options: { purge: boolean }) => {
        seen.push(options);
        return { removedContainer: true, purged: [] };
      },
    });
    const services = fakeServices({ core });
    services.ui.respond = (m) => (m.kind === 'modal' ? answer : undefined);
    await runCommand(services, removeCommand, [environmentRow(environment('exp'))]);
    expect(seen).toEqual([{ purge }]);
  });
});
