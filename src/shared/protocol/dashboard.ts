/**
 * The training dashboard's protocol: the host answers `ready` with the page's labels and the
 * remembered chart settings, then streams metric and GPU series (a snapshot, then appends numbered
 * by `seq`) and the run list; the webview posts the user's choices and exports. Shared rules
 * (validation, bounds, null for non-finite, labels) are in common.ts.
 */
import { initFields, label, LIMITS, readyFields, runId, type InitFields, type ReadyFields } from './common';
import { DASHBOARD_LABELS } from './dashboard-labels';
import {
  count,
  FAIL,
  finite,
  finiteOrNull,
  inRange,
  Invalid,
  isRecord,
  listOf,
  must,
  nullable,
  nullableNumberArray,
  numberArray,
  oneOf,
  optional,
  parseWith,
  text,
  type Parsers,
} from './validate';

/** Bounds of the dashboard's messages, beyond the common LIMITS. */
export const DASHBOARD_LIMITS = {
  metricNameChars: 128,
  runs: 1000,
  seriesPerMessage: 4096,
  pointsPerSeries: 250_000,
  pointsPerMessage: 4_000_000,
  eventsPerMessage: 10_000,
  dataUrlChars: 48 * 1024 * 1024,
  fileNameChars: 255,
} as const;

// ---------------------------------------------------------------------------------------------
// Value types

export const SPLITS = ['train', 'val', 'test'] as const;
export type Split = (typeof SPLITS)[number];

export const Y_SCALES = ['linear', 'log'] as const;
export type YScale = (typeof Y_SCALES)[number];

export const RUN_STATES = ['starting', 'running', 'succeeded', 'failed', 'stopped', 'unknown'] as const;
export type RunState = (typeof RUN_STATES)[number];

export const RUN_EVENT_NAMES = ['start', 'resume', 'checkpoint', 'end'] as const;
export type RunEventName = (typeof RUN_EVENT_NAMES)[number];

export const GPU_SERIES_METRICS = ['util', 'mem'] as const;
export type GpuSeriesMetric = (typeof GPU_SERIES_METRICS)[number];

/** Why the webview asks for a full snapshot. */
export const SNAPSHOT_REASONS = ['seq-gap', 'overflow', 'reveal', 'user'] as const;
export type SnapshotReason = (typeof SNAPSHOT_REASONS)[number];

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
  /** Values dropped because their metric would have been a series over the host's series limit. */
  readonly overSeriesLimit: number;
}

/** What a snapshot left out to stay within its budget: whole series, and points thinned away (min/max kept). */
export interface SnapshotThinning {
  readonly series: number;
  readonly points: number;
}

export interface DashboardConfig {
  /** EMA weight in [0, MAX_SMOOTHING]. */
  readonly smoothing: number;
  readonly scale: YScale;
}

export const MAX_SMOOTHING = 0.999;

/** A stable string for a series key, for maps on both sides. */
export function seriesId(key: SeriesKey): string {
  return key.kind === 'metric' ? `m\u0000${key.run}\u0000${key.split}\u0000${key.metric}` : `g\u0000${key.gpu}\u0000${key.metric}`;
}

// ---------------------------------------------------------------------------------------------
// Host → webview

export interface DashboardInitMessage extends InitFields<typeof DASHBOARD_LABELS> {
  readonly config: DashboardConfig;
}

export interface SnapshotMessage {
  readonly type: 'snapshot';
  /** Sequence of data messages; an `append` with seq ≠ last + 1 means one was lost. */
  readonly seq: number;
  readonly runs: readonly RunInfo[];
  readonly selectedRuns: readonly string[];
  readonly series: readonly SeriesData[];
  readonly events: readonly RunEvent[];
  readonly stats: IngestStats;
  readonly thinned: SnapshotThinning;
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

export type DashboardHostMessage = DashboardInitMessage | SnapshotMessage | AppendMessage | RunsMessage;

// ---------------------------------------------------------------------------------------------
// Webview → host

export interface DashboardReadyMessage extends ReadyFields<'dashboard'> {
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

export type DashboardWebviewMessage =
  | DashboardReadyMessage
  | SelectRunsMessage
  | SetSmoothingMessage
  | SetScaleMessage
  | ExportCsvMessage
  | ExportPngMessage
  | RequestSnapshotMessage;

// ---------------------------------------------------------------------------------------------
// Validators

const runIds = (x: unknown): string[] => listOf(x, DASHBOARD_LIMITS.runs, runId);

function runInfo(x: unknown): RunInfo {
  if (!isRecord(x)) throw new Invalid();
  return {
    id: runId(x.id),
    label: label(x.label),
    state: must(oneOf(x.state, RUN_STATES)),
    startTime: must(finiteOrNull(x.startTime)),
    env: nullable(x.env, runId),
  };
}

const runList = (x: unknown): RunInfo[] => listOf(x, DASHBOARD_LIMITS.runs, runInfo);

function seriesKey(x: unknown): SeriesKey {
  if (!isRecord(x)) throw new Invalid();
  if (x.kind === 'metric') {
    return { kind: 'metric', run: runId(x.run), split: must(oneOf(x.split, SPLITS)), metric: must(text(x.metric, DASHBOARD_LIMITS.metricNameChars)) };
  }
  if (x.kind === 'gpu') {
    return {
      kind: 'gpu',
      gpu: must(inRange(must(count(x.gpu)), 0, LIMITS.gpus - 1)),
      name: must(text(x.name, LIMITS.labelChars, true)),
      metric: must(oneOf(x.metric, GPU_SERIES_METRICS)),
    };
  }
  throw new Invalid();
}

function seriesData(x: unknown): SeriesData {
  if (!isRecord(x)) throw new Invalid();
  const t = numberArray(x.t, DASHBOARD_LIMITS.pointsPerSeries);
  const v = nullableNumberArray(x.v, DASHBOARD_LIMITS.pointsPerSeries);
  if (t.length !== v.length) throw new Invalid();
  for (let i = 1; i < t.length; i++) if (t[i]! < t[i - 1]!) throw new Invalid();
  return { key: seriesKey(x.key), t, v, nonFinite: must(count(x.nonFinite)) };
}

function seriesList(x: unknown): SeriesData[] {
  const list = listOf(x, DASHBOARD_LIMITS.seriesPerMessage, seriesData);
  let points = 0;
  for (const s of list) points += s.t.length;
  if (points > DASHBOARD_LIMITS.pointsPerMessage) throw new Invalid();
  return list;
}

function runEvent(x: unknown): RunEvent {
  if (!isRecord(x)) throw new Invalid();
  return { run: runId(x.run), time: must(finite(x.time)), event: must(oneOf(x.event, RUN_EVENT_NAMES)) };
}

const runEvents = (x: unknown): RunEvent[] => listOf(x, DASHBOARD_LIMITS.eventsPerMessage, runEvent);

function ingestStats(x: unknown): IngestStats {
  if (!isRecord(x)) throw new Invalid();
  return { lines: must(count(x.lines)), rejected: must(count(x.rejected)), oversized: must(count(x.oversized)), overSeriesLimit: must(count(x.overSeriesLimit)) };
}

function snapshotThinning(x: unknown): SnapshotThinning {
  if (!isRecord(x)) throw new Invalid();
  return { series: must(count(x.series)), points: must(count(x.points)) };
}

const smoothing = (x: unknown): number => must(inRange(x, 0, MAX_SMOOTHING));
const yScale = (x: unknown): YScale => must(oneOf(x, Y_SCALES));

function dashboardConfig(x: unknown): DashboardConfig {
  if (!isRecord(x)) throw new Invalid();
  return { smoothing: smoothing(x.smoothing), scale: yScale(x.scale) };
}

const hostParsers: Parsers<DashboardHostMessage> = {
  init: (x) => ({ ...initFields(x, DASHBOARD_LABELS), config: dashboardConfig(x.config) }),
  snapshot: (x) => ({
    type: 'snapshot',
    seq: must(count(x.seq)),
    runs: runList(x.runs),
    selectedRuns: runIds(x.selectedRuns),
    series: seriesList(x.series),
    events: runEvents(x.events),
    stats: ingestStats(x.stats),
    thinned: snapshotThinning(x.thinned),
  }),
  append: (x) => ({ type: 'append', seq: must(count(x.seq)), series: seriesList(x.series), events: runEvents(x.events), stats: ingestStats(x.stats) }),
  runs: (x) => ({ type: 'runs', runs: runList(x.runs), selectedRuns: runIds(x.selectedRuns) }),
};

const PNG_DATA_URL = /^data:image\/png;base64,[A-Za-z0-9+/]+={0,2}$/;
// A file name, not a path: no separators, no leading dot, no reserved characters.
const FILE_NAME = /^[^./\\:*?"<>|][^/\\:*?"<>|]*$/;

const webviewParsers: Parsers<DashboardWebviewMessage> = {
  ready: (x) => ({ ...readyFields(x, 'dashboard'), selectedRuns: optional(x.selectedRuns, runIds) }),
  selectRuns: (x) => ({ type: 'selectRuns', runs: runIds(x.runs) }),
  setSmoothing: (x) => ({ type: 'setSmoothing', value: smoothing(x.value) }),
  setScale: (x) => ({ type: 'setScale', scale: yScale(x.scale) }),
  exportCsv: () => ({ type: 'exportCsv' }),
  exportPng: (x) => {
    const dataUrl = must(typeof x.dataUrl === 'string' && x.dataUrl.length <= DASHBOARD_LIMITS.dataUrlChars ? x.dataUrl : FAIL);
    if (!PNG_DATA_URL.test(dataUrl)) throw new Invalid();
    const suggestedName = must(text(x.suggestedName, DASHBOARD_LIMITS.fileNameChars));
    if (!FILE_NAME.test(suggestedName)) throw new Invalid();
    return { type: 'exportPng', dataUrl, suggestedName };
  },
  requestSnapshot: (x) => ({ type: 'requestSnapshot', reason: must(oneOf(x.reason, SNAPSHOT_REASONS)) }),
};

/** A message the dashboard webview posted, or undefined when anything about it is off. */
export function parseDashboardWebviewMessage(x: unknown): DashboardWebviewMessage | undefined {
  return parseWith(webviewParsers, x);
}

/** A message the host posted to the dashboard, or undefined when anything about it is off. */
export function parseDashboardHostMessage(x: unknown): DashboardHostMessage | undefined {
  return parseWith(hostParsers, x);
}
