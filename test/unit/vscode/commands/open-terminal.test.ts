import { describe, expect, it } from 'vitest';
import { openTerminalCommand } from '../../../../src/vscode/commands/open-terminal';
import { runCommand } from '../../../../src/vscode/commands/run-command';
import { environmentRow, environment, fakeServices } from '../../../support/extension-fakes';


describe('Open Terminal in GPU Environment', () => {
  it('opens an SSH terminal named after the environment', async () => {
    const services = fakeServices();
    await runCommand(services, openTerminalCommand, [environmentRow(environment('exp'))]);
    expect(services.ui.terminals.map((t) => t.name)).toEqual(['GPU: exp']);
  });

  it('refuses in an untrusted workspace and opens nothing', async () => {
    const services = fakeServices();
    services.ui.trusted = false;
    await runCommand(services, openTerminalCommand, [environmentRow(environment('exp'))]);
    expect(services.ui.texts('error')[0]).toMatch(/^"Open Terminal in GPU Environment" requires a trusted workspace/);
    expect(services.ui.terminals).toEqual([]);
  });
});
