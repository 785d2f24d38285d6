import { sshConfigPath } from '../../core/state/paths';
import { chooseEnvironment } from '../pick-environment';
import type { GpuCommand } from './command';

/** POSIX shell quoting, so the copied command pastes correctly even with spaces in the state path. */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_./:=@%+,-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

export function sshCommandFor(stateDir: string, alias: string): string {
  return `ssh -F ${shellQuote(sshConfigPath(stateDir))} ${alias}`;
}

export const copySshCommand: GpuCommand = {
  id: 'gpuEnv.copySshCommand',
  title: (t) => t('Copy SSH Command'),
  async run(services, arg) {
    const { ui, t } = services;
    const info = await chooseEnvironment(services, arg, { filter: 'any', placeHolder: t('Environment to connect to') });
    if (!info) return;
    const command = sshCommandFor(services.stateDir, info.ssh.alias);
    await ui.writeClipboard(command);
    const note = info.state === 'running' ? t('Copied: {0}', command) : t('Copied: {0} (start the environment before connecting)', command);
    void ui.showInfo(note);
  },
};
