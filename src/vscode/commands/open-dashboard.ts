import { usageError } from '../../shared/errors';
import { isRunNode } from '../views/run-node';
import { OPEN_DASHBOARD_COMMAND } from '../contribution-ids';
import type { GpuCommand } from './command';

/** From a run row, a run id, or nothing (the dashboard then shows the newest running run). */
export const openDashboardCommand: GpuCommand = {
  id: OPEN_DASHBOARD_COMMAND,
  title: (t) => t('Open Training Dashboard'),
  async run(services, arg) {
    const { t, training } = services;
    if (isRunNode(arg)) return training.openDashboard([arg.listing.id]);
    if (typeof arg === 'string') {
      if (!(await services.core()).isRunId(arg)) throw usageError(t('"{0}" is not a run id (expected YYYYMMDD-HHMMSS-xxxx).', arg));
      return training.openDashboard([arg]);
    }
    training.openDashboard();
  },
};
