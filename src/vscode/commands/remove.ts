import { chooseEnvironment } from '../pick-environment';
import { coreContext } from '../services';
import type { GpuCommand } from './command';

export const removeCommand: GpuCommand = {
  id: 'gpuEnv.remove',
  title: (t) => t('Remove GPU Environment'),
  async run(services, arg) {
    const { ui, log, t } = services;
    const info = await chooseEnvironment(services, arg, { filter: 'any', placeHolder: t('Environment to remove') });
    if (!info) return;
    const remove = t('Remove');
    const purge = t('Remove and Delete Keys and Runs');
    const choice = await ui.askModal(
      t('Remove GPU environment "{0}"?', info.name),
      t('The container {0} is deleted. Files in {1} stay. SSH keys and training runs are kept for a later start unless you also delete them.', info.container, info.workspace),
      [remove, purge],
    );
    if (choice !== remove && choice !== purge) return;
    const core = await services.core();
    const result = await ui.withProgress(t('Removing GPU environment "{0}"', info.name), (_report, signal) =>
      core.remove(info.name, { purge: choice === purge }, coreContext(core, services, { signal })),
    );
    log.info(`removed ${info.container}${result.purged.length > 0 ? `; deleted ${result.purged.join(', ')}` : ''}`);
    await services.jupyter.close(info.name);
    if (services.statusBar.current() === info.name) services.statusBar.hide();
    services.store.refreshSoon();
  },
};
