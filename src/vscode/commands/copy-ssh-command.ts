import { chooseEnvironment } from '../pick-environment';
import type { GpuCommand } from './command';

export const copySshCommand: GpuCommand = {
  id: 'gpuEnv.copySshCommand',
  title: (t) => t('Copy SSH Command'),
  async run(services, arg) {
    const { ui, t } = services;
    const info = await chooseEnvironment(services, arg, { filter: 'any', placeHolder: t('Environment to connect to') });
    if (!info) return;
    const command = (await services.core()).sshCommand(services.stateDir, info.ssh.alias);
    await ui.writeClipboard(command);
    const note = info.state === 'running' ? t('Copied: {0}', command) : t('Copied: {0} (start the environment before connecting)', command);
    void ui.showInfo(note);
  },
};
