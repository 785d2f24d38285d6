/**
 * Everything the training dashboard shows, in bounded memory, as protocol-ready data: the metric
 * series of every run (fed by MetricsTail lines), GPU utilisation/memory series (fed by GPU
 * readings), run events, ingest counters and the run list. A dashboard panel reads it through the
 * `DashboardDataSource` interface: a full snapshot for a selection of runs, or the changes since a
 * cursor it got from the previous read.
 */
import { LIMITS } from '../../shared/protocol/common';
import { DASHBOARD_LIMITS, seriesId, type GpuSeriesKey, type IngestStats, type MetricSeriesKey, type RunEvent, type RunInfo, type SeriesData, type SeriesKey, type SnapshotThinning } from '../../shared/protocol/dashboard';
import { metricsToCsv } from './csv-export';
import { memPercent, sanitizeGpuReading, type GpuReading } from '../../shared/gpu-reading';
import type { MetricsLine, Split } from '../../core/metrics/parse-metrics-line';
import { clipNonEmpty, clipText } from '../webview/protocol-text';
import { DEFAULT_SERIES_LIMITS, thinPoints, type SeriesBuffer, type SeriesLimits, type SeriesPoints } from './series-buffer';
import { SeriesStore, type StoreCursor, type StoredSeries } from './series-store';

export interface FeedCursor {
  readonly epoch: number;
  readonly selection: string;
  readonly metrics: StoreCursor;
  readonly gpu: StoreCursor;
  readonly eventSeq: number;
}

export interface DashboardRead {
  readonly series: SeriesData[];
  readonly events: RunEvent[];
  readonly stats: IngestStats;
  readonly cursor: FeedCursor;
}

/** A snapshot: also says what it left out to stay within its budget. */
export interface DashboardSnapshot extends DashboardRead {
  readonly thinned: SnapshotThinning;
}

export type FeedChange = 'data' | 'runs';

export interface Disposable {
  dispose(): void;
}

/** What a dashboard panel needs; DashboardFeed implements it, tests may fake it. */
export interface DashboardDataSource {
  runs(): readonly RunInfo[];
  snapshot(selectedRuns: readonly string[]): DashboardSnapshot;
  /** Undefined when the cursor cannot be served (compaction, reset, other selection): send a snapshot. */
  changesSince(cursor: FeedCursor, selectedRuns: readonly string[]): DashboardRead | undefined;
  csv(selectedRuns: readonly string[]): string;
  onDidChange(listener: (change: FeedChange) => void): Disposable;
}

export interface FeedOptions {
  readonly seriesLimits: SeriesLimits;
  /** A pause between GPU samples longer than this is drawn as a gap. */
  readonly gpuGapSeconds: number;
  readonly maxEvents: number;
  /**
   * Metric series held, in all and per run: each holds up to `recent + old` points (about 1 MB
   * when full), and a run that logs a new name every step would otherwise grow without bound.
   */
  readonly maxMetricSeries: number;
  readonly maxMetricSeriesPerRun: number;
  /**
   * Points in one snapshot message; more are thinned (min/max kept). Well below the protocol's
   * pointsPerMessage and the webview's own ceiling, so that appends have room before it asks again.
   */
  readonly snapshotPoints: number;
}

export const DEFAULT_FEED_OPTIONS: FeedOptions = {
  seriesLimits: DEFAULT_SERIES_LIMITS, gpuGapSeconds: 5, maxEvents: 5000, maxMetricSeries: 1024, maxMetricSeriesPerRun: 256, snapshotPoints: 1_000_000,
};

/**
 * Lines of one run that are older than everything ingested for it so far (a re-attach reads the
 * newest part of the file first, then the history before it). They are kept apart while they
 * arrive and merged in one change on `complete`, so the dashboard never shows a half-read past.
 */
export interface HistoryFill {
  ingest(lines: readonly MetricsLine[]): void;
  complete(): void;
  /** Drops what was read (the read failed; it starts again with a new fill). */
  abandon(): void;
}

/** A run's metric series by split and by the metric's name as the file spells it. */
type RunSeries = Map<Split, Map<string, SeriesBuffer>>;

interface RunCounters {
  lines: number;
  rejected: number;
  oversized: number;
  overSeriesLimit: number;
}

export class DashboardFeed implements DashboardDataSource {
  private readonly metrics: SeriesStore<MetricSeriesKey>;
  private readonly gpu: SeriesStore<GpuSeriesKey>;
  private events: { seq: number; event: RunEvent }[] = [];
  private eventSeq = 0;
  private epoch = 0;
  private runList: RunInfo[] = [];
  private readonly counters = new Map<string, RunCounters>();
  /** Lookup cache for ingestion; dropped for a run whenever its series are removed or replaced. */
  private readonly runSeries = new Map<string, RunSeries>();
  private readonly fills = new Map<string, object>();
  private readonly listeners = new Set<(change: FeedChange) => void>();
  private readonly appender: MetricAppender;

  constructor(private readonly options: FeedOptions = DEFAULT_FEED_OPTIONS) {
    this.metrics = new SeriesStore<MetricSeriesKey>(seriesId, options.seriesLimits, {
      maxSeries: options.maxMetricSeries, maxPerGroup: options.maxMetricSeriesPerRun, groupOf: (key) => key.run,
    });
    // Two per GPU, and GPUs are capped by the protocol already.
    this.gpu = new SeriesStore<GpuSeriesKey>(seriesId, options.seriesLimits, { maxSeries: 2 * LIMITS.gpus });
    this.appender = new MetricAppender(this.metrics);
  }

  /** One parsed line of a run's metrics.jsonl. */
  ingest(runId: string, line: MetricsLine): void {
    this.ingestLines(runId, [line]);
  }

  /** Parsed lines of a run's metrics.jsonl, in file order (wire MetricsTail's onLines here); one change. */
  ingestLines(runId: string, lines: readonly MetricsLine[]): void {
    const run = clipNonEmpty(runId, LIMITS.idChars);
    if (run === null || lines.length === 0) return;
    const counters = this.countersOf(run);
    const series = this.seriesOf(run);
    for (const line of lines) {
      counters.lines++;
      if (line.kind === 'rejected') {
        if (line.reason === 'too-long') counters.oversized++;
        else if (line.reason !== 'empty') counters.rejected++;
      } else if (line.kind === 'event') {
        this.addEvent({ run, time: line.time, event: line.event });
      } else {
        let bySplit = series.get(line.split);
        if (!bySplit) series.set(line.split, (bySplit = new Map()));
        const appender = this.appender;
        appender.run = run;
        appender.split = line.split;
        appender.time = line.time;
        appender.step = line.step;
        appender.buffers = bySplit;
        appender.counters = counters;
        // forEach with a method and thisArg: neither a [name, value] pair per metric nor a closure
        // per line is allocated, which a long replay feels.
        line.values.forEach(appender.add, appender);
      }
    }
    this.emit('data');
  }

  /** Starts taking a run's older lines apart (see HistoryFill); a newer fill of the run replaces it. */
  beginHistory(runId: string): HistoryFill {
    const run = clipNonEmpty(runId, LIMITS.idChars);
    const staging = new DashboardFeed(this.options);
    const token = {};
    if (run !== null) this.fills.set(run, token);
    const current = (): boolean => run !== null && this.fills.get(run) === token;
    return {
      ingest: (lines) => {
        if (current()) staging.ingestLines(run!, lines);
      },
      complete: () => {
        if (!current()) return;
        this.fills.delete(run!);
        this.mergeHistory(run!, staging);
      },
      abandon: () => {
        if (current()) this.fills.delete(run!);
      },
    };
  }

  /** One GPU sampling round (wire the GPU sampler here, through a GpuSample → GpuReading mapping). */
  ingestGpu(raw: GpuReading): void {
    const reading = sanitizeGpuReading(raw);
    for (const d of reading.devices.slice(0, LIMITS.gpus)) {
      const name = clipText(d.name, LIMITS.labelChars);
      this.appendGpu({ kind: 'gpu', gpu: d.index, name, metric: 'util' }, reading.time, d.utilPct);
      this.appendGpu({ kind: 'gpu', gpu: d.index, name, metric: 'mem' }, reading.time, memPercent(d.memUsedMiB, d.memTotalMiB));
    }
    this.emit('data');
  }

  /** The file of a run was truncated or replaced (MetricsTail onReset): forget what it said. */
  resetRun(runId: string): void {
    this.metrics.remove((key) => key.run === runId);
    this.runSeries.delete(runId);
    this.fills.delete(runId);
    this.events = this.events.filter((e) => e.event.run !== runId);
    this.counters.delete(runId);
    this.epoch++;
    this.emit('data');
  }

  setRuns(runs: readonly RunInfo[]): void {
    this.runList = runs.slice(0, DASHBOARD_LIMITS.runs).map((r) => ({
      ...r,
      id: clipText(r.id, LIMITS.idChars),
      label: clipNonEmpty(r.label, LIMITS.labelChars) ?? clipText(r.id, LIMITS.labelChars),
      env: clipNonEmpty(r.env, LIMITS.idChars),
    }));
    this.emit('runs');
  }

  runs(): readonly RunInfo[] {
    return this.runList;
  }

  /** Bounded in series and in points (see `snapshotPoints`); `thinned` says what was left out. */
  snapshot(selectedRuns: readonly string[]): DashboardSnapshot {
    const selected = new Set(selectedRuns);
    const metrics = this.metrics.snapshot((key) => selected.has(key.run));
    const gpu = this.gpu.snapshot(() => true);
    const all = [...metrics.series, ...gpu.series];
    const shown = all.slice(0, DASHBOARD_LIMITS.seriesPerMessage);
    const fitted = fitToBudget(shown.map((s) => s.points), this.options.snapshotPoints);
    return {
      series: shown.map((s, i) => toSeriesData({ ...s, points: fitted.points[i]! })),
      events: this.events.filter((e) => selected.has(e.event.run)).map((e) => e.event).slice(-DASHBOARD_LIMITS.eventsPerMessage),
      stats: this.statsOf(selected),
      cursor: { epoch: this.epoch, selection: selectionKey(selectedRuns), metrics: metrics.cursor, gpu: gpu.cursor, eventSeq: this.eventSeq },
      thinned: { series: all.length - shown.length, points: fitted.thinned },
    };
  }

  changesSince(cursor: FeedCursor, selectedRuns: readonly string[]): DashboardRead | undefined {
    if (cursor.epoch !== this.epoch || cursor.selection !== selectionKey(selectedRuns)) return undefined;
    const selected = new Set(selectedRuns);
    const metrics = this.metrics.changesSince(cursor.metrics, (key) => selected.has(key.run));
    const gpu = this.gpu.changesSince(cursor.gpu, () => true);
    if (!metrics || !gpu) return undefined;
    // Events are dropped oldest first; the ones after the cursor are still here unless
    // more than maxEvents arrived in between, and then a snapshot is needed anyway.
    if (this.eventSeq - cursor.eventSeq > this.events.length) return undefined;
    const series = [...metrics.series, ...gpu.series];
    const events = this.events.filter((e) => e.seq > cursor.eventSeq && selected.has(e.event.run)).map((e) => e.event);
    // More than one message may carry: a (bounded) snapshot serves the viewer instead.
    if (series.length > DASHBOARD_LIMITS.seriesPerMessage || events.length > DASHBOARD_LIMITS.eventsPerMessage) return undefined;
    if (series.reduce((sum, s) => sum + s.points.t.length, 0) > this.options.snapshotPoints) return undefined;
    return {
      series: series.map((s) => toSeriesData(s)),
      events,
      stats: this.statsOf(selected),
      cursor: { ...cursor, metrics: metrics.cursor, gpu: gpu.cursor, eventSeq: this.eventSeq },
    };
  }

  csv(selectedRuns: readonly string[]): string {
    const selected = new Set(selectedRuns);
    const labels = new Map(this.runList.map((r) => [r.id, r.label]));
    return metricsToCsv(this.metrics.snapshot((key) => selected.has(key.run)).series, (id) => labels.get(id) ?? id);
  }

  onDidChange(listener: (change: FeedChange) => void): Disposable {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  /** History first, then what was ingested while it was read; every viewer gets a snapshot. */
  private mergeHistory(run: string, staging: DashboardFeed): void {
    let refused = 0;
    for (const { key, buffer } of staging.metrics.all()) {
      const live = this.metrics.find(key);
      if (live) buffer.absorb(live);
      if (!this.metrics.replace(key, buffer)) refused += buffer.appended;
    }
    this.runSeries.delete(run);
    const events = [...staging.events.map((e) => e.event), ...this.events.map((e) => e.event)].slice(-this.options.maxEvents);
    this.events = events.map((event, i) => ({ seq: i + 1, event }));
    this.eventSeq = events.length;
    const older = staging.counters.get(run);
    const counters = this.countersOf(run);
    counters.overSeriesLimit += refused;
    if (older) {
      counters.lines += older.lines;
      counters.rejected += older.rejected;
      counters.oversized += older.oversized;
      counters.overSeriesLimit += older.overSeriesLimit;
    }
    this.epoch++;
    this.emit('data');
  }

  private seriesOf(run: string): RunSeries {
    let series = this.runSeries.get(run);
    if (!series) this.runSeries.set(run, (series = new Map()));
    return series;
  }

  private appendGpu(key: GpuSeriesKey, t: number, value: number | null): void {
    const last = this.gpu.lastTime(key);
    // A sampler pause (reconnect, container restart) must read as a gap, not a straight line.
    if (last !== undefined && t - last > this.options.gpuGapSeconds) this.gpu.append(key, (last + t) / 2, NaN);
    const buffer = this.gpu.buffer(key);
    if (buffer) appendMonotonic(buffer, t, value ?? NaN, 0);
  }

  private addEvent(event: RunEvent): void {
    this.events.push({ seq: ++this.eventSeq, event });
    if (this.events.length > this.options.maxEvents) this.events.splice(0, this.events.length - this.options.maxEvents);
  }

  private countersOf(run: string): RunCounters {
    let c = this.counters.get(run);
    if (!c) this.counters.set(run, (c = { lines: 0, rejected: 0, oversized: 0, overSeriesLimit: 0 }));
    return c;
  }

  private statsOf(selected: ReadonlySet<string>): IngestStats {
    const total = { lines: 0, rejected: 0, oversized: 0, overSeriesLimit: 0 };
    for (const [run, c] of this.counters) {
      if (!selected.has(run)) continue;
      total.lines += c.lines;
      total.rejected += c.rejected;
      total.oversized += c.oversized;
      total.overSeriesLimit += c.overSeriesLimit;
    }
    return total;
  }

  private emit(change: FeedChange): void {
    for (const listener of [...this.listeners]) listener(change);
  }
}

/** Appends one line's metric values to their series; ingestLines sets its fields for each line. */
class MetricAppender {
  run = '';
  split: Split = 'train';
  time = 0;
  step = 0;
  buffers = new Map<string, SeriesBuffer>();
  counters: RunCounters | undefined;

  constructor(private readonly store: SeriesStore<MetricSeriesKey>) {}

  add(this: MetricAppender, value: number, metric: string): void {
    let buffer = this.buffers.get(metric);
    if (!buffer) {
      buffer = this.store.buffer({ kind: 'metric', run: this.run, split: this.split, metric: clipText(metric, DASHBOARD_LIMITS.metricNameChars) });
      // Over the series cap: counted, and looked up again next time (a place may free up).
      if (!buffer) {
        if (this.counters) this.counters.overSeriesLimit++;
        return;
      }
      this.buffers.set(metric, buffer);
    }
    appendMonotonic(buffer, this.time, value, this.step);
  }
}

/** Times go backwards only when a clock is stepped; keep file order rather than reorder. */
function appendMonotonic(buffer: SeriesBuffer, t: number, v: number, step: number): void {
  const last = buffer.lastTime;
  buffer.append(last !== undefined && t < last ? last : t, v, step);
}

/**
 * Series within `budget` points in all: series smaller than an even share keep every point, the
 * others share what is left equally (each thinned with thinPoints). `thinned`: points left out.
 */
export function fitToBudget(series: readonly SeriesPoints[], budget: number): { points: SeriesPoints[]; thinned: number } {
  const total = series.reduce((sum, s) => sum + s.t.length, 0);
  if (total <= budget) return { points: [...series], thinned: 0 };
  const bySize = series.map((s, i) => ({ i, n: s.t.length })).sort((a, b) => a.n - b.n);
  let left = budget;
  let share = 0;
  for (let k = 0; k < bySize.length; k++) {
    share = Math.max(3, Math.floor(left / (bySize.length - k)));
    if (bySize[k]!.n > share) break;
    left -= bySize[k]!.n;
  }
  const points = series.map((s) => thinPoints(s, share));
  return { points, thinned: total - points.reduce((sum, s) => sum + s.t.length, 0) };
}

function selectionKey(runs: readonly string[]): string {
  return [...runs].sort().join('\u0000');
}

/** Store points → protocol: non-finite values travel as null (JSON cannot carry them). */
export function toSeriesData(stored: StoredSeries<SeriesKey>): SeriesData {
  const { t, v } = stored.points;
  const values: (number | null)[] = new Array<number | null>(v.length);
  for (let i = 0; i < v.length; i++) values[i] = Number.isFinite(v[i]) ? v[i]! : null;
  return { key: stored.key, t, v: values, nonFinite: stored.nonFinite };
}
