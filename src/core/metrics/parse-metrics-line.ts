/**
 * One line of a run's `metrics.jsonl` → a typed point, an event, or a rejection with a reason.
 *
 * Non-finite values arrive as the strings "NaN", "Infinity", "-Infinity" (JSON has no literal for
 * them). Python's json.dumps writes bare NaN/Infinity by default, so a line that fails JSON.parse
 * only because of such bare tokens is accepted too: a user's own logging code should not lose its
 * divergence points.
 */
import type { RunEventName, Split } from '../../shared/protocol/dashboard';

export type { Split };
export type MetricsEventName = RunEventName;

export interface MetricsPoint {
  readonly kind: 'point';
  readonly time: number;
  readonly step: number;
  readonly epoch: number | null;
  readonly split: Split;
  /** Metric name → value (may be NaN or ±Infinity). A Map, so names like `__proto__` are just names. */
  readonly values: ReadonlyMap<string, number>;
}

export interface MetricsEvent {
  readonly kind: 'event';
  readonly time: number;
  readonly event: MetricsEventName;
  readonly step: number | null;
}

export type RejectReason =
  | 'empty'
  | 'too-long'
  | 'invalid-json'
  | 'not-object'
  | 'unsupported-version'
  | 'bad-time'
  | 'bad-step'
  | 'bad-split'
  | 'unknown-event';

export interface RejectedLine {
  readonly kind: 'rejected';
  readonly reason: RejectReason;
}

export type MetricsLine = MetricsPoint | MetricsEvent | RejectedLine;

export interface ParseLimits {
  /** Longest accepted line, in UTF-16 code units (the tail bounds bytes before decoding). */
  readonly maxLineChars: number;
  /** Metric fields beyond this many are ignored: a runaway logger must not create 10k series. */
  readonly maxMetricsPerLine: number;
  readonly maxMetricNameChars: number;
}

export const DEFAULT_PARSE_LIMITS: ParseLimits = { maxLineChars: 64 * 1024, maxMetricsPerLine: 64, maxMetricNameChars: 128 };

const SPLITS = new Set<string>(['train', 'val', 'test']);
const EVENTS = new Set<string>(['start', 'resume', 'checkpoint', 'end']);
const NON_FINITE: Readonly<Record<string, number>> = { NaN: NaN, Infinity: Infinity, '-Infinity': -Infinity };

const reject = (reason: RejectReason): RejectedLine => ({ kind: 'rejected', reason });

export function parseMetricsLine(line: string, limits: ParseLimits = DEFAULT_PARSE_LIMITS): MetricsLine {
  if (line.length > limits.maxLineChars) return reject('too-long');
  // JSON.parse skips surrounding white space itself; only a line it refuses is looked at again.
  const json = parseJson(line);
  if (json === undefined) return reject(line.trim() === '' ? 'empty' : 'invalid-json');
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return reject('not-object');
  const record = json as Record<string, unknown>;
  if (record.v !== 1) return reject('unsupported-version');
  const time = record.time;
  if (typeof time !== 'number' || !Number.isFinite(time) || time < 0) return reject('bad-time');
  return 'event' in record ? parseEvent(record, time) : parsePoint(record, time, limits);
}

function parseEvent(record: Record<string, unknown>, time: number): MetricsLine {
  const event = record.event;
  if (typeof event !== 'string' || !EVENTS.has(event)) return reject('unknown-event');
  const step = record.step;
  if (step !== undefined && !isStep(step)) return reject('bad-step');
  return { kind: 'event', time, event: event as MetricsEventName, step: step === undefined ? null : (step as number) };
}

function parsePoint(record: Record<string, unknown>, time: number, limits: ParseLimits): MetricsLine {
  if (!isStep(record.step)) return reject('bad-step');
  if (typeof record.split !== 'string' || !SPLITS.has(record.split)) return reject('bad-split');
  const epoch = metricValue(record.epoch);
  return {
    kind: 'point',
    time,
    step: record.step,
    epoch: epoch !== undefined && Number.isFinite(epoch) ? epoch : null,
    split: record.split as Split,
    values: metricValues(record, limits),
  };
}

function metricValues(record: Record<string, unknown>, limits: ParseLimits): Map<string, number> {
  const values = new Map<string, number>();
  for (const name in record) {
    if (values.size >= limits.maxMetricsPerLine) break;
    if (name.length === 0 || name.length > limits.maxMetricNameChars || isReservedField(name)) continue;
    const value = metricValue(record[name]);
    // Strings, booleans and nested objects are annotations, not series: ignored, not rejected.
    if (value !== undefined) values.set(name, value);
  }
  return values;
}

/**
 * The line's own fields, not metrics. A switch: JSON.parse's keys are internalised strings, so this
 * is a few pointer compares, cheaper than a Set's hash lookup for each of a line's ~10 keys.
 */
function isReservedField(name: string): boolean {
  switch (name) {
    case 'v':
    case 'time':
    case 'step':
    case 'epoch':
    case 'split':
    case 'event':
      return true;
    default:
      return false;
  }
}

function metricValue(x: unknown): number | undefined {
  if (typeof x === 'number') return x;
  if (typeof x === 'string' && Object.prototype.hasOwnProperty.call(NON_FINITE, x)) return NON_FINITE[x];
  return undefined;
}

function isStep(x: unknown): x is number {
  return typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;
}

function parseJson(text: string): unknown {
  if (text.length === 0) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    const quoted = quoteBareNonFinite(text);
    if (quoted === text) return undefined;
    try {
      return JSON.parse(quoted) as unknown;
    } catch {
      return undefined;
    }
  }
}

const BARE_TOKENS = ['-Infinity', 'Infinity', 'NaN'];

/** Quotes bare NaN/Infinity/-Infinity tokens that appear outside JSON strings. */
export function quoteBareNonFinite(text: string): string {
  let out = '';
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (inString) {
      out += c;
      if (c === '\\') out += text[++i] ?? '';
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') {
      inString = true;
      out += c;
      continue;
    }
    const token = BARE_TOKENS.find((t) => text.startsWith(t, i));
    if (token !== undefined) {
      out += `"${token}"`;
      i += token.length - 1;
    } else {
      out += c;
    }
  }
  return out;
}
