/**
 * Every text the training dashboard shows that is not data, in English. Each is a message of the
 * l10n bundles (l10n/bundle.l10n.json and its translations, keyed by the English text as
 * `vscode.l10n.t` is); the host translates the table and sends it in the `init` message, so the
 * webview holds no UI text of its own. {0}-style placeholders are filled by the webview.
 * test/unit/package/localisation.test.ts checks each has a Chinese entry and is used.
 */
import type { Labels } from './common';

export const DASHBOARD_LABELS = {
  // Toolbar
  runs: 'Runs',
  /** A run in the picker: {0} its label, {1} its state. */
  runOption: '{0} ({1})',
  smoothing: 'Smoothing',
  timeAxis: 'Time axis',
  wallClock: 'Wall clock',
  sinceRunStart: 'Since run start',
  logScale: 'Log scale',
  otherMetric: 'Other metric',
  resetZoom: 'Reset zoom',
  exportPng: 'Export PNG',
  exportCsv: 'Export CSV',
  // Run states, as the Runs view says them
  stateStarting: 'starting',
  stateRunning: 'running',
  stateSucceeded: 'succeeded',
  stateFailed: 'failed',
  stateStopped: 'stopped',
  stateUnknown: 'not running',
  // Charts
  chartLoss: 'Loss',
  chartAccuracy: 'Accuracy',
  chartLearningRate: 'Learning rate',
  chartThroughput: 'Images / s',
  chartGpu: 'GPU utilisation and memory (%)',
  /** The chart of a metric the user picked: {0} its name. */
  otherMetricNamed: 'Other metric: {0}',
  noOtherMetrics: 'No other metrics logged',
  noDataYet: 'No data yet',
  noGpuSamples: 'No GPU samples',
  selectRun: 'Select a run',
  nonFiniteOne: '{0} non-finite value (NaN/Inf) shown as gaps',
  nonFiniteMany: '{0} non-finite values (NaN/Inf) shown as gaps',
  /** {0}: the GPU's index and model. */
  gpuUtilisation: 'GPU {0} utilisation',
  gpuMemory: 'GPU {0} memory',
  /** The faint unsmoothed line under a smoothed one: {0} the series. */
  rawSeries: '{0} (raw)',
  // Status line
  statusRuns: '{0} of {1} runs',
  statusLines: '{0} lines',
  statusRejected: '{0} rejected',
  statusOversized: '{0} over-long dropped',
  /** Values of metrics that found no place: the host keeps a bounded number of series per run and in all. */
  statusOverSeriesLimit: '{0} values of further metrics not kept (series limit)',
  /** What the last snapshot left out to fit one message. */
  statusSeriesNotShown: '{0} series not shown (too many)',
  statusPointsThinned: '{0} points thinned out to fit (peaks kept)',
  statusInvalid: '{0} invalid messages ignored',
  /** The heading of an exported PNG. */
  pngHeading: 'gpu-env training dashboard',
} as const;

export type DashboardLabels = Labels<typeof DASHBOARD_LABELS>;
