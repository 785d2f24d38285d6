/**
 * Every text the GPU monitor shows that is not data, in English: messages of the l10n bundles that
 * the host translates and sends in the `init` message (see dashboard-labels.ts). Units (%, °C, W,
 * GiB) are written by the webview with the numbers.
 */
import type { Labels } from './common';

export const MONITOR_LABELS = {
  /** {0}: the GPU's index. */
  gpuIndex: 'GPU {0}',
  unknownModel: 'unknown model',
  utilisation: 'Utilisation',
  memory: 'Memory',
  temperature: 'Temp',
  power: 'Power',
  run: 'Run',
  /** Before the environments holding a GPU on a shared machine. */
  heldBy: 'Held by',
  /** {0}: the environment this monitor shows, among those holding a GPU. */
  thisEnvironment: '{0} (this one)',
  /** {0}: a container gpu-env did not create, holding a GPU. */
  container: 'container {0}',
  /** A figure the GPU does not report. */
  notAvailable: 'n/a',
  /** The sparkline, for screen readers: {0} minutes. */
  sparkline: 'Utilisation and memory, last {0} minutes',
  sparkUtil: 'util',
  sparkMem: 'mem',
  /** The sparkline's time span: {0} minutes. */
  sparkSpan: '{0} min',
  cpu: 'CPU',
  ram: 'RAM',
  waiting: 'Waiting for the first GPU sample…',
  /** {0}: the time of the last sample. */
  stale: 'No new sample since {0}; figures are stale.',
  openDashboard: 'Open training dashboard',
} as const;

export type MonitorLabels = Labels<typeof MONITOR_LABELS>;
