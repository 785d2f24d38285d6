/**
 * The dashboard page once the host has sent its labels: the data model, the charts, the toolbar and
 * the status line. A lost append leads to a snapshot request, never to a chart that silently
 * misses points; UI state is kept with setState so a restored panel comes back as it was.
 */
import type { DashboardConfig, DashboardHostMessage, DashboardWebviewMessage } from '../../src/shared/protocol/dashboard';
import type { DashboardLabels } from '../../src/shared/protocol/dashboard-labels';
import { ChartBoard } from './board';
import { extraMetrics } from './chart-specs';
import { el, setText } from './dom';
import { chartsToPng } from './export-png';
import { fileStamp } from './format';
import { SeriesModel } from './series-model';
import { statusLine } from './status-line';
import { readPalette, watchTheme } from './theme';
import { Toolbar } from './toolbar';
import type { UiState } from './ui-state';
import type { HostLink } from './vscode-api';

/** What the host sends after `init`. */
export type DashboardDataMessage = Exclude<DashboardHostMessage, { type: 'init' }>;

export class DashboardPage {
  readonly model = new SeriesModel();
  readonly board: ChartBoard;
  private readonly toolbar: Toolbar;
  private readonly status = el('div', { className: 'status', attrs: { role: 'status' } });
  private palette = readPalette();

  constructor(
    private readonly host: HostLink<DashboardHostMessage, DashboardWebviewMessage>,
    private readonly labels: DashboardLabels,
    private ui: UiState,
  ) {
    this.board = new ChartBoard(this.model, { palette: this.palette, ui }, labels);
    this.toolbar = new Toolbar(
      {
        selectRuns: (runs) => {
          this.updateUi({ selectedRuns: runs });
          host.post({ type: 'selectRuns', runs });
        },
        setSmoothing: (value) => {
          this.updateUi({ smoothing: value }, true);
          host.post({ type: 'setSmoothing', value });
        },
        setLogScale: (log) => {
          const scale = log ? 'log' : 'linear';
          this.updateUi({ scale }, true);
          host.post({ type: 'setScale', scale });
        },
        setXMode: (xMode) => {
          this.board.resetZoom();
          this.updateUi({ xMode }, true);
        },
        setExtraMetric: (extraMetric) => this.updateUi({ extraMetric }, true),
        resetZoom: () => this.board.resetZoom(),
        exportPng: () => {
          const dataUrl = chartsToPng(this.board.allViews, this.palette, labels.pngHeading);
          if (dataUrl) host.post({ type: 'exportPng', dataUrl, suggestedName: `gpu-env-dashboard-${fileStamp(new Date())}.png` });
        },
        exportCsv: () => host.post({ type: 'exportCsv' }),
      },
      labels,
    );
    document.body.append(this.toolbar.root, this.status, this.board.root);
    this.toolbar.setValues(ui);
    this.refreshChrome();
    watchTheme(() => {
      this.palette = readPalette();
      this.board.setSettings({ palette: this.palette, ui: this.ui });
    });
  }

  /** The remembered smoothing and scale, from the host. */
  configure(config: DashboardConfig): void {
    this.updateUi({ smoothing: config.smoothing, scale: config.scale }, true);
    this.toolbar.setValues(this.ui);
  }

  handle(message: DashboardDataMessage): void {
    const started = performance.now();
    switch (message.type) {
      case 'snapshot':
        this.board.apply(this.model.applySnapshot(message));
        if (JSON.stringify(message.selectedRuns) !== JSON.stringify(this.ui.selectedRuns)) this.updateUi({ selectedRuns: [...message.selectedRuns] });
        break;
      case 'append': {
        const change = this.model.applyAppend(message);
        if (change.kind === 'gap') this.host.post({ type: 'requestSnapshot', reason: 'seq-gap' });
        else if (change.kind === 'overflow') this.host.post({ type: 'requestSnapshot', reason: 'overflow' });
        else this.board.apply(change);
        break;
      }
      case 'runs':
        this.model.setRuns(message.runs, message.selectedRuns);
        break;
    }
    this.refreshChrome();
    this.board.perf.add(this.board.perf.handling, performance.now() - started);
  }

  /** Run picker, "other metric" choices and the status line, after any change. */
  refreshChrome(): void {
    const { model, labels } = this;
    this.toolbar.setRuns(model.runs, model.selectedRuns);
    this.toolbar.setExtraMetrics(extraMetrics(model.series), this.ui.extraMetric);
    const line = statusLine({ selectedRuns: model.selectedRuns.length, runs: model.runs.length, stats: model.stats, thinned: model.thinned, invalidMessages: this.host.rejected }, labels);
    setText(this.status, line.text);
    this.status.classList.toggle('warn', line.warn);
  }

  private updateUi(change: Partial<UiState>, redraw = false): void {
    this.ui = { ...this.ui, ...change };
    this.host.setState(this.ui);
    if (redraw) this.board.setSettings({ palette: this.palette, ui: this.ui });
  }
}
