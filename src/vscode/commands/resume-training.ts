import type { ListedRun } from '../../core/runs/run-facts';
import { withRuns } from '../runs/runs-access';
import { requireTrustedWorkspace } from '../trust';
import type { GpuCommand } from './command';
import { chooseRun } from './run-argument';

/** Runs that ended without finishing, or whose process went away. */
export function isResumable(run: ListedRun): boolean {
  return ['stopped', 'failed', 'unknown'].includes(run.facts.state);
}

export const resumeTrainingCommand: GpuCommand = {
  id: 'gpuEnv.resumeTraining',
  title: (t) => t('Resume Training'),
  async run(services, arg) {
    const { ui, log, t } = services;
    if (!requireTrustedWorkspace(services, resumeTrainingCommand.title(t))) return;
    const ref = await chooseRun(services, arg, { filter: isResumable, placeHolder: t('Training run to resume'), none: t('No stopped or failed training run to resume.') });
    if (!ref) return;
    const { label } = ref.listing.facts;
    const result = await ui.withProgress(t('Resuming training {0}', label), (_report, signal) =>
      withRuns(services, ref.environment, (runs) => runs.resume(ref.listing.id, signal)),
    );
    log.info(`run ${ref.listing.id} in ${ref.environment}: ${result.action}`);
    services.training.runs.track(ref.environment, ref.listing.id);
    await services.training.runs.refresh();
    const open = t('Open Dashboard');
    const message = result.action === 'running' ? t('Training {0} is still running.', label) : t('Training {0} resumed from its last checkpoint.', label);
    if ((await ui.showInfo(message, open)) === open) services.training.openDashboard([ref.listing.id]);
  },
};
