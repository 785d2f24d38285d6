import type { GpuCommand } from './command';

export const refreshCommand: GpuCommand = {
  id: 'gpuEnv.refreshEnvironments',
  title: (t) => t('Refresh Environments'),
  async run(services) {
    await services.store.refresh();
  },
};
