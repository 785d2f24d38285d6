/**
 * One chart card: a title, a note line, and a uPlot instance fed from a ChartTable through a
 * Decimator. The card owns nothing global: zoom, cursor sync and the shared x range come from the
 * board, which keeps all charts on one time axis.
 */
import uPlot from 'uplot';
import { fillPlaceholders } from '../../src/shared/fill-placeholders';
import type { RunEventName } from '../../src/shared/protocol/dashboard';
import type { DashboardLabels } from '../../src/shared/protocol/dashboard-labels';
import type { ChartSpec, SeriesStyle } from './chart-specs';
import type { ChartTable } from './chart-table';
import { Decimator, type XRange } from './decimate';
import { el, setText } from './dom';
import { formatClockTicks, formatElapsed, formatTicks, formatValue } from './format';
import type { Palette } from './theme';
import type { XMode } from './ui-state';

export interface ChartMarker {
  readonly x: number;
  readonly event: RunEventName;
}

export interface ChartViewOptions {
  readonly palette: Palette;
  readonly xMode: XMode;
  readonly log: boolean;
  readonly syncKey: string;
  readonly onZoom: (range: XRange) => void;
  readonly onResetZoom: () => void;
  readonly markers: () => readonly ChartMarker[];
  /** After every draw of this chart (the board times frames with it). */
  readonly onDraw: () => void;
}

const CHART_HEIGHT = 200;
// Resume and end are what a reader of a loss curve needs to see; checkpoints would be noise.
const MARKED_EVENTS: readonly RunEventName[] = ['resume', 'end'];

export class ChartView {
  readonly root: HTMLElement;
  private readonly titleNode: HTMLElement;
  private readonly noteNode: HTMLElement;
  private readonly body: HTMLElement;
  private readonly placeholder: HTMLElement;
  private plot: uPlot | undefined;
  private table: ChartTable | undefined;
  private decimator = new Decimator();
  private signature = '';
  private styles: readonly SeriesStyle[] = [];

  constructor(
    readonly spec: ChartSpec,
    private options: ChartViewOptions,
    private readonly labels: DashboardLabels,
  ) {
    this.titleNode = el('h3', { className: 'chart-title', text: labels[spec.title] });
    this.noteNode = el('span', { className: 'chart-note' });
    this.placeholder = el('div', { className: 'chart-empty', text: labels.noDataYet });
    this.body = el('div', { className: 'chart-body' }, this.placeholder);
    this.root = el('section', { className: 'chart-card', attrs: { 'data-chart': spec.id } }, el('header', { className: 'chart-header' }, this.titleNode, this.noteNode), this.body);
  }

  setTitle(text: string): void {
    setText(this.titleNode, text);
  }

  setNote(text: string): void {
    setText(this.noteNode, text);
  }

  setEmptyText(text: string): void {
    setText(this.placeholder, text);
  }

  /** New options (theme, scale, x mode): the plot is recreated on the next `setTable`. */
  setOptions(options: ChartViewOptions): void {
    this.options = options;
    this.signature = '';
  }

  /** Points the chart at a table; recreates the plot when the drawn series changed. */
  setTable(table: ChartTable, styles: readonly SeriesStyle[], signature: string): void {
    this.table = table;
    if (signature === this.signature && this.plot) return;
    this.signature = signature;
    this.styles = styles;
    this.destroyPlot();
    this.decimator = new Decimator();
    if (styles.length === 0) {
      this.placeholder.hidden = false;
      return;
    }
    this.placeholder.hidden = true;
    this.plot = new uPlot(this.plotOptions(styles), [[], ...styles.map(() => [])], this.body);
    this.markRawLegendRows(styles);
  }

  /**
   * Draws the table for the zoom (or, following, the shared range of all charts). `naive` hands
   * uPlot every point, as the bench's baseline.
   */
  render(zoom: XRange | null, shared: XRange, naive = false): void {
    const { plot, table } = this;
    if (!plot || !table) return;
    const xs = table.xs;
    const within = table.rows > 0 && xs[0]! >= shared.min && xs[table.rows - 1]! <= shared.max;
    const pixels = plot.bbox.width / (window.devicePixelRatio || 1);
    const view = naive ? table : this.decimator.view(table, zoom === null && within ? null : (zoom ?? shared), pixels);
    plot.batch(() => {
      plot.setData([view.xs, ...view.cols], false);
      plot.setScale('x', zoom ?? shared);
    });
  }

  resize(): void {
    if (!this.plot) return;
    const width = Math.max(200, this.body.clientWidth);
    if (width !== this.plot.width) this.plot.setSize({ width, height: CHART_HEIGHT });
  }

  get uplot(): uPlot | undefined {
    return this.plot;
  }

  /** Whether uPlot series `index` (1 = the first after x) is a faint raw line under a smoothed one. */
  isRawSeries(index: number): boolean {
    return this.styles[index - 1]?.raw ?? false;
  }

  destroy(): void {
    this.destroyPlot();
    this.root.remove();
  }

  private destroyPlot(): void {
    this.plot?.destroy();
    this.plot = undefined;
  }

  private plotOptions(styles: readonly SeriesStyle[]): uPlot.Options {
    const { palette, xMode, log } = this.options;
    const font = `${Math.round(palette.fontSize * 0.85)}px ${palette.font}`;
    const axis: uPlot.Axis = { stroke: palette.muted, font, grid: { stroke: palette.grid, width: 1 }, ticks: { stroke: palette.grid, width: 1 } };
    const isGpu = this.spec.id === 'gpu';
    return {
      width: Math.max(200, this.body.clientWidth),
      height: CHART_HEIGHT,
      series: [
        {
          label: xMode === 'time' ? this.labels.wallClock : this.labels.sinceRunStart,
          value: xMode === 'time' ? (_u, v) => (v === null ? '–' : new Date(v * 1000).toLocaleTimeString()) : (_u, v) => (v === null ? '–' : formatElapsed(v)),
        },
        ...styles.map((s) => this.seriesOptions(s, palette)),
      ],
      scales: {
        x: { time: xMode === 'time', auto: false },
        y: log && this.spec.logAllowed ? { distr: 3, log: 10 } : isGpu ? { auto: false, range: [0, 100] } : {},
      },
      axes: [
        xMode === 'time'
          ? { ...axis, space: 72, values: (_u, splits, _axis, _space, increment) => formatClockTicks(splits, increment) }
          : { ...axis, values: (_u, splits) => splits.map(formatElapsed) },
        { ...axis, size: 56, values: (_u, splits) => formatTicks(splits) },
      ],
      cursor: {
        sync: { key: this.options.syncKey, setSeries: false },
        drag: { x: true, y: false, setScale: false },
        bind: { dblclick: () => () => (this.options.onResetZoom(), null) },
        points: { show: false },
      },
      legend: { live: true },
      hooks: {
        setSelect: [(u) => this.onSelect(u)],
        draw: [(u) => this.drawMarkers(u), () => this.options.onDraw()],
      },
    };
  }

  private seriesOptions(style: SeriesStyle, palette: Palette): uPlot.Series {
    const color = palette.series[style.colorIndex % palette.series.length]!;
    return {
      label: style.raw ? fillPlaceholders(this.labels.rawSeries, style.label) : style.label,
      stroke: color,
      width: style.raw ? 1 : 1.5,
      alpha: style.raw ? 0.3 : 1,
      ...(style.dash ? { dash: style.dash } : {}),
      spanGaps: false,
      points: { show: false },
      value: (_u, v) => formatValue(v),
    };
  }

  /** Raw lines under smoothed ones stay out of the legend (CSS hides these rows). */
  private markRawLegendRows(styles: readonly SeriesStyle[]): void {
    const rows = this.plot?.root.querySelectorAll('.u-legend .u-series');
    styles.forEach((s, i) => rows?.[i + 1]?.classList.toggle('raw-series', s.raw));
  }

  private onSelect(u: uPlot): void {
    const { left, width } = u.select;
    if (width < 3) return;
    const range = { min: u.posToVal(left, 'x'), max: u.posToVal(left + width, 'x') };
    u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
    this.options.onZoom(range);
  }

  private drawMarkers(u: uPlot): void {
    const markers = this.options.markers().filter((m) => MARKED_EVENTS.includes(m.event));
    if (markers.length === 0) return;
    const { ctx } = u;
    const { left, top, width, height } = u.bbox;
    const ratio = window.devicePixelRatio || 1;
    ctx.save();
    ctx.strokeStyle = this.options.palette.marker;
    ctx.lineWidth = ratio;
    ctx.setLineDash([4 * ratio, 4 * ratio]);
    ctx.beginPath();
    for (const m of markers) {
      const x = Math.round(u.valToPos(m.x, 'x', true));
      if (x < left || x > left + width) continue;
      ctx.moveTo(x, top);
      ctx.lineTo(x, top + height);
    }
    ctx.stroke();
    ctx.restore();
  }
}
