import { describe, expect, it } from 'vitest';
import { sshCommand } from '../../../../src/core/ssh/openssh-config';
import { copySshCommand } from '../../../../src/vscode/commands/copy-ssh-command';
import { runCommand } from '../../../../src/vscode/commands/run-command';
import { environmentRow, environment, fakeServices } from '../../../support/extension-fakes';

describe('Copy SSH Command', () => {
  it('copies an ssh command that uses the product\'s config, quoted for the shell', async () => {
    const services = fakeServices({ stateDir: "/home/u/Library/Application Support/gpu env's" });
    await runCommand(services, copySshCommand, [environmentRow(environment('exp'))]);
    expect(services.ui.clipboard).toBe(`ssh -F '/home/u/Library/Application Support/gpu env'\\''s/ssh_config' gpu-env-exp`);
    expect(services.ui.texts('info')[0]).toMatch(/^Copied: ssh -F/);
  });

  it('leaves a plain path unquoted and notes a stopped environment', async () => {
    expect(sshCommand('/tmp/state', 'gpu-env-a')).toBe('ssh -F /tmp/state/ssh_config gpu-env-a');
    const services = fakeServices({ stateDir: '/tmp/state' });
    await runCommand(services, copySshCommand, [environmentRow(environment('a', 'stopped'))]);
    expect(services.ui.texts('info')).toEqual(['Copied: ssh -F /tmp/state/ssh_config gpu-env-a (start the environment before connecting)']);
  });
});
