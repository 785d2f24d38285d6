import type { EnvironmentInfo } from '../../core/lifecycle/environment-info';
import type { Translate } from '../l10n';
import type { PickItem } from '../ui';
import { chooseEnvironment } from '../pick-environment';
import { stateLabel } from '../views/environment-node';
import type { GpuCommand } from './command';
import { attachCommand } from './attach';
import { copySshCommand } from './copy-ssh-command';
import { openTerminalCommand } from './open-terminal';
import { removeCommand } from './remove';
import { showLogsCommand } from './show-logs';
import { startCommand } from './start';
import { stopCommand } from './stop';
import { ENVIRONMENT_ACTIONS_COMMAND } from '../contribution-ids';

/** The actions that make sense in the environment's state, in the order users reach for them. */
export function actionsFor(info: EnvironmentInfo, t: Translate): PickItem<GpuCommand>[] {
  const running = info.state === 'running';
  const commands = running
    ? [openTerminalCommand, attachCommand, copySshCommand, showLogsCommand, stopCommand, removeCommand]
    : [startCommand, showLogsCommand, copySshCommand, removeCommand];
  return commands.map((command) => ({ label: command.title(t), value: command }));
}

/** What the status bar item opens. */
export const environmentActionsCommand: GpuCommand = {
  id: ENVIRONMENT_ACTIONS_COMMAND,
  title: (t) => t('Show GPU Environment Actions'),
  async run(services, arg) {
    const { ui, t } = services;
    const info = await chooseEnvironment(services, arg, { filter: 'any', placeHolder: t('Environment') });
    if (!info) return;
    const fresh = services.store.find(info.name) ?? info;
    const command = await ui.pick(actionsFor(fresh, t), t('GPU environment {0} ({1})', fresh.name, stateLabel(fresh.state, t)));
    if (command) await ui.executeCommand(command.id, fresh.name);
  },
};
