import { coreContext, type Services } from '../services';
import { startEnvironment } from '../start-flow';
import { requireTrustedWorkspace } from '../trust';

/**
 * A new container for the environment, same name and folder: what brings back a GPU whose device
 * handles went stale ("NVML lost"). Keys, runs and files are kept; the container is replaced.
 */
export async function recreateEnvironment(services: Services, name: string, actionTitle: string): Promise<void> {
  const { ui, log, t } = services;
  if (!requireTrustedWorkspace(services, actionTitle)) return;
  const core = await services.core();
  const info = await core.status(name, coreContext(core, services));
  await ui.withProgress(t('Removing GPU environment "{0}"', name), (_report, signal) => core.remove(name, { purge: false }, coreContext(core, services, { signal })));
  log.info(`recreating ${info.container} (workspace ${info.workspace})`);
  services.training.sessions.close(name);
  await startEnvironment(services, { name, workspace: info.workspace });
}
