/**
 * The host side of one dashboard webview, without the `vscode` module: validates what the webview
 * posts, keeps the run selection, paces data with a Coalescer (≤ 10 messages/s; while hidden only
 * a dirty flag; on reveal a full snapshot) and runs the exports through an ExportTarget.
 */
import { Coalescer, type Clock } from '../webview/coalescer';
import type { DashboardDataSource, FeedCursor } from './dashboard-feed';
import { LIMITS } from '../../shared/protocol/common';
import type { DashboardLabels } from '../../shared/protocol/dashboard-labels';
import { DASHBOARD_LIMITS, MAX_SMOOTHING, parseDashboardWebviewMessage, type DashboardConfig, type DashboardHostMessage, type DashboardWebviewMessage, type RunInfo } from '../../shared/protocol/dashboard';
import type { Disposable, KeyValueStore } from '../ui';
import type { WebviewPort } from '../webview/webview-port';

export interface ExportTarget {
  /** Asks where to save and writes the bytes; the saved location, or undefined when cancelled. */
  save(kind: 'png' | 'csv', suggestedName: string, data: Uint8Array): Promise<string | undefined>;
}

export interface DashboardControllerOptions {
  readonly source: DashboardDataSource;
  readonly port: WebviewPort<DashboardHostMessage>;
  /** Where smoothing and scale are remembered across panels (the extension's globalState). */
  readonly preferences: KeyValueStore;
  readonly exporter: ExportTarget;
  /** The page's labels in the display language, and that language (sent on every `ready`). */
  readonly labels: DashboardLabels;
  readonly locale: string;
  readonly visible: boolean;
  /** Runs to show first (a command's argument, or the restored panel's state). */
  readonly initialRuns?: readonly string[];
  /** True when the panel keeps its page while hidden (retainContextWhenHidden). */
  readonly retainsContext?: boolean;
  readonly onError?: (message: string) => void;
  /** The runs shown changed (the host follows their metrics); [] when the panel goes away. */
  readonly onSelectionChange?: (runs: readonly string[]) => void;
  readonly clock?: Clock;
}

export const PREFERENCES_KEY = 'gpuEnv.dashboard.config';
export const DEFAULT_CONFIG: DashboardConfig = { smoothing: 0.6, scale: 'linear' };
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export class DashboardController implements Disposable {
  private selection: string[];
  private cursor: FeedCursor | undefined;
  private seq = 0;
  private ready = false;
  private visible: boolean;
  private runsChanged = false;
  private invalidMessages = 0;
  private readonly coalescer: Coalescer;
  private readonly subscriptions: Disposable[] = [];

  constructor(private readonly options: DashboardControllerOptions) {
    this.visible = options.visible;
    this.selection = cleanSelection(options.initialRuns ?? []);
    if (this.selection.length > 0) options.onSelectionChange?.(this.selection);
    this.coalescer = new Coalescer({ sendSnapshot: () => this.sendSnapshot(), sendDelta: () => this.sendDelta() }, { maxPerSecond: 10, visible: false, ...(options.clock ? { clock: options.clock } : {}) });
    this.subscriptions.push(
      options.port.onDidReceiveMessage((raw) => this.receive(raw)),
      options.source.onDidChange((change) => {
        if (change === 'runs') this.runsChanged = true;
        this.coalescer.markDirty();
      }),
    );
  }

  get selectedRuns(): readonly string[] {
    return this.selection;
  }

  /** Messages from the webview that failed validation (logged, never acted on). */
  get rejectedMessages(): number {
    return this.invalidMessages;
  }

  setVisible(visible: boolean): void {
    this.visible = visible;
    // Without retained context a hidden page is discarded; the new one says 'ready' when it loads.
    if (!visible && !this.options.retainsContext) this.ready = false;
    this.coalescer.setVisible(this.visible && this.ready);
  }

  /** Shows these runs (e.g. "open dashboard" on a run). */
  selectRuns(runs: readonly string[]): void {
    this.setSelection(cleanSelection(runs));
    this.coalescer.requestSnapshot();
  }

  dispose(): void {
    this.coalescer.dispose();
    for (const s of this.subscriptions.splice(0)) s.dispose();
    this.setSelection([]);
  }

  private setSelection(runs: string[]): void {
    const changed = runs.length !== this.selection.length || runs.some((run, i) => run !== this.selection[i]);
    this.selection = runs;
    if (changed) this.options.onSelectionChange?.(runs);
  }

  private receive(raw: unknown): void {
    const message = parseDashboardWebviewMessage(raw);
    if (!message) {
      this.invalidMessages++;
      this.options.onError?.(`ignored an invalid message from the dashboard webview (${describe(raw)})`);
      return;
    }
    void this.handle(message).catch((error: unknown) => this.options.onError?.(`dashboard: ${error instanceof Error ? error.message : String(error)}`));
  }

  private async handle(message: DashboardWebviewMessage): Promise<void> {
    switch (message.type) {
      case 'ready':
        if (this.selection.length === 0 && message.selectedRuns) this.setSelection(cleanSelection(message.selectedRuns));
        this.ready = true;
        await this.post({ type: 'init', locale: this.options.locale, labels: this.options.labels, config: this.config() });
        this.coalescer.setVisible(this.visible);
        this.coalescer.requestSnapshot();
        return;
      case 'selectRuns':
        return this.selectRuns(message.runs);
      case 'setSmoothing':
        return this.options.preferences.update(PREFERENCES_KEY, { ...this.config(), smoothing: message.value });
      case 'setScale':
        return this.options.preferences.update(PREFERENCES_KEY, { ...this.config(), scale: message.scale });
      case 'requestSnapshot':
        return this.coalescer.requestSnapshot();
      case 'exportCsv':
        await this.options.exporter.save('csv', `gpu-env-metrics-${this.selection.join('_').slice(0, 80) || 'none'}.csv`, Buffer.from(this.options.source.csv(this.selection), 'utf8'));
        return;
      case 'exportPng':
        return this.exportPng(message.dataUrl, message.suggestedName);
    }
  }

  private async exportPng(dataUrl: string, name: string): Promise<void> {
    const bytes = Buffer.from(dataUrl.slice(dataUrl.indexOf(',') + 1), 'base64');
    if (!bytes.subarray(0, PNG_SIGNATURE.length).equals(PNG_SIGNATURE)) throw new Error('the exported image is not a PNG');
    await this.options.exporter.save('png', name.toLowerCase().endsWith('.png') ? name : `${name}.png`, bytes);
  }

  private config(): DashboardConfig {
    return parseConfig(this.options.preferences.get(PREFERENCES_KEY));
  }

  private sendSnapshot(): void {
    const runs = this.options.source.runs();
    if (this.selection.length === 0) this.setSelection(defaultSelection(runs));
    const read = this.options.source.snapshot(this.selection);
    this.cursor = read.cursor;
    this.seq = 0;
    this.runsChanged = false;
    void this.post({ type: 'snapshot', seq: this.seq, runs: [...runs], selectedRuns: this.selection, series: read.series, events: read.events, stats: read.stats, thinned: read.thinned });
  }

  private sendDelta(): boolean {
    if (!this.cursor) return false;
    if (this.runsChanged) {
      this.runsChanged = false;
      const runs = this.options.source.runs();
      if (this.selection.length === 0 && runs.length > 0) return false; // the first run appeared: show it
      void this.post({ type: 'runs', runs: [...runs], selectedRuns: this.selection });
    }
    const read = this.options.source.changesSince(this.cursor, this.selection);
    if (!read) return false;
    this.cursor = read.cursor;
    if (read.series.length === 0 && read.events.length === 0) return true;
    void this.post({ type: 'append', seq: ++this.seq, series: read.series, events: read.events, stats: read.stats });
    return true;
  }

  private async post(message: DashboardHostMessage): Promise<void> {
    const delivered = await this.options.port.postMessage(message);
    // A lost data message leaves the webview behind: the next send must be a snapshot.
    if (!delivered && (message.type === 'append' || message.type === 'snapshot')) this.coalescer.requestSnapshot();
  }
}

/** The newest running run, else the newest run: what someone opening the dashboard wants to see. */
export function defaultSelection(runs: readonly RunInfo[]): string[] {
  const byStart = [...runs].sort((a, b) => (b.startTime ?? -Infinity) - (a.startTime ?? -Infinity));
  const pick = byStart.find((r) => r.state === 'running' || r.state === 'starting') ?? byStart[0];
  return pick ? [pick.id] : [];
}

function cleanSelection(runs: readonly string[]): string[] {
  return [...new Set(runs)].filter((r) => r.length > 0 && r.length <= LIMITS.idChars).slice(0, DASHBOARD_LIMITS.runs);
}

export function parseConfig(value: unknown): DashboardConfig {
  if (typeof value !== 'object' || value === null) return DEFAULT_CONFIG;
  const v = value as Record<string, unknown>;
  return {
    smoothing: typeof v.smoothing === 'number' && v.smoothing >= 0 && v.smoothing <= MAX_SMOOTHING ? v.smoothing : DEFAULT_CONFIG.smoothing,
    scale: v.scale === 'log' ? 'log' : 'linear',
  };
}

function describe(raw: unknown): string {
  const type = typeof raw === 'object' && raw !== null && 'type' in raw ? String((raw as { type: unknown }).type).slice(0, 40) : typeof raw;
  return `type ${type}`;
}
