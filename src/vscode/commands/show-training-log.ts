import type { GpuCommand } from './command';
import { chooseRun } from './run-argument';

export const showTrainingLogCommand: GpuCommand = {
  id: 'gpuEnv.showTrainingLog',
  title: (t) => t('Show Training Log'),
  async run(services, arg) {
    const { t } = services;
    const ref = await chooseRun(services, arg, { filter: () => true, placeHolder: t('Training run whose log to show'), none: t('There are no training runs in the running GPU environments.') });
    if (!ref) return;
    await services.training.logView.show(services, ref.environment, ref.listing.id, ref.listing.facts.label);
  },
};
