/**
 * The training dashboard webview: wires the host link, the data model, the charts and the
 * toolbar. Every host message is validated (vscode-api.ts); UI state is kept with setState so a
 * restored panel comes back as it was; a lost append leads to a snapshot request, never to a
 * chart that silently misses points.
 */
import { PROTOCOL_VERSION } from '../../src/shared/protocol/common';
import { parseDashboardHostMessage, type DashboardHostMessage, type DashboardWebviewMessage } from '../../src/shared/protocol/dashboard';
import { ChartBoard, type RenderMode } from './board';
import { extraMetrics } from './chart-specs';
import { el, setText } from './dom';
import { chartsToPng } from './export-png';
import { fileStamp, formatCount } from './format';
import { SeriesModel } from './series-model';
import { readPalette, watchTheme } from './theme';
import { Toolbar } from './toolbar';
import { restoreUiState, type UiState } from './ui-state';
import { connectToHost } from './vscode-api';

const host = connectToHost<DashboardHostMessage, DashboardWebviewMessage>(parseDashboardHostMessage);
const restored = restoreUiState(host.getState());
let ui: UiState = restored.state;
let palette = readPalette();
const model = new SeriesModel();
const board = new ChartBoard(model, { palette, ui });
const status = el('div', { className: 'status', attrs: { role: 'status' } });

const toolbar = new Toolbar({
  selectRuns: (runs) => {
    updateUi({ selectedRuns: runs });
    host.post({ type: 'selectRuns', runs });
  },
  setSmoothing: (value) => {
    updateUi({ smoothing: value }, true);
    host.post({ type: 'setSmoothing', value });
  },
  setLogScale: (log) => {
    const scale = log ? 'log' : 'linear';
    updateUi({ scale }, true);
    host.post({ type: 'setScale', scale });
  },
  setXMode: (xMode) => {
    board.resetZoom();
    updateUi({ xMode }, true);
  },
  setExtraMetric: (extraMetric) => updateUi({ extraMetric }, true),
  resetZoom: () => board.resetZoom(),
  exportPng: () => {
    const dataUrl = chartsToPng(board.allViews, palette, 'gpu-env training dashboard');
    if (dataUrl) host.post({ type: 'exportPng', dataUrl, suggestedName: `gpu-env-dashboard-${fileStamp(new Date())}.png` });
  },
  exportCsv: () => host.post({ type: 'exportCsv' }),
});

function updateUi(change: Partial<UiState>, redraw = false): void {
  ui = { ...ui, ...change };
  host.setState(ui);
  if (redraw) board.setSettings({ palette, ui });
}

function handle(message: DashboardHostMessage): void {
  const started = performance.now();
  switch (message.type) {
    case 'snapshot':
      board.apply(model.applySnapshot(message));
      if (JSON.stringify(message.selectedRuns) !== JSON.stringify(ui.selectedRuns)) updateUi({ selectedRuns: [...message.selectedRuns] });
      break;
    case 'append': {
      const change = model.applyAppend(message);
      if (change.kind === 'gap') host.post({ type: 'requestSnapshot', reason: 'seq-gap' });
      else if (change.kind === 'overflow') host.post({ type: 'requestSnapshot', reason: 'overflow' });
      else board.apply(change);
      break;
    }
    case 'runs':
      model.setRuns(message.runs, message.selectedRuns);
      break;
    case 'config':
      updateUi({ smoothing: message.config.smoothing, scale: message.config.scale }, true);
      toolbar.setValues(ui);
      break;
  }
  refreshChrome();
  board.perf.add(board.perf.handling, performance.now() - started);
}

function refreshChrome(): void {
  toolbar.setRuns(model.runs, model.selectedRuns);
  toolbar.setExtraMetrics(extraMetrics(model.series), ui.extraMetric);
  const { lines, rejected, oversized } = model.stats;
  const parts = [`${model.selectedRuns.length} of ${model.runs.length} runs`, `${formatCount(lines)} lines`];
  if (rejected > 0) parts.push(`${formatCount(rejected)} rejected`);
  if (oversized > 0) parts.push(`${formatCount(oversized)} over-long dropped`);
  if (host.rejected > 0) parts.push(`${formatCount(host.rejected)} invalid messages ignored`);
  setText(status, parts.join(' · '));
  status.classList.toggle('warn', rejected + oversized + host.rejected > 0);
}

/** Read-only hooks for the webview tests and bench/chart.mjs. */
interface DashboardDebug {
  charts(): { id: string; title: string; rows: number; series: string[]; strokes: string[]; xMin: number | null; xMax: number | null; hasGap: boolean }[];
  readonly perf: ChartBoard['perf'];
  setRenderMode(mode: RenderMode): void;
  draws(): number;
  totalPoints(): number;
}

const debug: DashboardDebug = {
  charts: () =>
    board.allViews.map((v) => {
      const u = v.uplot;
      return {
        id: v.spec.id,
        title: v.root.querySelector('.chart-title')?.textContent ?? '',
        rows: u ? u.data[0].length : 0,
        series: u ? u.series.slice(1).map((s) => String(s.label ?? '')) : [],
        strokes: u ? u.series.slice(1).map((s, i) => String(typeof s.stroke === 'function' ? s.stroke(u, i + 1) : s.stroke)) : [],
        xMin: u?.scales.x?.min ?? null,
        xMax: u?.scales.x?.max ?? null,
        hasGap: u ? u.data.slice(1).some((col) => Array.prototype.includes.call(col, null)) : false,
      };
    }),
  perf: board.perf,
  setRenderMode: (mode) => {
    board.renderMode = mode;
  },
  draws: () => board.drawCount,
  totalPoints: () => model.totalPoints,
};
(window as unknown as { __gpuEnvDashboard: DashboardDebug }).__gpuEnvDashboard = debug;

document.body.append(toolbar.root, status, board.root);
toolbar.setValues(ui);
host.onMessage(handle, refreshChrome);
watchTheme(() => {
  palette = readPalette();
  board.setSettings({ palette, ui });
});
host.post({ type: 'ready', view: 'dashboard', protocol: PROTOCOL_VERSION, ...(restored.restored ? { selectedRuns: ui.selectedRuns } : {}) });
