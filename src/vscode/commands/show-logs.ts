import { chooseEnvironment } from '../pick-environment';
import { coreContext } from '../services';
import type { GpuCommand } from './command';

/** Enough to see a failed start or the last hours of sshd and the runner, without a huge channel. */
export const LOG_TAIL_LINES = 2000;

export const showLogsCommand: GpuCommand = {
  id: 'gpuEnv.showLogs',
  title: (t) => t('Show GPU Environment Logs'),
  async run(services, arg) {
    const { ui, t } = services;
    const info = await chooseEnvironment(services, arg, { filter: 'any', placeHolder: t('Environment whose logs to show') });
    if (!info) return;
    const core = await services.core();
    const text = await core.logs(info.name, { tail: LOG_TAIL_LINES }, coreContext(core, services));
    const header = t('Container {0} ({1}), last {2} lines of its output:', info.container, info.status, LOG_TAIL_LINES);
    ui.showContainerLogs(`${header}\n\n${text === '' ? t('(no output yet)') : text}`);
  },
};
