/**
 * The training dashboard webview: says `ready`, builds the page (dashboard-page.ts) from the
 * labels of the host's `init`, then hands it the data. Every host message is validated
 * (vscode-api.ts). The page holds no text of its own: every label arrives in the display language.
 */
import { PROTOCOL_VERSION } from '../../src/shared/protocol/common';
import { parseDashboardHostMessage, type DashboardHostMessage, type DashboardWebviewMessage } from '../../src/shared/protocol/dashboard';
import type { RenderMode } from './board';
import { DashboardPage } from './dashboard-page';
import { restoreUiState } from './ui-state';
import { connectToHost } from './vscode-api';

const host = connectToHost<DashboardHostMessage, DashboardWebviewMessage>(parseDashboardHostMessage);
const restored = restoreUiState(host.getState());
let page: DashboardPage | undefined;

function handle(message: DashboardHostMessage): void {
  if (message.type === 'init') {
    document.documentElement.lang = message.locale;
    page ??= new DashboardPage(host, message.labels, restored.state);
    page.configure(message.config);
  } else {
    // The host answers `ready` with `init` before any data, so there is always a page here.
    page?.handle(message);
  }
}

/** Read-only hooks for the webview tests and bench/chart.mjs (empty until `init`). */
interface DashboardDebug {
  charts(): { id: string; title: string; rows: number; series: string[]; strokes: string[]; xMin: number | null; xMax: number | null; hasGap: boolean }[];
  readonly perf: DashboardPage['board']['perf'] | undefined;
  setRenderMode(mode: RenderMode): void;
  draws(): number;
  totalPoints(): number;
}

const debug: DashboardDebug = {
  charts: () =>
    (page?.board.allViews ?? []).map((v) => {
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
  get perf() {
    return page?.board.perf;
  },
  setRenderMode: (mode) => {
    if (page) page.board.renderMode = mode;
  },
  draws: () => page?.board.drawCount ?? 0,
  totalPoints: () => page?.model.totalPoints ?? 0,
};
(window as unknown as { __gpuEnvDashboard: DashboardDebug }).__gpuEnvDashboard = debug;

host.onMessage(handle, () => page?.refreshChrome());
host.post({ type: 'ready', view: 'dashboard', protocol: PROTOCOL_VERSION, ...(restored.restored ? { selectedRuns: restored.state.selectedRuns } : {}) });
