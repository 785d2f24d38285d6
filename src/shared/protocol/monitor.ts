/**
 * The GPU monitor's protocol: the host answers `ready` with the page's labels, then every message
 * is a complete snapshot of the GPUs (a few KB), so a view that was hidden simply shows the next
 * one; the webview asks for the dashboard. Shared rules (validation, bounds, null for non-finite,
 * labels) are in common.ts.
 */
import { initFields, label, LIMITS, readyFields, runId, type InitFields, type ReadyFields } from './common';
import { MONITOR_LABELS } from './monitor-labels';
import { boolean, count, finiteOrNull, inRange, Invalid, isRecord, listOf, must, nullable, nullableNumberArray, numberArray, parseWith, text, type Parsers } from './validate';

/** Bounds of the monitor's messages, beyond the common LIMITS. */
export const MONITOR_LIMITS = {
  sparkPoints: 3600,
  holdersPerGpu: 32,
} as const;

// ---------------------------------------------------------------------------------------------
// Value types

/**
 * The figures of one GPU as sampled: core's GpuDeviceReading is these plus the run using it, and a
 * monitor card shows them as they are. A figure the device cannot report is null, never 0.
 */
export interface GpuDeviceFigures {
  readonly index: number;
  readonly name: string;
  readonly utilPct: number | null;
  readonly memUsedMiB: number | null;
  readonly memTotalMiB: number | null;
  readonly tempC: number | null;
  readonly powerW: number | null;
  readonly powerLimitW: number | null;
}

type GpuFigure = Exclude<keyof GpuDeviceFigures, 'index' | 'name'>;

/** The plausible range of each figure: the sampler drops values outside it, the parser rejects them. */
export const GPU_FIGURE_RANGES: { readonly [K in GpuFigure]: readonly [min: number, max: number] } = {
  utilPct: [0, 100],
  memUsedMiB: [0, Number.MAX_VALUE],
  memTotalMiB: [0, Number.MAX_VALUE],
  tempC: [-100, 300],
  powerW: [0, Number.MAX_VALUE],
  powerLimitW: [0, Number.MAX_VALUE],
};

export interface GpuSpark {
  readonly t: readonly number[];
  readonly util: readonly (number | null)[];
  readonly mem: readonly (number | null)[];
}

export interface RunRef {
  readonly id: string;
  readonly label: string;
}

/** A running environment (or another container) that holds a GPU, on a shared machine. */
export interface GpuHolderRef {
  /** The gpu-env environment, or null for a container gpu-env did not create. */
  readonly environment: string | null;
  /** Who created it, when recorded. */
  readonly owner: string | null;
  readonly container: string;
  /** The environment this monitor shows. */
  readonly self: boolean;
}

export interface GpuCard extends GpuDeviceFigures {
  /** The last minutes of utilisation and memory (percent); null entries are gaps. */
  readonly spark: GpuSpark;
  /** The run using this GPU, when known. */
  readonly run: RunRef | null;
  /** Who holds this GPU (empty until known, and where the target has no such notion). */
  readonly holders: readonly GpuHolderRef[];
}

export interface EnvUsage {
  /** Percent of one core, summed over cores (400 % on four busy cores), as top shows it. */
  readonly cpuPct: number | null;
  readonly memUsedMiB: number | null;
  readonly memTotalMiB: number | null;
}

export interface GpuPanelSnapshot {
  /** Unix seconds of the newest sample, null before the first. */
  readonly time: number | null;
  readonly env: string | null;
  readonly cards: readonly GpuCard[];
  readonly usage: EnvUsage | null;
  /** Why there is no GPU to show (no environment, no runtime, NVML failed…), else null. */
  readonly noGpuReason: string | null;
  /** The sampler has not delivered for a while: show the figures as stale. */
  readonly stale: boolean;
}

// ---------------------------------------------------------------------------------------------
// Messages

export type MonitorInitMessage = InitFields<typeof MONITOR_LABELS>;

/** Host → webview: the current state, complete. */
export interface GpuMessage {
  readonly type: 'gpu';
  readonly snapshot: GpuPanelSnapshot;
}

export type MonitorHostMessage = MonitorInitMessage | GpuMessage;

export type MonitorReadyMessage = ReadyFields<'monitor'>;

/** Webview → host: open the dashboard, optionally on the run using a GPU. */
export interface OpenDashboardMessage {
  readonly type: 'openDashboard';
  readonly run: string | null;
}

export type MonitorWebviewMessage = MonitorReadyMessage | OpenDashboardMessage;

// ---------------------------------------------------------------------------------------------
// Validators

const figure = (x: unknown, name: GpuFigure): number | null => nullable(x, (v) => must(inRange(v, ...GPU_FIGURE_RANGES[name])));
const nonNegativeOrNull = (x: unknown): number | null => nullable(x, (v) => must(inRange(v, 0, Number.MAX_VALUE)));

function gpuSpark(x: unknown): GpuSpark {
  if (!isRecord(x)) throw new Invalid();
  const t = numberArray(x.t, MONITOR_LIMITS.sparkPoints);
  const util = nullableNumberArray(x.util, MONITOR_LIMITS.sparkPoints);
  const mem = nullableNumberArray(x.mem, MONITOR_LIMITS.sparkPoints);
  if (util.length !== t.length || mem.length !== t.length) throw new Invalid();
  return { t, util, mem };
}

function runRef(x: unknown): RunRef {
  if (!isRecord(x)) throw new Invalid();
  return { id: runId(x.id), label: label(x.label) };
}

function gpuHolder(x: unknown): GpuHolderRef {
  if (!isRecord(x)) throw new Invalid();
  return {
    environment: nullable(x.environment, label),
    owner: nullable(x.owner, label),
    container: label(x.container),
    self: must(boolean(x.self)),
  };
}

function gpuCard(x: unknown): GpuCard {
  if (!isRecord(x)) throw new Invalid();
  return {
    index: must(inRange(must(count(x.index)), 0, LIMITS.gpus - 1)),
    name: must(text(x.name, LIMITS.labelChars, true)),
    utilPct: figure(x.utilPct, 'utilPct'),
    memUsedMiB: figure(x.memUsedMiB, 'memUsedMiB'),
    memTotalMiB: figure(x.memTotalMiB, 'memTotalMiB'),
    tempC: figure(x.tempC, 'tempC'),
    powerW: figure(x.powerW, 'powerW'),
    powerLimitW: figure(x.powerLimitW, 'powerLimitW'),
    spark: gpuSpark(x.spark),
    run: nullable(x.run, runRef),
    holders: listOf(x.holders, MONITOR_LIMITS.holdersPerGpu, gpuHolder),
  };
}

function envUsage(x: unknown): EnvUsage {
  if (!isRecord(x)) throw new Invalid();
  return {
    cpuPct: nullable(x.cpuPct, (v) => must(inRange(v, 0, 100 * 4096))),
    memUsedMiB: nonNegativeOrNull(x.memUsedMiB),
    memTotalMiB: nonNegativeOrNull(x.memTotalMiB),
  };
}

function gpuPanelSnapshot(x: unknown): GpuPanelSnapshot {
  if (!isRecord(x)) throw new Invalid();
  return {
    time: must(finiteOrNull(x.time)),
    env: nullable(x.env, runId),
    cards: listOf(x.cards, LIMITS.gpus, gpuCard),
    usage: nullable(x.usage, envUsage),
    noGpuReason: nullable(x.noGpuReason, (v) => must(text(v, LIMITS.textChars))),
    stale: must(boolean(x.stale)),
  };
}

const hostParsers: Parsers<MonitorHostMessage> = {
  init: (x) => initFields(x, MONITOR_LABELS),
  gpu: (x) => ({ type: 'gpu', snapshot: gpuPanelSnapshot(x.snapshot) }),
};

const webviewParsers: Parsers<MonitorWebviewMessage> = {
  ready: (x) => readyFields(x, 'monitor'),
  openDashboard: (x) => ({ type: 'openDashboard', run: nullable(x.run, runId) }),
};

/** A message the monitor webview posted, or undefined when anything about it is off. */
export function parseMonitorWebviewMessage(x: unknown): MonitorWebviewMessage | undefined {
  return parseWith(webviewParsers, x);
}

/** A message the host posted to the monitor, or undefined when anything about it is off. */
export function parseMonitorHostMessage(x: unknown): MonitorHostMessage | undefined {
  return parseWith(hostParsers, x);
}
