import { chooseEnvironment } from '../pick-environment';
import { coreContext } from '../services';
import type { GpuCommand } from './command';

export const stopCommand: GpuCommand = {
  id: 'gpuEnv.stop',
  title: (t) => t('Stop GPU Environment'),
  async run(services, arg) {
    const { ui, log, t } = services;
    const info = await chooseEnvironment(services, arg, { filter: 'active', placeHolder: t('Environment to stop') });
    if (!info) return;
    const core = await services.core();
    const after = await ui.withProgress(t('Stopping GPU environment "{0}"', info.name), (_report, signal) =>
      core.down(info.name, coreContext(core, services, { signal })),
    );
    log.info(`${after.container} stopped (its files and keys are kept)`);
    // Its Jupyter tunnel now leads nowhere; close it now rather than at the next list.
    await services.jupyter.close(info.name);
    if (services.statusBar.current() === info.name) services.statusBar.hide();
    services.store.refreshSoon();
  },
};
