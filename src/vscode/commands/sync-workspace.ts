import { usageError } from '../../shared/errors';
import { chooseEnvironment } from '../pick-environment';
import { coreContext } from '../services';
import { requireTrustedWorkspace } from '../trust';
import type { GpuCommand } from './command';

/**
 * Copies the open folder to the environment's workspace on its machine (a remote Docker host or a
 * cluster), honouring .gitignore, and says what it copied.
 */
export const syncWorkspaceCommand: GpuCommand = {
  id: 'gpuEnv.syncWorkspace',
  title: (t) => t('Sync Workspace to GPU Environment'),
  async run(services, arg) {
    const { ui, log, t } = services;
    if (!requireTrustedWorkspace(services, syncWorkspaceCommand.title(t))) return;
    const local = services.settings().workspaceFolder ?? ui.workspaceFolderPaths()[0];
    if (local === undefined) throw usageError(t('Open the folder to copy first: Sync Workspace copies the open folder to the environment.'));
    const info = await chooseEnvironment(services, arg, { filter: 'any', placeHolder: t('Environment to copy this folder to') });
    if (!info) return;
    const core = await services.core();
    const report = await ui.withProgress(t('Copying {0} to GPU environment "{1}"', local, info.name), (_report, signal) =>
      core.syncWorkspace(info.name, local, coreContext(core, services, { signal })),
    );
    const message = t('Copied {0} files ({1} MB) to {2} in {3} s; {4} unchanged, {5} ignored by .gitignore.', report.files, (report.bytes / (1024 * 1024)).toFixed(2), report.destination, (report.durationMs / 1000).toFixed(1), report.unchanged, report.ignored);
    log.info(message);
    void ui.showInfo(message);
  },
};
