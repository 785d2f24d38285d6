import { describe, expect, it } from 'vitest';
import { INCLUDE_ANSWER_KEY, REMOTE_SSH_EXTENSION } from '../../../../src/vscode/attach/remote-ssh';
import { attachCommand } from '../../../../src/vscode/commands/attach';
import { runCommand } from '../../../../src/vscode/commands/run-command';
import { environmentRow, environment, fakeCore, fakeServices } from '../../../support/extension-fakes';


describe('Attach VS Code to GPU Environment', () => {
  it('without Remote - SSH says what to install and offers the terminal', async () => {
    const core = fakeCore();
    const services = fakeServices({ core });
    services.ui.respond = (m) => (m.kind === 'warning' ? 'Open Terminal' : undefined);
    const item = environmentRow(environment('exp'));
    await runCommand(services, attachCommand, [item]);
    expect(services.ui.texts('warning')[0]).toContain(REMOTE_SSH_EXTENSION);
    expect(services.ui.messages[0]!.actions).toEqual(['Install Remote - SSH', 'Open Terminal']);
    expect(services.ui.commands).toEqual([{ id: 'gpuEnv.openTerminal', args: [item] }]);
    expect(services.ui.remoteFolders).toEqual([]);
    expect(core.calls).toEqual([]);
  });

  it('opens the extension page when asked to install', async () => {
    const services = fakeServices();
    services.ui.respond = (m) => (m.kind === 'warning' ? 'Install Remote - SSH' : undefined);
    await runCommand(services, attachCommand, []);
    expect(services.ui.commands).toEqual([{ id: 'workbench.extensions.search', args: [`@id:${REMOTE_SSH_EXTENSION}`] }]);
  });

  it('asks before adding the Include line, and opens the remote folder after a yes', async () => {
    const added: Array<[string, string]> = [];
    const core = fakeCore({
      userSshIncludePresent: () => false,
      ensureUserSshInclude: (home: string, state: string) => {
        added.push([home, state]);
        return 'added';
      },
      sshConfig: () => Promise.resolve('Host gpu-env-exp\n'),
    });
    const services = fakeServices({ core, homeDir: '/home/u', stateDir: '/home/u/.state' });
    services.ui.extensions.add(REMOTE_SSH_EXTENSION);
    services.ui.respond = (m) => (m.kind === 'modal' ? 'Add Include Line' : undefined);
    await runCommand(services, attachCommand, [environmentRow(environment('exp'))]);
    const modal = services.ui.messages.find((m) => m.kind === 'modal')!;
    expect(modal.detail).toContain('Include /home/u/.state/ssh_config');
    expect(modal.detail).toContain('/home/u/.ssh/config');
    expect(added).toEqual([['/home/u', '/home/u/.state']]);
    expect(services.ui.globalState.get(INCLUDE_ANSWER_KEY)).toBe('added');
    expect(services.ui.remoteFolders).toEqual(['vscode-remote://ssh-remote+gpu-env-exp/workspace']);
    // The block Remote-SSH reads is rewritten first (a new port, or a new job on another node).
    expect(core.calls).toContain('sshConfig');
  });

  it('opens the environment\'s own workspace folder when it is not /workspace (a cluster\'s shared file system)', async () => {
    const services = fakeServices({ core: fakeCore({ userSshIncludePresent: () => true, sshConfig: () => Promise.resolve('') }) });
    services.ui.extensions.add(REMOTE_SSH_EXTENSION);
    await runCommand(services, attachCommand, [environmentRow({ ...environment('exp'), workdir: '/home/me/gpu-env/my exp' })]);
    expect(services.ui.remoteFolders).toEqual(['vscode-remote://ssh-remote+gpu-env-exp/home/me/gpu-env/my%20exp']);
  });

  it('remembers a no: the file is not touched and the user is not asked again', async () => {
    const core = fakeCore({ userSshIncludePresent: () => false });
    const services = fakeServices({ core });
    services.ui.extensions.add(REMOTE_SSH_EXTENSION);
    services.ui.respond = (m) => (m.kind === 'modal' ? 'Don\'t Add' : undefined);
    await runCommand(services, attachCommand, [environmentRow(environment('exp'))]);
    await runCommand(services, attachCommand, [environmentRow(environment('exp'))]);
    expect(services.ui.messages.filter((m) => m.kind === 'modal')).toHaveLength(1);
    expect(services.ui.texts('warning')).toHaveLength(2);
    expect(services.ui.texts('warning')[0]).toContain('Include /state/ssh_config');
    expect(core.calls).not.toContain('ensureUserSshInclude');
    expect(services.ui.remoteFolders).toEqual([]);
  });

  it('does not remember a dismissed dialog', async () => {
    const services = fakeServices({ core: fakeCore({ userSshIncludePresent: () => false }) });
    services.ui.extensions.add(REMOTE_SSH_EXTENSION);
    await runCommand(services, attachCommand, [environmentRow(environment('exp'))]);
    expect(services.ui.globalState.get(INCLUDE_ANSWER_KEY)).toBeUndefined();
    expect(services.ui.remoteFolders).toEqual([]);
  });

  it('asks nothing when the Include is already there', async () => {
    const services = fakeServices({ core: fakeCore({ userSshIncludePresent: () => true, sshConfig: () => Promise.resolve('') }) });
    services.ui.extensions.add(REMOTE_SSH_EXTENSION);
    await runCommand(services, attachCommand, [environmentRow(environment('exp'))]);
    expect(services.ui.messages).toEqual([]);
    expect(services.ui.remoteFolders).toEqual(['vscode-remote://ssh-remote+gpu-env-exp/workspace']);
  });

  it('offers to start a stopped environment first, and does nothing on no', async () => {
    const core = fakeCore({ userSshIncludePresent: () => true });
    const services = fakeServices({ core });
    services.ui.extensions.add(REMOTE_SSH_EXTENSION);
    await runCommand(services, attachCommand, [environmentRow(environment('exp', 'stopped'))]);
    expect(services.ui.texts('info')).toEqual(['GPU environment "exp" is not running. Start it?']);
    expect(services.ui.remoteFolders).toEqual([]);
    expect(core.calls).toEqual([]);
  });

  it('refuses in an untrusted workspace', async () => {
    const services = fakeServices();
    services.ui.trusted = false;
    services.ui.extensions.add(REMOTE_SSH_EXTENSION);
    await runCommand(services, attachCommand, [environmentRow(environment('exp'))]);
    expect(services.ui.texts('error')[0]).toMatch(/^"Attach VS Code to GPU Environment" requires a trusted workspace/);
    expect(services.ui.remoteFolders).toEqual([]);
  });
});
