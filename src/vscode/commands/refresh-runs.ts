import type { GpuCommand } from './command';

export const refreshRunsCommand: GpuCommand = {
  id: 'gpuEnv.refreshRuns',
  title: (t) => t('Refresh Runs'),
  async run(services) {
    await services.training.runs.refresh();
  },
};
