/**
 * The host side of the GPU monitor webview view, without the `vscode` module. Every message is a
 * complete snapshot (a few KB), paced to 2 per second; hidden, the view costs a dirty flag. A slow
 * tick re-sends while visible so that "stale" appears when the sampler goes quiet.
 */
import { Coalescer, systemClock, type Clock } from '../webview/coalescer';
import type { GpuMonitorSource } from './gpu-panel-model';
import { parseMonitorWebviewMessage, type MonitorHostMessage } from '../../shared/protocol/monitor';
import type { MonitorLabels } from '../../shared/protocol/monitor-labels';
import type { Disposable } from '../ui';
import type { WebviewPort } from '../webview/webview-port';

export interface MonitorControllerOptions {
  readonly source: GpuMonitorSource;
  readonly port: WebviewPort<MonitorHostMessage>;
  /** The page's labels in the display language, and that language (sent on every `ready`). */
  readonly labels: MonitorLabels;
  readonly locale: string;
  readonly visible: boolean;
  readonly openDashboard: (runId: string | null) => void;
  readonly onError?: (message: string) => void;
  readonly clock?: Clock;
  /** How often a visible view is refreshed without new samples (for the stale mark). */
  readonly refreshMs?: number;
}

export class MonitorController implements Disposable {
  private ready = false;
  private visible: boolean;
  private ticker: unknown;
  private readonly clock: Clock;
  private readonly coalescer: Coalescer;
  private readonly subscriptions: Disposable[] = [];

  constructor(private readonly options: MonitorControllerOptions) {
    this.clock = options.clock ?? systemClock;
    this.visible = options.visible;
    const send = (): boolean => {
      void options.port.postMessage({ type: 'gpu', snapshot: options.source.snapshot() });
      return true;
    };
    this.coalescer = new Coalescer({ sendSnapshot: send, sendDelta: send }, { maxPerSecond: 2, visible: false, clock: this.clock });
    this.subscriptions.push(
      options.port.onDidReceiveMessage((raw) => this.receive(raw)),
      options.source.onDidChange(() => this.coalescer.markDirty()),
    );
  }

  setVisible(visible: boolean): void {
    this.visible = visible;
    // A webview view without retained context reloads when shown: it will say 'ready' again.
    if (!visible) this.ready = false;
    this.update();
  }

  dispose(): void {
    this.stopTicker();
    this.coalescer.dispose();
    for (const s of this.subscriptions.splice(0)) s.dispose();
  }

  private receive(raw: unknown): void {
    const message = parseMonitorWebviewMessage(raw);
    if (!message) {
      this.options.onError?.('ignored an invalid message from the GPU monitor webview');
      return;
    }
    if (message.type === 'ready') {
      void this.options.port.postMessage({ type: 'init', locale: this.options.locale, labels: this.options.labels });
      this.ready = true;
      this.update();
      this.coalescer.requestSnapshot();
    } else if (message.type === 'openDashboard') {
      this.options.openDashboard(message.run);
    }
  }

  private update(): void {
    const showing = this.visible && this.ready;
    this.coalescer.setVisible(showing);
    if (showing) this.startTicker();
    else this.stopTicker();
  }

  private startTicker(): void {
    if (this.ticker !== undefined) return;
    const tick = (): void => {
      this.coalescer.markDirty();
      this.ticker = this.clock.setTimeout(tick, this.options.refreshMs ?? 5000);
    };
    this.ticker = this.clock.setTimeout(tick, this.options.refreshMs ?? 5000);
  }

  private stopTicker(): void {
    if (this.ticker !== undefined) this.clock.clearTimeout(this.ticker);
    this.ticker = undefined;
  }
}
