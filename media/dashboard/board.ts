/**
 * All charts of the dashboard on one time axis: builds each chart's table from the SeriesModel,
 * applies appends incrementally, keeps zoom and the shared x range, and renders at most once per
 * animation frame however many messages arrived. It also keeps timing figures (update work per
 * frame, line-written → drawn latency) that the tests and bench/chart.mjs read.
 */
import { fillPlaceholders } from '../../src/shared/fill-placeholders';
import type { DashboardLabels } from '../../src/shared/protocol/dashboard-labels';
import { CHART_SPECS, columnsFor, extraMetrics, metricOf, runStart, type ChartId, type ColumnContext } from './chart-specs';
import { ChartTable, type Cell } from './chart-table';
import { ChartView, type ChartMarker } from './chart-view';
import type { XRange } from './decimate';
import { el } from './dom';
import { formatCount } from './format';
import type { ModelChange, SeriesModel } from './series-model';
import type { Palette } from './theme';
import type { UiState } from './ui-state';

export interface BoardSettings {
  readonly palette: Palette;
  readonly ui: UiState;
}

/** Incremental (tables appended in place, decimated views) or the naive baseline the bench compares with. */
export type RenderMode = 'incremental' | 'naive';

const PERF_SAMPLES = 20_000;

export class PerfLog {
  readonly frames: number[] = [];
  readonly latencies: number[] = [];
  readonly handling: number[] = [];

  add(list: number[], value: number): void {
    list.push(value);
    if (list.length > PERF_SAMPLES) list.splice(0, list.length - PERF_SAMPLES);
  }

  clear(): void {
    this.frames.length = 0;
    this.latencies.length = 0;
    this.handling.length = 0;
  }
}

export class ChartBoard {
  readonly root = el('div', { className: 'charts' });
  readonly perf = new PerfLog();
  renderMode: RenderMode = 'incremental';
  private readonly views = new Map<ChartId, ChartView>();
  private readonly tables = new Map<ChartId, ChartTable>();
  private zoom: XRange | null = null;
  private frameRequested = false;
  private pendingWrittenTimes: number[] = [];
  private markers: ChartMarker[] = [];
  private draws = 0;

  constructor(
    private readonly model: SeriesModel,
    private settings: BoardSettings,
    private readonly labels: DashboardLabels,
  ) {
    for (const spec of CHART_SPECS) {
      const view = new ChartView(spec, this.viewOptions(), labels);
      this.views.set(spec.id, view);
      this.root.append(view.root);
    }
    new ResizeObserver(() => {
      for (const v of this.views.values()) v.resize();
      this.requestFrame();
    }).observe(this.root);
  }

  /** Theme, smoothing, scale, x mode or chosen metric changed: rebuild everything. */
  setSettings(settings: BoardSettings): void {
    this.settings = settings;
    for (const v of this.views.values()) v.setOptions(this.viewOptions());
    this.rebuildAll();
  }

  apply(change: ModelChange): void {
    if (change.kind === 'reset') {
      this.zoomOnReset();
      this.rebuildAll();
    } else if (change.kind === 'append') {
      this.noteWrittenTimes(change.points);
      if (change.newSeries || this.renderMode === 'naive') this.rebuildAll();
      else this.appendAll(change.points);
    }
  }

  zoomTo(range: XRange): void {
    if (!(range.max > range.min)) return;
    this.zoom = range;
    this.requestFrame();
  }

  resetZoom(): void {
    this.zoom = null;
    this.requestFrame();
  }

  get zoomed(): XRange | null {
    return this.zoom;
  }

  get drawCount(): number {
    return this.draws;
  }

  view(id: ChartId): ChartView | undefined {
    return this.views.get(id);
  }

  get allViews(): readonly ChartView[] {
    return [...this.views.values()];
  }

  private context(): ColumnContext {
    const { ui } = this.settings;
    const extras = extraMetrics(this.model.series);
    const extraMetric = ui.extraMetric !== null && extras.includes(ui.extraMetric) ? ui.extraMetric : (extras[0] ?? null);
    return { series: this.model.series, runs: this.model.runs, selectedRuns: this.model.selectedRuns, smoothing: ui.smoothing, xMode: ui.xMode, extraMetric, labels: this.labels };
  }

  private rebuildAll(): void {
    const ctx = this.context();
    this.markers = this.model.events.map((e) => ({ x: e.time - (ctx.xMode === 'elapsed' ? runStart(e.run, ctx) : 0), event: e.event }));
    for (const spec of CHART_SPECS) {
      const view = this.views.get(spec.id)!;
      const columns = columnsFor(spec, ctx);
      const log = this.settings.ui.scale === 'log' && spec.logAllowed;
      const table = new ChartTable(columns.sources, ctx.smoothing, log ? positiveOnly : keep);
      table.rebuild((id) => this.model.series.get(id));
      this.tables.set(spec.id, table);
      view.setTable(table, columns.styles, columns.signature);
      this.describe(view, ctx, columns.sources.map((s) => s.id));
    }
    this.requestFrame();
  }

  private appendAll(points: Parameters<ChartTable['append']>[0]): void {
    for (const table of this.tables.values()) {
      if (!table.append(points)) table.rebuild((id) => this.model.series.get(id));
    }
    const ctx = this.context();
    for (const spec of CHART_SPECS) this.describe(this.views.get(spec.id)!, ctx, this.tables.get(spec.id)!.sources.map((s) => s.id));
    this.requestFrame();
  }

  /** Title of the "other metric" chart, placeholder texts and the non-finite note. */
  private describe(view: ChartView, ctx: ColumnContext, ids: readonly string[]): void {
    const { spec } = view;
    const { labels } = this;
    if (spec.id === 'extra') {
      const metric = metricOf(spec, ctx);
      view.setTitle(metric === null ? labels.otherMetric : fillPlaceholders(labels.otherMetricNamed, metric));
      view.setEmptyText(metric === null ? labels.noOtherMetrics : labels.noDataYet);
    } else if (spec.id === 'gpu') {
      view.setEmptyText(labels.noGpuSamples);
    } else {
      view.setEmptyText(ctx.selectedRuns.length === 0 ? labels.selectRun : labels.noDataYet);
    }
    let nonFinite = 0;
    // GPU gaps are sampler pauses, drawn as gaps and not worth a warning.
    if (spec.id !== 'gpu') for (const id of ids) nonFinite += this.model.series.get(id)?.nonFinite ?? 0;
    view.setNote(nonFinite > 0 ? fillPlaceholders(nonFinite === 1 ? labels.nonFiniteOne : labels.nonFiniteMany, formatCount(nonFinite)) : '');
  }

  /** A new snapshot keeps a zoom only if it still overlaps the data. */
  private zoomOnReset(): void {
    if (this.zoom === null) return;
    const { min, max } = this.followRange();
    if (this.zoom.max < min || this.zoom.min > max) this.zoom = null;
  }

  private requestFrame(): void {
    if (this.frameRequested) return;
    this.frameRequested = true;
    requestAnimationFrame(() => this.frame());
  }

  private frame(): void {
    this.frameRequested = false;
    const started = performance.now();
    const shared = this.zoom ?? this.followRange();
    for (const view of this.views.values()) view.render(this.zoom, shared, this.renderMode === 'naive');
    const written = this.pendingWrittenTimes;
    this.pendingWrittenTimes = [];
    // uPlot draws in a microtask queued by setData; this one runs after all of them.
    queueMicrotask(() => {
      this.perf.add(this.perf.frames, performance.now() - started);
      const now = Date.now();
      for (const t of written) this.perf.add(this.perf.latencies, now - t * 1000);
    });
  }

  /** The x range of the metric charts; GPU history extends it only while a selected run is live. */
  private followRange(): XRange {
    let min = Infinity;
    let max = -Infinity;
    const live = this.model.runs.some((r) => this.model.selectedRuns.includes(r.id) && (r.state === 'running' || r.state === 'starting'));
    for (const [id, table] of this.tables) {
      if (table.rows === 0) continue;
      const first = table.xs[0]!;
      const last = table.xs[table.rows - 1]!;
      if (id === 'gpu') continue;
      min = Math.min(min, first);
      max = Math.max(max, last);
    }
    const gpu = this.tables.get('gpu');
    if (gpu && gpu.rows > 0) {
      if (!Number.isFinite(min)) min = gpu.xs[0]!;
      if (live || !Number.isFinite(max)) max = Math.max(Number.isFinite(max) ? max : -Infinity, gpu.xs[gpu.rows - 1]!);
    }
    if (!Number.isFinite(min)) return this.settings.ui.xMode === 'time' ? { min: Date.now() / 1000 - 60, max: Date.now() / 1000 } : { min: 0, max: 60 };
    return max > min ? { min, max } : { min: min - 1, max: min + 1 };
  }

  /** The newest metric time of an append, for the written → drawn latency. */
  private noteWrittenTimes(points: ReadonlyMap<string, { readonly t: readonly number[] }>): void {
    let newest = -Infinity;
    for (const [id, p] of points) {
      if (this.model.series.get(id)?.key.kind === 'metric' && p.t.length > 0) newest = Math.max(newest, p.t[p.t.length - 1]!);
    }
    if (Number.isFinite(newest)) this.pendingWrittenTimes.push(newest);
  }

  private viewOptions(): ConstructorParameters<typeof ChartView>[1] {
    return {
      palette: this.settings.palette,
      xMode: this.settings.ui.xMode,
      log: this.settings.ui.scale === 'log',
      syncKey: 'gpu-env-dashboard',
      onZoom: (range) => this.zoomTo(range),
      onResetZoom: () => this.resetZoom(),
      markers: () => this.markers,
      onDraw: () => this.draws++,
    };
  }
}

const keep = (v: number | null): Cell => v;
/** A log axis cannot show zero or less: such points are not drawn (undefined), not gaps. */
const positiveOnly = (v: number | null): Cell => (v === null ? null : v > 0 ? v : undefined);
