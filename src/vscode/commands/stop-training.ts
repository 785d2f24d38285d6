import { isActive } from '../runs/runs-model';
import { withRuns } from '../runs/runs-access';
import type { GpuCommand } from './command';
import { chooseRun } from './run-argument';

export const stopTrainingCommand: GpuCommand = {
  id: 'gpuEnv.stopTraining',
  title: (t) => t('Stop Training'),
  async run(services, arg) {
    const { ui, log, t } = services;
    const ref = await chooseRun(services, arg, { filter: isActive, placeHolder: t('Training run to stop'), none: t('No training run is running.') });
    if (!ref) return;
    const { label } = ref.listing.facts;
    // The template saves a checkpoint on SIGTERM; the runner kills it if it takes too long.
    const status = await ui.withProgress(t('Stopping training {0}', label), (_report, signal) =>
      withRuns(services, ref.environment, (runs) => runs.stop(ref.listing.id, { signal })),
    );
    log.info(`run ${ref.listing.id} in ${ref.environment}: ${status.state}`);
    await services.training.runs.refresh();
    void ui.showInfo(t('Training {0} stopped. Resume it from the Runs view.', label));
  },
};
