import { ensureSshConfigInclude, REMOTE_SSH_EXTENSION, remoteWorkspaceUri } from '../attach/remote-ssh';
import { chooseEnvironment } from '../pick-environment';
import { coreContext, type Services } from '../services';
import { ensureRunning } from '../start-flow';
import { requireTrustedWorkspace } from '../trust';
import type { GpuCommand } from './command';

export const attachCommand: GpuCommand = {
  id: 'gpuEnv.attach',
  title: (t) => t('Attach VS Code to GPU Environment'),
  async run(services, arg) {
    const { ui, log, t } = services;
    if (!requireTrustedWorkspace(services, attachCommand.title(t))) return;
    if (!ui.hasExtension(REMOTE_SSH_EXTENSION)) return offerWithoutRemoteSsh(services, arg);
    const chosen = await chooseEnvironment(services, arg, { filter: 'any', placeHolder: t('Environment to attach to') });
    if (!chosen) return;
    const info = await ensureRunning(services, chosen);
    if (!info || !(await ensureSshConfigInclude(services))) return;
    // The block Remote-SSH reads is brought up to date (a new port, or a new job on another node).
    const core = await services.core();
    await core.sshConfig(info.name, coreContext(core, services));
    const uri = remoteWorkspaceUri(info.ssh.alias, info.workdir);
    log.info(`opening ${uri} in a new window`);
    await ui.openRemoteFolder(uri);
  },
};

/** code-server and VSCodium have no Remote - SSH (it is not on Open VSX): the terminal works everywhere. */
async function offerWithoutRemoteSsh(services: Services, arg: unknown): Promise<void> {
  const { ui, t } = services;
  const install = t('Install Remote - SSH');
  const terminal = t('Open Terminal');
  const choice = await ui.showWarning(
    t('Attaching VS Code needs the Remote - SSH extension ({0}). Install it, or open a terminal in the environment instead.', REMOTE_SSH_EXTENSION),
    install,
    terminal,
  );
  if (choice === install) await ui.executeCommand('workbench.extensions.search', `@id:${REMOTE_SSH_EXTENSION}`);
  if (choice === terminal) await ui.executeCommand('gpuEnv.openTerminal', arg);
}
