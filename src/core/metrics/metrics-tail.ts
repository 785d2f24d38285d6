/**
 * Follows a run's metrics.jsonl in the environment over SSH, by byte offset.
 *
 * One long-lived `tail -c +OFFSET -F` per attach: no polling, lines arrive as they are written.
 * The byte offset just past the last complete line is kept across attaches, so after a reconnect
 * the next attach resumes exactly there: no line twice, no line lost, a partial last line held
 * back until it is complete. `followMetrics` is the reconnect loop around it.
 */
import type { RemoteProcess, SshSession } from '../ssh/session';
import { backoffDelay } from '../util/backoff';
import { LineSplitter } from './line-splitter';
import { DEFAULT_PARSE_LIMITS, parseMetricsLine, type MetricsLine, type ParseLimits } from './parse-metrics-line';
import { pause } from '../util/abort';

export interface MetricsTailOptions {
  /** Path of metrics.jsonl inside the environment. */
  readonly path: string;
  /** Byte offset to start from: 0, or the `offset` of a previous tail of the same file. */
  readonly startOffset?: number;
  readonly maxLineBytes?: number;
  readonly parseLimits?: ParseLimits;
  /** Every complete line, parsed; `endOffset` is the byte offset just past it. */
  readonly onLine: (line: MetricsLine, endOffset: number) => void;
  /** The file shrank or was replaced: everything delivered before belongs to a file that is gone. */
  readonly onReset?: () => void;
}

export interface TailStats {
  readonly lines: number;
  readonly rejected: number;
  readonly oversized: number;
  readonly bytes: number;
  readonly attaches: number;
  readonly resets: number;
}

/** Why an attach ended: the remote command exited, the session closed, the caller aborted, or the file was reset. */
export type TailEnd = 'exited' | 'closed' | 'aborted' | 'reset';

export const DEFAULT_MAX_LINE_BYTES = 64 * 1024;

// GNU tail -F reports these on stderr when the file is truncated, replaced, or reappears.
const RESET_NOTICE = /file truncated|has been replaced|has appeared/;

export class MetricsTail {
  private committed: number;
  private attached = false;
  private lastOversizedStart = -1;
  private counters = { lines: 0, rejected: 0, oversized: 0, bytes: 0, attaches: 0, resets: 0 };

  constructor(private readonly options: MetricsTailOptions) {
    this.committed = options.startOffset ?? 0;
  }

  /** Byte offset just past the last complete line delivered; where the next attach starts. */
  get offset(): number {
    return this.committed;
  }

  get stats(): TailStats {
    return { ...this.counters };
  }

  /** Tails on this session until the command ends, the session closes, or `signal` aborts. */
  async attach(session: SshSession, signal?: AbortSignal): Promise<TailEnd> {
    if (this.attached) throw new Error('MetricsTail is already attached');
    if (signal?.aborted) return 'aborted';
    this.attached = true;
    this.counters.attaches++;
    try {
      const process = await session.spawn(tailCommand(this.options.path, this.committed), signal ? { signal } : {});
      return await this.pump(process, session, signal);
    } finally {
      this.attached = false;
    }
  }

  private async pump(process: RemoteProcess, session: SshSession, signal: AbortSignal | undefined): Promise<TailEnd> {
    let live = true;
    const startedAt = this.committed;
    const splitter = new LineSplitter(startedAt, this.options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES, {
      line: (text, endOffset) => this.deliver(text, endOffset),
      oversized: (start, endOffset) => this.dropOversized(start, endOffset),
    });
    let resetSeen!: () => void;
    const reset = new Promise<'reset'>((resolve) => (resetSeen = () => resolve('reset')));
    process.stdout.on('data', (chunk: Buffer | string) => {
      if (!live) return;
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      this.counters.bytes += bytes.length;
      splitter.push(bytes);
      this.committed = splitter.committedOffset;
    });
    process.stderr.on('data', (chunk: Buffer | string) => {
      // "has appeared" at offset 0 is the file being created: nothing to undo.
      const notice = chunk.toString();
      if (live && RESET_NOTICE.test(notice) && !(startedAt === 0 && this.committed === 0 && /has appeared/.test(notice))) resetSeen();
    });
    const aborted = new Promise<'aborted'>((resolve) => {
      if (signal?.aborted) resolve('aborted');
      signal?.addEventListener('abort', () => resolve('aborted'), { once: true });
    });
    const end = await Promise.race([
      process.exit.then(() => 'exited' as const, () => 'exited' as const),
      session.closed.then(() => 'closed' as const, () => 'closed' as const),
      aborted,
      reset,
    ]);
    live = false;
    process.close();
    if (end === 'reset') this.restartFromZero();
    return end;
  }

  private deliver(text: string, endOffset: number): void {
    const line = parseMetricsLine(text, this.options.parseLimits ?? DEFAULT_PARSE_LIMITS);
    this.counters.lines++;
    if (line.kind === 'rejected' && line.reason !== 'empty') this.counters.rejected++;
    this.options.onLine(line, endOffset);
  }

  private dropOversized(start: number, endOffset: number): void {
    // A reconnect in the middle of an oversized line meets it again; count it once.
    if (start !== this.lastOversizedStart) this.counters.oversized++;
    this.lastOversizedStart = start;
    this.counters.lines++;
    this.options.onLine({ kind: 'rejected', reason: 'too-long' }, endOffset);
  }

  private restartFromZero(): void {
    this.committed = 0;
    this.lastOversizedStart = -1;
    this.counters.resets++;
    this.options.onReset?.();
  }
}

/**
 * The remote command. `tail -c +N` is 1-based. The tail runs in the background and is killed when
 * stdin reaches EOF (the channel closed) or the shell is hung up, so a dropped connection does not
 * leave a `tail -F` behind in the container for every reconnect.
 */
export function tailCommand(path: string, offset: number): string {
  if (!Number.isSafeInteger(offset) || offset < 0) throw new RangeError(`bad offset ${offset}`);
  return `tail -c +${offset + 1} -F -- ${shellQuote(path)} & t=$!; trap 'kill $t 2>/dev/null; exit 0' HUP INT TERM; cat >/dev/null; kill $t 2>/dev/null`;
}

export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

export interface FollowOptions {
  readonly baseDelayMs?: number;
  readonly maxDelayMs?: number;
  readonly onError?: (error: unknown) => void;
  readonly sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

/**
 * Keeps `tail` attached until `signal` aborts: a new session from `connect` after every drop,
 * with capped backoff. The offset carries over, so a reconnect neither repeats nor skips lines.
 */
export async function followMetrics(tail: MetricsTail, connect: () => Promise<SshSession>, signal: AbortSignal, options: FollowOptions = {}): Promise<void> {
  const sleep = options.sleep ?? pause;
  let failures = 0;
  while (!signal.aborted) {
    const offsetBefore = tail.offset;
    let end: TailEnd | 'failed';
    try {
      end = await tail.attach(await connect(), signal);
    } catch (error) {
      options.onError?.(error);
      end = 'failed';
    }
    if (end === 'aborted' || signal.aborted) return;
    if (end === 'reset') continue;
    failures = tail.offset > offsetBefore ? 0 : failures + 1;
    await sleep(backoffDelay(failures, options.baseDelayMs ?? 500, options.maxDelayMs ?? 30_000), signal).catch(() => undefined);
  }
}
