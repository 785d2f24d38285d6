/**
 * The GPU monitor's model: the newest reading plus a few minutes of utilisation and memory per GPU
 * for the sparklines. Every `snapshot()` is complete (a few KB), so the sidebar view never needs
 * deltas: hidden views simply get the current snapshot when shown again.
 */
import { LIMITS } from '../../shared/protocol/common';
import { MONITOR_LIMITS, type GpuCard, type GpuPanelSnapshot, type RunRef } from '../../shared/protocol/monitor';
import { memPercent, sanitizeGpuReading, type GpuReading } from '../../shared/gpu-reading';
import { clipNonEmpty, clipText } from '../webview/protocol-text';

export interface GpuPanelOptions {
  readonly windowSeconds: number;
  /** A pause between samples longer than this is drawn as a gap. */
  readonly gapSeconds: number;
  /** With no reading for this long the figures are marked stale. */
  readonly staleAfterSeconds: number;
}

export const DEFAULT_GPU_PANEL_OPTIONS: GpuPanelOptions = { windowSeconds: 300, gapSeconds: 5, staleAfterSeconds: 10 };

interface Spark {
  t: number[];
  util: (number | null)[];
  mem: (number | null)[];
}

/** What the monitor view reads; GpuPanelModel implements it. */
export interface GpuMonitorSource {
  snapshot(nowSeconds?: number): GpuPanelSnapshot;
  onDidChange(listener: () => void): { dispose(): void };
}

export class GpuPanelModel implements GpuMonitorSource {
  private latest: GpuReading | undefined;
  private readonly sparks = new Map<number, Spark>();
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly runLabel: (runId: string) => string | undefined = () => undefined,
    private readonly options: GpuPanelOptions = DEFAULT_GPU_PANEL_OPTIONS,
  ) {}

  update(raw: GpuReading): void {
    const reading = sanitizeGpuReading(raw);
    if (this.latest && reading.time < this.latest.time) return; // out of order: keep the newer
    this.latest = reading;
    const present = new Set<number>();
    for (const d of reading.devices.slice(0, LIMITS.gpus)) {
      present.add(d.index);
      this.pushSpark(d.index, reading.time, d.utilPct, memPercent(d.memUsedMiB, d.memTotalMiB));
    }
    for (const index of this.sparks.keys()) if (!present.has(index)) this.sparks.delete(index);
    for (const listener of [...this.listeners]) listener();
  }

  onDidChange(listener: () => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  snapshot(nowSeconds: number = Date.now() / 1000): GpuPanelSnapshot {
    const r = this.latest;
    if (!r) return { time: null, env: null, cards: [], usage: null, noGpuReason: null, stale: false };
    return {
      time: r.time,
      env: clipNonEmpty(r.env, LIMITS.idChars),
      cards: r.devices.slice(0, LIMITS.gpus).map((d) => this.card(d)),
      usage: { cpuPct: r.cpuPct, memUsedMiB: r.memUsedMiB, memTotalMiB: r.memTotalMiB },
      noGpuReason: clipNonEmpty(r.noGpuReason, LIMITS.textChars),
      stale: nowSeconds - r.time > this.options.staleAfterSeconds,
    };
  }

  private card(d: GpuReading['devices'][number]): GpuCard {
    const { runId, runLabel, holders, ...figures } = d;
    const spark = this.sparks.get(d.index) ?? { t: [], util: [], mem: [] };
    return {
      ...figures,
      name: clipText(d.name, LIMITS.labelChars),
      spark: { t: [...spark.t], util: [...spark.util], mem: [...spark.mem] },
      run: this.runRef(runId, runLabel ?? null),
      holders: (holders ?? []).slice(0, MONITOR_LIMITS.holdersPerGpu).map((h) => ({
        environment: clipNonEmpty(h.environment, LIMITS.labelChars),
        owner: clipNonEmpty(h.owner, LIMITS.labelChars),
        container: clipNonEmpty(h.container, LIMITS.labelChars) ?? '?',
        self: h.self,
      })),
    };
  }

  private runRef(runId: string | null, sampledLabel: string | null): RunRef | null {
    const id = clipNonEmpty(runId, LIMITS.idChars);
    if (id === null || runId === null) return null;
    return { id, label: clipNonEmpty(this.runLabel(runId) ?? sampledLabel ?? runId, LIMITS.labelChars) ?? id };
  }

  private pushSpark(index: number, t: number, util: number | null, mem: number | null): void {
    let spark = this.sparks.get(index);
    if (!spark) this.sparks.set(index, (spark = { t: [], util: [], mem: [] }));
    const last = spark.t[spark.t.length - 1];
    if (last !== undefined && t - last > this.options.gapSeconds) {
      spark.t.push((last + t) / 2);
      spark.util.push(null);
      spark.mem.push(null);
    }
    spark.t.push(t);
    spark.util.push(util);
    spark.mem.push(mem);
    let drop = 0;
    while (drop < spark.t.length && spark.t[drop]! < t - this.options.windowSeconds) drop++;
    // Also bounded by count, whatever the sampling rate.
    drop = Math.max(drop, spark.t.length - MONITOR_LIMITS.sparkPoints);
    if (drop > 0) {
      spark.t.splice(0, drop);
      spark.util.splice(0, drop);
      spark.mem.splice(0, drop);
    }
  }
}
