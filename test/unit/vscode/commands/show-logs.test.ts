import { describe, expect, it } from 'vitest';
import { runCommand } from '../../../../src/vscode/commands/run-command';
import { showLogsCommand } from '../../../../src/vscode/commands/show-logs';
import { environmentRow, environment, fakeCore, fakeServices } from '../../../support/extension-fakes';


describe('Show GPU Environment Logs', () => {
  it('shows the container output under a header', async () => {
    const tails: number[] = [];
    const core = fakeCore({
      logs: async (_name: string, options: { tail: number }) => {
        tails.push(options.tail);
        return 'sshd: listening\n';
      },
    });
    const services = fakeServices({ core });
    await runCommand(services, showLogsCommand, [environmentRow(environment('exp'))]);
    expect(tails).toEqual([2000]);
    expect(services.ui.containerLogs).toEqual(['Container gpu-env-exp (running), last 2000 lines of its output:\n\nsshd: listening\n']);
  });
});
