/**
 * The one protocol between the extension host and the webviews (training dashboard, GPU monitor).
 *
 * Both directions are validated by hand-written parsers: a webview is a web page that can be made to
 * post anything, and a stale webview restored from a previous version can post old shapes. Every
 * string and array is length-bounded so that a bad message cannot make the host allocate without
 * limit. No dependency on `vscode` or on Node: this file is bundled into the webviews too.
 *
 * Non-finite numbers (NaN/±Infinity) cannot cross postMessage's JSON encoding, so series values are
 * `number | null`: null is a gap (a missing GPU sample, or a non-finite metric counted in
 * `nonFinite`).
 */

export const PROTOCOL_VERSION = 1 as const;

/** Bounds applied by the validators. Exported so producers can respect them. */
export const LIMITS = {
  idChars: 200,
  labelChars: 200,
  metricNameChars: 128,
  textChars: 2000,
  runs: 1000,
  seriesPerMessage: 4096,
  pointsPerSeries: 250_000,
  pointsPerMessage: 4_000_000,
  eventsPerMessage: 10_000,
  gpus: 64,
  sparkPoints: 3600,
  dataUrlChars: 48 * 1024 * 1024,
  fileNameChars: 255,
} as const;

// ---------------------------------------------------------------------------------------------
// Shared value types

export type Split = 'train' | 'val' | 'test';
export const SPLITS: readonly Split[] = ['train', 'val', 'test'];

export type YScale = 'linear' | 'log';
export type RunState = 'starting' | 'running' | 'succeeded' | 'failed' | 'stopped' | 'unknown';
export const RUN_STATES: readonly RunState[] = ['starting', 'running', 'succeeded', 'failed', 'stopped', 'unknown'];
export type RunEventName = 'start' | 'resume' | 'checkpoint' | 'end';
export const RUN_EVENT_NAMES: readonly RunEventName[] = ['start', 'resume', 'checkpoint', 'end'];
export type GpuSeriesMetric = 'util' | 'mem';
export type ThemeKind = 'light' | 'dark' | 'highContrast' | 'highContrastLight';

export interface RunInfo {
  readonly id: string;
  readonly label: string;
  readonly state: RunState;
  /** Unix seconds; null when the run has not written its start yet. */
  readonly startTime: number | null;
  readonly env: string | null;
}

export interface MetricSeriesKey {
  readonly kind: 'metric';
  readonly run: string;
  readonly split: Split;
  readonly metric: string;
}

/** A GPU's utilisation or memory use, both in percent, on the same time axis as the metrics. */
export interface GpuSeriesKey {
  readonly kind: 'gpu';
  readonly gpu: number;
  readonly name: string;
  readonly metric: GpuSeriesMetric;
}

export type SeriesKey = MetricSeriesKey | GpuSeriesKey;

/** Points of one series: `t` in unix seconds, ascending within a message. */
export interface SeriesData {
  readonly key: SeriesKey;
  readonly t: readonly number[];
  readonly v: readonly (number | null)[];
  /** Non-finite values seen in this series so far (they travel as null). */
  readonly nonFinite: number;
}

export interface RunEvent {
  readonly run: string;
  readonly time: number;
  readonly event: RunEventName;
}

/** Counters from the metrics tail, shown so that dropped lines are never silent. */
export interface IngestStats {
  readonly lines: number;
  readonly rejected: number;
  readonly oversized: number;
}

export interface DashboardConfig {
  /** EMA weight in [0, MAX_SMOOTHING]. */
  readonly smoothing: number;
  readonly scale: YScale;
}

export const MAX_SMOOTHING = 0.999;

export interface GpuSpark {
  readonly t: readonly number[];
  readonly util: readonly (number | null)[];
  readonly mem: readonly (number | null)[];
}

export interface GpuCard {
  readonly index: number;
  readonly name: string;
  readonly utilPct: number | null;
  readonly memUsedMiB: number | null;
  readonly memTotalMiB: number | null;
  readonly tempC: number | null;
  readonly powerW: number | null;
  readonly powerLimitW: number | null;
  /** The last minutes of utilisation and memory (percent); null entries are gaps. */
  readonly spark: GpuSpark;
  /** The run using this GPU, when known. */
  readonly run: { readonly id: string; readonly label: string } | null;
}

export interface EnvUsage {
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
// Host → webview

export interface SnapshotMessage {
  readonly type: 'snapshot';
  /** Sequence of data messages; an `append` with seq ≠ last + 1 means one was lost. */
  readonly seq: number;
  readonly runs: readonly RunInfo[];
  readonly selectedRuns: readonly string[];
  readonly series: readonly SeriesData[];
  readonly events: readonly RunEvent[];
  readonly stats: IngestStats;
}

export interface AppendMessage {
  readonly type: 'append';
  readonly seq: number;
  /** New points only, for series new or old. */
  readonly series: readonly SeriesData[];
  readonly events: readonly RunEvent[];
  readonly stats: IngestStats;
}

export interface RunsMessage {
  readonly type: 'runs';
  readonly runs: readonly RunInfo[];
  readonly selectedRuns: readonly string[];
}

export interface GpuMessage {
  readonly type: 'gpu';
  readonly snapshot: GpuPanelSnapshot;
}

export interface ThemeMessage {
  readonly type: 'theme';
  readonly kind: ThemeKind;
}

export interface ConfigMessage {
  readonly type: 'config';
  readonly config: DashboardConfig;
}

export type HostMessage = SnapshotMessage | AppendMessage | RunsMessage | GpuMessage | ThemeMessage | ConfigMessage;

// ---------------------------------------------------------------------------------------------
// Webview → host

export type WebviewKind = 'dashboard' | 'monitor';
export type SnapshotReason = 'seq-gap' | 'overflow' | 'reveal' | 'user';

export interface ReadyMessage {
  readonly type: 'ready';
  readonly view: WebviewKind;
  readonly protocol: number;
  /** Selection restored from the webview's own state, if any. */
  readonly selectedRuns?: readonly string[];
}
export interface SelectRunsMessage {
  readonly type: 'selectRuns';
  readonly runs: readonly string[];
}
export interface SetSmoothingMessage {
  readonly type: 'setSmoothing';
  readonly value: number;
}
export interface SetScaleMessage {
  readonly type: 'setScale';
  readonly scale: YScale;
}
export interface ExportCsvMessage {
  readonly type: 'exportCsv';
}
export interface ExportPngMessage {
  readonly type: 'exportPng';
  readonly dataUrl: string;
  readonly suggestedName: string;
}
export interface RequestSnapshotMessage {
  readonly type: 'requestSnapshot';
  readonly reason: SnapshotReason;
}
/** From the monitor: open the dashboard, optionally on the run using a GPU. */
export interface OpenDashboardMessage {
  readonly type: 'openDashboard';
  readonly run: string | null;
}

export type WebviewMessage =
  | ReadyMessage
  | SelectRunsMessage
  | SetSmoothingMessage
  | SetScaleMessage
  | ExportCsvMessage
  | ExportPngMessage
  | RequestSnapshotMessage
  | OpenDashboardMessage;

// ---------------------------------------------------------------------------------------------
// Field validators. Each returns the value when valid, or FAIL.

const FAIL: unique symbol = Symbol('invalid');
type Checked<T> = T | typeof FAIL;

class Invalid extends Error {}

/** Throws Invalid; used inside parsers so one failed field rejects the whole message. */
function must<T>(value: Checked<T>): T {
  if (value === FAIL) throw new Invalid();
  return value;
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

// C0/C1 controls other than tab: never expected in names, and they garble status lines.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f]/;

function text(x: unknown, max: number, allowEmpty = false): Checked<string> {
  if (typeof x !== 'string' || x.length > max || (!allowEmpty && x.length === 0) || CONTROL.test(x)) return FAIL;
  return x;
}

function finite(x: unknown): Checked<number> {
  return typeof x === 'number' && Number.isFinite(x) ? x : FAIL;
}

function inRange(x: unknown, min: number, max: number): Checked<number> {
  return typeof x === 'number' && x >= min && x <= max ? x : FAIL;
}

function count(x: unknown): Checked<number> {
  return typeof x === 'number' && Number.isSafeInteger(x) && x >= 0 ? x : FAIL;
}

function finiteOrNull(x: unknown): Checked<number | null> {
  return x === null ? null : finite(x);
}

function oneOf<T extends string>(x: unknown, allowed: readonly T[]): Checked<T> {
  return typeof x === 'string' && (allowed as readonly string[]).includes(x) ? (x as T) : FAIL;
}

function array(x: unknown, max: number): Checked<readonly unknown[]> {
  return Array.isArray(x) && x.length <= max ? x : FAIL;
}

function listOf<T>(x: unknown, max: number, item: (v: unknown) => T): T[] {
  return must(array(x, max)).map(item);
}

/** Numbers in a tight loop: this runs over snapshots of hundreds of thousands of points. */
function numberArray(x: unknown, max: number): number[] {
  const arr = must(array(x, max));
  for (let i = 0; i < arr.length; i++) {
    const n = arr[i];
    if (typeof n !== 'number' || !Number.isFinite(n)) throw new Invalid();
  }
  return arr as number[];
}

function nullableNumberArray(x: unknown, max: number): (number | null)[] {
  const arr = must(array(x, max));
  for (let i = 0; i < arr.length; i++) {
    const n = arr[i];
    if (n !== null && (typeof n !== 'number' || !Number.isFinite(n))) throw new Invalid();
  }
  return arr as (number | null)[];
}

function optional<T>(x: unknown, parse: (v: unknown) => T): T | undefined {
  return x === undefined ? undefined : parse(x);
}

const runId = (x: unknown): string => must(text(x, LIMITS.idChars));
const runIds = (x: unknown): string[] => listOf(x, LIMITS.runs, runId);

function runInfo(x: unknown): RunInfo {
  if (!isRecord(x)) throw new Invalid();
  return {
    id: runId(x.id),
    label: must(text(x.label, LIMITS.labelChars)),
    state: must(oneOf(x.state, RUN_STATES)),
    startTime: must(finiteOrNull(x.startTime)),
    env: x.env === null ? null : must(text(x.env, LIMITS.idChars)),
  };
}

function seriesKey(x: unknown): SeriesKey {
  if (!isRecord(x)) throw new Invalid();
  if (x.kind === 'metric') {
    return { kind: 'metric', run: runId(x.run), split: must(oneOf(x.split, SPLITS)), metric: must(text(x.metric, LIMITS.metricNameChars)) };
  }
  if (x.kind === 'gpu') {
    return {
      kind: 'gpu',
      gpu: must(inRange(must(count(x.gpu)), 0, LIMITS.gpus - 1)),
      name: must(text(x.name, LIMITS.labelChars, true)),
      metric: must(oneOf(x.metric, ['util', 'mem'] as const)),
    };
  }
  throw new Invalid();
}

function seriesData(x: unknown): SeriesData {
  if (!isRecord(x)) throw new Invalid();
  const t = numberArray(x.t, LIMITS.pointsPerSeries);
  const v = nullableNumberArray(x.v, LIMITS.pointsPerSeries);
  if (t.length !== v.length) throw new Invalid();
  for (let i = 1; i < t.length; i++) if (t[i]! < t[i - 1]!) throw new Invalid();
  return { key: seriesKey(x.key), t, v, nonFinite: must(count(x.nonFinite)) };
}

function seriesList(x: unknown): SeriesData[] {
  const list = listOf(x, LIMITS.seriesPerMessage, seriesData);
  let points = 0;
  for (const s of list) points += s.t.length;
  if (points > LIMITS.pointsPerMessage) throw new Invalid();
  return list;
}

function runEvent(x: unknown): RunEvent {
  if (!isRecord(x)) throw new Invalid();
  return { run: runId(x.run), time: must(finite(x.time)), event: must(oneOf(x.event, RUN_EVENT_NAMES)) };
}

function ingestStats(x: unknown): IngestStats {
  if (!isRecord(x)) throw new Invalid();
  return { lines: must(count(x.lines)), rejected: must(count(x.rejected)), oversized: must(count(x.oversized)) };
}

function dashboardConfig(x: unknown): DashboardConfig {
  if (!isRecord(x)) throw new Invalid();
  return { smoothing: must(inRange(x.smoothing, 0, MAX_SMOOTHING)), scale: must(oneOf(x.scale, ['linear', 'log'] as const)) };
}

const percentOrNull = (x: unknown): number | null => (x === null ? null : must(inRange(x, 0, 100)));
const nonNegativeOrNull = (x: unknown): number | null => (x === null ? null : must(inRange(x, 0, Number.MAX_VALUE)));

function gpuSpark(x: unknown): GpuSpark {
  if (!isRecord(x)) throw new Invalid();
  const t = numberArray(x.t, LIMITS.sparkPoints);
  const util = nullableNumberArray(x.util, LIMITS.sparkPoints);
  const mem = nullableNumberArray(x.mem, LIMITS.sparkPoints);
  if (util.length !== t.length || mem.length !== t.length) throw new Invalid();
  return { t, util, mem };
}

function runRef(x: unknown): GpuCard['run'] {
  if (x === null) return null;
  if (!isRecord(x)) throw new Invalid();
  return { id: runId(x.id), label: must(text(x.label, LIMITS.labelChars)) };
}

function gpuCard(x: unknown): GpuCard {
  if (!isRecord(x)) throw new Invalid();
  return {
    index: must(inRange(must(count(x.index)), 0, LIMITS.gpus - 1)),
    name: must(text(x.name, LIMITS.labelChars, true)),
    utilPct: percentOrNull(x.utilPct),
    memUsedMiB: nonNegativeOrNull(x.memUsedMiB),
    memTotalMiB: nonNegativeOrNull(x.memTotalMiB),
    tempC: x.tempC === null ? null : must(inRange(x.tempC, -100, 300)),
    powerW: nonNegativeOrNull(x.powerW),
    powerLimitW: nonNegativeOrNull(x.powerLimitW),
    spark: gpuSpark(x.spark),
    run: runRef(x.run),
  };
}

function envUsage(x: unknown): EnvUsage {
  if (!isRecord(x)) throw new Invalid();
  return {
    // CPU percent is per core summed (400 % on four busy cores), as top shows it.
    cpuPct: x.cpuPct === null ? null : must(inRange(x.cpuPct, 0, 100 * 4096)),
    memUsedMiB: nonNegativeOrNull(x.memUsedMiB),
    memTotalMiB: nonNegativeOrNull(x.memTotalMiB),
  };
}

function gpuPanelSnapshot(x: unknown): GpuPanelSnapshot {
  if (!isRecord(x)) throw new Invalid();
  return {
    time: must(finiteOrNull(x.time)),
    env: x.env === null ? null : must(text(x.env, LIMITS.idChars)),
    cards: listOf(x.cards, LIMITS.gpus, gpuCard),
    usage: x.usage === null ? null : envUsage(x.usage),
    noGpuReason: x.noGpuReason === null ? null : must(text(x.noGpuReason, LIMITS.textChars)),
    stale: must(x.stale === true || x.stale === false ? x.stale : FAIL),
  };
}

// ---------------------------------------------------------------------------------------------
// Message parsers

type Parsers<M extends { type: string }> = { [K in M['type']]: (x: Record<string, unknown>) => Extract<M, { type: K }> };

const hostParsers: Parsers<HostMessage> = {
  snapshot: (x) => ({
    type: 'snapshot',
    seq: must(count(x.seq)),
    runs: listOf(x.runs, LIMITS.runs, runInfo),
    selectedRuns: runIds(x.selectedRuns),
    series: seriesList(x.series),
    events: listOf(x.events, LIMITS.eventsPerMessage, runEvent),
    stats: ingestStats(x.stats),
  }),
  append: (x) => ({
    type: 'append',
    seq: must(count(x.seq)),
    series: seriesList(x.series),
    events: listOf(x.events, LIMITS.eventsPerMessage, runEvent),
    stats: ingestStats(x.stats),
  }),
  runs: (x) => ({ type: 'runs', runs: listOf(x.runs, LIMITS.runs, runInfo), selectedRuns: runIds(x.selectedRuns) }),
  gpu: (x) => ({ type: 'gpu', snapshot: gpuPanelSnapshot(x.snapshot) }),
  theme: (x) => ({ type: 'theme', kind: must(oneOf(x.kind, ['light', 'dark', 'highContrast', 'highContrastLight'] as const)) }),
  config: (x) => ({ type: 'config', config: dashboardConfig(x.config) }),
};

const PNG_DATA_URL = /^data:image\/png;base64,[A-Za-z0-9+/]+={0,2}$/;
// A file name, not a path: no separators, no leading dot, no reserved characters.
const FILE_NAME = /^[^./\\:*?"<>|][^/\\:*?"<>|]*$/;

const webviewParsers: Parsers<WebviewMessage> = {
  ready: (x) => ({
    type: 'ready',
    view: must(oneOf(x.view, ['dashboard', 'monitor'] as const)),
    protocol: must(count(x.protocol)),
    selectedRuns: optional(x.selectedRuns, runIds),
  }),
  selectRuns: (x) => ({ type: 'selectRuns', runs: runIds(x.runs) }),
  setSmoothing: (x) => ({ type: 'setSmoothing', value: must(inRange(x.value, 0, MAX_SMOOTHING)) }),
  setScale: (x) => ({ type: 'setScale', scale: must(oneOf(x.scale, ['linear', 'log'] as const)) }),
  exportCsv: () => ({ type: 'exportCsv' }),
  exportPng: (x) => {
    const dataUrl = must(typeof x.dataUrl === 'string' && x.dataUrl.length <= LIMITS.dataUrlChars ? x.dataUrl : FAIL);
    if (!PNG_DATA_URL.test(dataUrl)) throw new Invalid();
    const suggestedName = must(text(x.suggestedName, LIMITS.fileNameChars));
    if (!FILE_NAME.test(suggestedName)) throw new Invalid();
    return { type: 'exportPng', dataUrl, suggestedName };
  },
  requestSnapshot: (x) => ({ type: 'requestSnapshot', reason: must(oneOf(x.reason, ['seq-gap', 'overflow', 'reveal', 'user'] as const)) }),
  openDashboard: (x) => ({ type: 'openDashboard', run: x.run === null ? null : runId(x.run) }),
};

function parseWith<M extends { type: string }>(parsers: Parsers<M>, x: unknown): M | undefined {
  if (!isRecord(x) || typeof x.type !== 'string' || !Object.prototype.hasOwnProperty.call(parsers, x.type)) return undefined;
  const parse = (parsers as Record<string, (x: Record<string, unknown>) => M>)[x.type]!;
  try {
    return parse(x);
  } catch (error) {
    if (error instanceof Invalid) return undefined;
    throw error;
  }
}

/** A message posted by a webview, or undefined when anything about it is off. */
export function parseWebviewMessage(x: unknown): WebviewMessage | undefined {
  return parseWith(webviewParsers, x);
}

/** A message posted by the extension host, or undefined when anything about it is off. */
export function parseHostMessage(x: unknown): HostMessage | undefined {
  return parseWith(hostParsers, x);
}

/** A stable string for a series key, for maps on both sides. */
export function seriesId(key: SeriesKey): string {
  return key.kind === 'metric' ? `m\u0000${key.run}\u0000${key.split}\u0000${key.metric}` : `g\u0000${key.gpu}\u0000${key.metric}`;
}
