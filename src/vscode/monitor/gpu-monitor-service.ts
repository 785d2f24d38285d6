/**
 * One GPU sampling stream for the active environment (the status bar's, or the only running one
 * while the GPU Monitor view is visible), feeding the monitor view, the dashboard and the
 * "GPU 93% · 20.1/24 GB" status bar item. It runs only while the view is visible or the item is
 * shown, and restarts when the environment or the sampling interval changes.
 */
import type { MonitorEvent, MonitorStream } from '../../core/gpu/monitor-stream';
import type { AgentHello, GpuDevice, GpuSample } from '../../core/gpu/types';
import type { GpuHolderRef } from '../../shared/protocol/monitor';
import type { LocalApi } from '../../core/local-api';
import type { GpuReading } from '../../shared/gpu-reading';
import { messageOf } from '../../shared/errors';
import type { Disposable, StatusBarPort } from '../ui';
import type { Translate } from '../l10n';
import type { Log } from '../log';
import { gapReading } from './gap-reading';
import { OPEN_DASHBOARD_COMMAND } from '../contribution-ids';

export const OPEN_DASHBOARD = { id: OPEN_DASHBOARD_COMMAND, args: [] } as const;

/** The core's reading of a GPU sample: for the monitor's cards and the status bar item. */
export type SampleTexts = Pick<LocalApi, 'toGpuReading' | 'statusText' | 'statusTooltip'>;

export interface GpuMonitorServiceDeps {
  /** Asked for when a stream starts; the stream's own start loads the core, so it is there before any sample. */
  readonly core: () => Promise<SampleTexts>;
  readonly startStream: (environment: string, intervalMs: number, onEvent: (event: MonitorEvent) => void) => Promise<MonitorStream>;
  /** The environment the status bar shows, if any. */
  readonly statusBarEnvironment: () => string | undefined;
  /** Running environments as last listed (no engine call). */
  readonly runningEnvironments: () => readonly string[];
  /** The validated `gpuEnv.monitor.intervalMs`; throws a usage error when the setting is wrong. */
  readonly intervalMs: () => number;
  readonly defaultIntervalMs: number;
  readonly statusBar: StatusBarPort;
  /** Where readings go: the dashboard feed and the monitor view's model. */
  readonly onReading: (reading: GpuReading) => void;
  /** Who each GPU belongs to (the run using it, the environments holding it); absent: not looked up. */
  readonly attribution?: (environment: string) => Promise<Attribution>;
  readonly t: Translate;
  readonly log: Log;
}

/** The core's GpuAttribution as this service uses it. */
export interface Attribution {
  setHello(hello: AgentHello): void;
  observe(sample: GpuSample): void;
  runFor(device: GpuDevice): { readonly runId: string; readonly label: string | null } | null;
  holdersFor(device: GpuDevice, position: number): readonly GpuHolderRef[];
  dispose(): void;
}

interface Current {
  readonly environment: string;
  readonly intervalMs: number;
  readonly stream: Promise<MonitorStream | undefined>;
  attribution: Attribution | undefined;
  last: GpuReading | undefined;
  core: SampleTexts | undefined;
}

export class GpuMonitorService implements Disposable {
  private viewVisible = false;
  private current: Current | undefined;
  private disposed = false;

  constructor(private readonly deps: GpuMonitorServiceDeps) {}

  /** The environment sampled now, if any. */
  get environment(): string | undefined {
    return this.current?.environment;
  }

  setViewVisible(visible: boolean): void {
    this.viewVisible = visible;
    this.update();
  }

  /** Re-decides what to sample: call when the status bar, the environments or the setting changed. */
  update(): void {
    if (this.disposed) return;
    const environment = this.activeEnvironment();
    const intervalMs = this.interval();
    if (this.current && this.current.environment === environment && this.current.intervalMs === intervalMs) return;
    this.stopCurrent();
    if (environment === undefined) return this.deps.statusBar.hide();
    this.start(environment, intervalMs);
  }

  dispose(): void {
    this.disposed = true;
    this.stopCurrent();
    this.deps.statusBar.hide();
  }

  /** The status bar's environment (its item is shown), else the only running one while the view is visible. */
  private activeEnvironment(): string | undefined {
    const shown = this.deps.statusBarEnvironment();
    if (shown !== undefined) return shown;
    const running = this.deps.runningEnvironments();
    return this.viewVisible && running.length === 1 ? running[0] : undefined;
  }

  private interval(): number {
    try {
      return this.deps.intervalMs();
    } catch (error) {
      this.deps.log.warn(`${messageOf(error)}; sampling every ${this.deps.defaultIntervalMs} ms`);
      return this.deps.defaultIntervalMs;
    }
  }

  private start(environment: string, intervalMs: number): void {
    const { t } = this.deps;
    // Asked first: the stream's own start loads the core too, so this is settled before any sample comes.
    void this.deps.core().then((loaded) => void (current.core = loaded), () => undefined);
    const stream = this.deps.startStream(environment, intervalMs, (event) => {
      if (this.current === current) this.handle(current, event);
    }).catch((error: unknown) => {
      this.deps.log.warn(`GPU monitor for ${environment}: ${messageOf(error)}`);
      return undefined;
    });
    const current: Current = { environment, intervalMs, stream, attribution: undefined, last: undefined, core: undefined };
    this.current = current;
    void this.deps.attribution?.(environment).then((attribution) => {
      if (this.current === current) current.attribution = attribution;
      else attribution.dispose();
    }, (error: unknown) => this.deps.log.warn(`GPU monitor for ${environment}: ${messageOf(error)}`));
    this.deps.log.info(`GPU monitor: sampling ${environment} every ${intervalMs} ms`);
    this.deps.statusBar.show(t('GPU …'), t('Waiting for the first GPU sample from {0}.', environment), OPEN_DASHBOARD);
  }

  private stopCurrent(): void {
    const current = this.current;
    this.current = undefined;
    if (!current) return;
    this.deps.log.info(`GPU monitor: stopped sampling ${current.environment}`);
    current.attribution?.dispose();
    void current.stream.then((stream) => stream?.stop());
  }

  private handle(current: Current, event: MonitorEvent): void {
    const { t } = this.deps;
    switch (event.kind) {
      case 'hello':
        current.attribution?.setHello(event.hello);
        return;
      case 'sample': {
        const { attribution, core } = current;
        if (!core) return;
        attribution?.observe(event.sample);
        const reading = core.toGpuReading(event.sample, {
          env: current.environment,
          receivedAtMs: event.receivedAtMs,
          ...(attribution ? {
            runIdFor: (device: GpuDevice) => attribution.runFor(device)?.runId ?? null,
            runLabelFor: (device: GpuDevice) => attribution.runFor(device)?.label ?? null,
            holdersFor: (device: GpuDevice, position: number) => attribution.holdersFor(device, position),
          } : {}),
        });
        current.last = reading;
        this.deps.onReading(reading);
        const tooltip = [current.environment, core.statusTooltip(event.sample), ...this.holderLines(reading), '', t('Click to open the training dashboard.')].join('\n');
        return this.deps.statusBar.show(core.statusText(event.sample), tooltip, OPEN_DASHBOARD);
      }
      case 'gap':
        if (current.last) this.deps.onReading((current.last = gapReading(current.last, event.atMs)));
        return this.deps.statusBar.show(t('GPU —'), t('No GPU sample from {0} since {1}: {2}', current.environment, new Date(event.lastSampleAtMs).toLocaleTimeString(), event.reason), OPEN_DASHBOARD);
      case 'waiting':
        if (current.last === undefined) this.deps.statusBar.show(t('GPU …'), t('Connecting to {0}: {1}', current.environment, event.reason), OPEN_DASHBOARD);
        return;
      default:
        return;
    }
  }

  /** "GPU 1 is also held by bob/exp2", for each GPU another environment holds too. */
  private holderLines(reading: GpuReading): string[] {
    const { t } = this.deps;
    return reading.devices.flatMap((device) => {
      const others = (device.holders ?? []).filter((holder) => !holder.self);
      if (others.length === 0) return [];
      const names = others.map((h) => (h.environment === null ? t('container {0}', h.container) : h.owner === null ? h.environment : `${h.owner}/${h.environment}`));
      return [t('GPU {0} is also held by {1}', device.index, names.join(', '))];
    });
  }
}
