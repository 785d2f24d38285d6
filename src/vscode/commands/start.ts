import type { EnvironmentInfo } from '../../core/lifecycle/environment-info';
import { environmentArgument } from '../environment-argument';
import type { CoreApi } from '../core-api';
import type { Services } from '../services';
import type { StartTarget } from '../settings';
import { startEnvironment } from '../start-flow';
import { requireTrustedWorkspace } from '../trust';
import { START_COMMAND } from '../contribution-ids';
import type { GpuCommand } from './command';

export const startCommand: GpuCommand = {
  id: START_COMMAND,
  title: (t) => t('Start GPU Environment'),
  async run(services, arg) {
    if (!requireTrustedWorkspace(services, startCommand.title(services.t))) return;
    const result = await startEnvironment(services, startTarget(services, arg, await services.core()));
    void offerNextSteps(services, result.info);
  },
};

/** From a tree item or a name: that environment, keeping the folder it was created with. */
function startTarget(services: Services, arg: unknown, core: CoreApi): StartTarget | undefined {
  const given = environmentArgument(arg, core);
  if (given.kind === 'info') return { name: given.info.name, workspace: given.info.workspace };
  if (given.kind === 'name') {
    const known = services.store.find(given.name);
    return known ? { name: known.name, workspace: known.workspace } : { name: given.name };
  }
  return undefined;
}

async function offerNextSteps(services: Services, info: EnvironmentInfo): Promise<void> {
  const { ui, t } = services;
  const terminal = t('Open Terminal');
  const attach = t('Attach VS Code');
  const choice = await ui.showInfo(t('GPU environment "{0}" is running.', info.name), terminal, attach);
  if (choice === terminal) await ui.executeCommand('gpuEnv.openTerminal', info.name);
  if (choice === attach) await ui.executeCommand('gpuEnv.attach', info.name);
}
