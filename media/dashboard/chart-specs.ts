/**
 * Which charts the dashboard has and which series each one draws, in what style. Every chart
 * shares the time axis; colours come from the theme palette by run (or GPU) index, splits differ
 * by dash so a colour always means one run.
 */
import { fillPlaceholders } from '../../src/shared/fill-placeholders';
import type { RunInfo, SeriesKey, Split } from '../../src/shared/protocol/dashboard';
import type { DashboardLabels } from '../../src/shared/protocol/dashboard-labels';
import type { SourceColumn } from './chart-table';
import type { SeriesEntry } from './series-model';
import type { XMode } from './ui-state';

export type ChartId = 'loss' | 'accuracy' | 'lr' | 'throughput' | 'gpu' | 'extra';

export interface ChartSpec {
  readonly id: ChartId;
  /** The label of its title (the extra chart's title names its metric once there is one). */
  readonly title: keyof DashboardLabels;
  /** The metric drawn, or null for the GPU chart; the extra chart's metric is chosen by the user. */
  readonly metric: string | null;
  readonly smooth: boolean;
  /** Follows the log/linear toggle. */
  readonly logAllowed: boolean;
}

export const STANDARD_METRICS: readonly string[] = ['loss', 'accuracy', 'lr', 'images_per_s'];

export const CHART_SPECS: readonly ChartSpec[] = [
  { id: 'loss', title: 'chartLoss', metric: 'loss', smooth: true, logAllowed: true },
  { id: 'accuracy', title: 'chartAccuracy', metric: 'accuracy', smooth: true, logAllowed: false },
  { id: 'lr', title: 'chartLearningRate', metric: 'lr', smooth: false, logAllowed: true },
  { id: 'throughput', title: 'chartThroughput', metric: 'images_per_s', smooth: true, logAllowed: false },
  { id: 'gpu', title: 'chartGpu', metric: null, smooth: false, logAllowed: false },
  { id: 'extra', title: 'otherMetric', metric: null, smooth: true, logAllowed: true },
];

const SPLIT_ORDER: readonly Split[] = ['train', 'val', 'test'];
const SPLIT_DASH: Readonly<Record<Split, number[] | undefined>> = { train: undefined, val: [6, 3], test: [2, 3] };

export interface SeriesStyle {
  readonly label: string;
  /** Index into the palette's series colours. */
  readonly colorIndex: number;
  readonly dash: number[] | undefined;
  /** The faint raw line under a smoothed one. */
  readonly raw: boolean;
}

export interface ChartColumns {
  readonly sources: SourceColumn[];
  /** One style per table column (raw, then smoothed when smoothing is on). */
  readonly styles: SeriesStyle[];
  /** Changes when the set of drawn series changes (the chart must then be recreated). */
  readonly signature: string;
}

export interface ColumnContext {
  readonly series: ReadonlyMap<string, SeriesEntry>;
  readonly runs: readonly RunInfo[];
  readonly selectedRuns: readonly string[];
  readonly smoothing: number;
  readonly xMode: XMode;
  readonly extraMetric: string | null;
  readonly labels: DashboardLabels;
}

export function metricOf(spec: ChartSpec, ctx: ColumnContext): string | null {
  return spec.id === 'extra' ? ctx.extraMetric : spec.metric;
}

export function columnsFor(spec: ChartSpec, ctx: ColumnContext): ChartColumns {
  const entries = [...ctx.series.values()];
  const picked = spec.id === 'gpu' ? gpuEntries(entries) : metricEntries(entries, metricOf(spec, ctx), ctx.selectedRuns);
  const smooth = spec.smooth && ctx.smoothing > 0;
  const sources: SourceColumn[] = [];
  const styles: SeriesStyle[] = [];
  for (const { entry, style } of picked.map((entry) => ({ entry, style: styleOf(entry.key, ctx) }))) {
    sources.push({ id: entry.id, xOffset: xOffsetOf(entry.key, ctx), smooth });
    if (smooth) {
      styles.push({ ...style, raw: true });
      styles.push({ ...style, raw: false });
    } else {
      styles.push(style);
    }
  }
  return { sources, styles, signature: JSON.stringify([sources, styles]) };
}

function metricEntries(entries: SeriesEntry[], metric: string | null, selectedRuns: readonly string[]): SeriesEntry[] {
  const order = (e: SeriesEntry): number => (e.key.kind === 'metric' ? selectedRuns.indexOf(e.key.run) * 3 + SPLIT_ORDER.indexOf(e.key.split) : 0);
  return entries.filter((e) => e.key.kind === 'metric' && e.key.metric === metric && selectedRuns.includes(e.key.run)).sort((a, b) => order(a) - order(b));
}

function gpuEntries(entries: SeriesEntry[]): SeriesEntry[] {
  const order = (e: SeriesEntry): number => (e.key.kind === 'gpu' ? e.key.gpu * 2 + (e.key.metric === 'util' ? 0 : 1) : 0);
  return entries.filter((e) => e.key.kind === 'gpu').sort((a, b) => order(a) - order(b));
}

function styleOf(key: SeriesKey, ctx: ColumnContext): SeriesStyle {
  if (key.kind === 'gpu') {
    const gpu = key.name ? `${key.gpu} ${key.name}` : String(key.gpu);
    return { label: fillPlaceholders(key.metric === 'util' ? ctx.labels.gpuUtilisation : ctx.labels.gpuMemory, gpu), colorIndex: key.gpu, dash: key.metric === 'mem' ? [6, 3] : undefined, raw: false };
  }
  const run = ctx.runs.find((r) => r.id === key.run);
  return { label: `${run?.label ?? key.run} · ${key.split}`, colorIndex: Math.max(0, ctx.selectedRuns.indexOf(key.run)), dash: SPLIT_DASH[key.split], raw: false };
}

/** In "elapsed" mode each run starts at 0; GPU series follow the first selected run. */
export function xOffsetOf(key: SeriesKey, ctx: ColumnContext): number {
  if (ctx.xMode === 'time') return 0;
  const run = key.kind === 'metric' ? key.run : ctx.selectedRuns[0];
  return run === undefined ? 0 : runStart(run, ctx);
}

export function runStart(runId: string, ctx: ColumnContext): number {
  const info = ctx.runs.find((r) => r.id === runId);
  if (info?.startTime !== null && info?.startTime !== undefined) return info.startTime;
  let first = Infinity;
  for (const e of ctx.series.values()) if (e.key.kind === 'metric' && e.key.run === runId && e.t.length > 0) first = Math.min(first, e.t[0]!);
  return Number.isFinite(first) ? first : 0;
}

/** Metric names that have no chart of their own, for the "other metric" picker. */
export function extraMetrics(series: ReadonlyMap<string, SeriesEntry>): string[] {
  const names = new Set<string>();
  for (const e of series.values()) if (e.key.kind === 'metric' && !STANDARD_METRICS.includes(e.key.metric)) names.add(e.key.metric);
  return [...names].sort();
}
