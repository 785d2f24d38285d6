/**
 * Follows a run's metrics.jsonl in the environment over SSH, by byte offset.
 *
 * One long-lived `tail -c +OFFSET -F` per attach: no polling, lines arrive as they are written.
 * The byte offset just past the last complete line is kept across attaches, so after a reconnect
 * the next attach resumes exactly there: no line twice, no line lost, a partial last line held
 * back until it is complete. `followMetrics` is the reconnect loop around it.
 *
 * Newest first: a dashboard opened on a long run (a reload re-attaches from offset 0) must not
 * wait for the whole file. With `newestFirst`, the first attach to a file longer than the window
 * follows it from its last `windowBytes`, and once those are in, reads the lines before them on a
 * second channel into a HistoryFill, which joins them to the front in one change when complete.
 */
import type { RemoteProcess, SshSession } from '../ssh/session';
import { backoffDelay } from '../util/backoff';
import { LineSplitter } from './line-splitter';
import { DEFAULT_PARSE_LIMITS, parseMetricsLine, type MetricsLine, type ParseLimits } from './parse-metrics-line';
import { pause } from '../util/abort';

/** Where older lines go while they are read (DashboardFeed.beginHistory makes one). */
export interface HistorySink {
  ingest(lines: readonly MetricsLine[]): void;
  complete(): void;
  abandon(): void;
}

export interface NewestFirstOptions {
  /** How much of the end of the file is followed first. */
  readonly windowBytes: number;
  /** A sink for the lines before the window; asked again when a read did not complete. */
  readonly history: () => HistorySink;
}

export interface MetricsTailOptions {
  /** Path of metrics.jsonl inside the environment. */
  readonly path: string;
  /** Byte offset to start from: 0, or the `offset` of a previous tail of the same file. */
  readonly startOffset?: number;
  readonly maxLineBytes?: number;
  readonly parseLimits?: ParseLimits;
  /** Complete lines, parsed, in file order, as each chunk brings them; `endOffset` is the byte offset just past the last. */
  readonly onLines: (lines: readonly MetricsLine[], endOffset: number) => void;
  /** The file shrank or was replaced: everything delivered before belongs to a file that is gone. */
  readonly onReset?: () => void;
  readonly newestFirst?: NewestFirstOptions;
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
/** About 1,600 lines of a typical run: more points than a chart is wide, and little to read, send and draw (with 1 MiB the first chart took ~1.5 times as long in a real page). */
export const DEFAULT_WINDOW_BYTES = 256 * 1024;

// GNU tail -F reports these on stderr when the file is truncated, replaced, or reappears.
const RESET_NOTICE = /file truncated|has been replaced|has appeared/;
const TOO_LONG: MetricsLine = { kind: 'rejected', reason: 'too-long' };
/** windowedTailCommand's first line is two numbers: anything longer is not it. */
const MAX_HEADER_BYTES = 64;

export class MetricsTail {
  private committed: number;
  private attached = false;
  private lastOversizedStart = -1;
  private counters = { lines: 0, rejected: 0, oversized: 0, bytes: 0, attaches: 0, resets: 0 };
  /** Following from inside a line (the window's start): its rest belongs to the history. */
  private skipPartial = false;
  /** The history to read, bytes [0, historyEnd), once the window's first line is known. */
  private historyEnd: number | undefined;
  /** The windowed command's first line was not what it prints: follow from the start instead. */
  private windowRefused = false;

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

  /** True while lines before the followed part are still to be read (newest first). */
  get historyPending(): boolean {
    return this.skipPartial || this.historyEnd !== undefined;
  }

  /** Tails on this session until the command ends, the session closes, or `signal` aborts. */
  async attach(session: SshSession, signal?: AbortSignal): Promise<TailEnd> {
    if (this.attached) throw new Error('MetricsTail is already attached');
    if (signal?.aborted) return 'aborted';
    this.attached = true;
    this.counters.attaches++;
    try {
      const windowBytes = this.windowToAsk();
      const command = windowBytes === undefined ? tailCommand(this.options.path, this.committed) : windowedTailCommand(this.options.path, windowBytes);
      const process = await session.spawn(command, signal ? { signal } : {});
      return await this.pump(process, session, signal, windowBytes !== undefined);
    } finally {
      this.attached = false;
    }
  }

  /** On a first attach with `newestFirst`, the window to follow from; otherwise nothing. */
  private windowToAsk(): number | undefined {
    const newestFirst = this.options.newestFirst;
    return newestFirst && !this.windowRefused && this.committed === 0 && !this.historyPending ? newestFirst.windowBytes : undefined;
  }

  /**
   * `windowed`: the command's first line says where it started and the file's size then (see
   * windowedTailCommand): one round trip to the first lines rather than a size probe before the tail.
   */
  private async pump(process: RemoteProcess, session: SshSession, signal: AbortSignal | undefined, windowed: boolean): Promise<TailEnd> {
    let live = true;
    let startedAt = this.committed;
    let batch: MetricsLine[] = [];
    let splitter: LineSplitter | undefined;
    let header: Buffer | undefined = windowed ? Buffer.alloc(0) : undefined;
    const history = new AbortController();
    let historyRead: Promise<void> | undefined;
    // Behind the window: the history starts once the window's bytes are in (at once on a later attach).
    let historyAfter = startedAt;
    const startHistory = (): void => {
      if (historyRead || this.historyEnd === undefined || this.skipPartial || history.signal.aborted) return;
      historyRead = this.readHistory(session, this.historyEnd, history.signal);
    };
    const begin = (windowEnd: number | undefined): void => {
      startedAt = this.committed;
      historyAfter = windowEnd ?? startedAt;
      splitter = new LineSplitter(startedAt, this.options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES, {
        line: (text, endOffset) => {
          if (!this.skippedPartial(endOffset)) batch.push(this.parse(text));
        },
        oversized: (start, endOffset) => {
          if (!this.skippedPartial(endOffset)) batch.push(this.dropOversized(start));
        },
      });
      if (windowEnd === undefined) startHistory();
    };
    if (!windowed) begin(undefined);
    let resetSeen!: () => void;
    const reset = new Promise<'reset'>((resolve) => (resetSeen = () => resolve('reset')));
    let badHeader!: () => void;
    const malformed = new Promise<'exited'>((resolve) => (badHeader = () => resolve('exited')));
    process.stdout.on('data', (chunk: Buffer | string) => {
      if (!live) return;
      let bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      if (header !== undefined) {
        header = Buffer.concat([header, bytes]);
        const newline = header.indexOf(10);
        if (newline < 0 && header.length <= MAX_HEADER_BYTES) return;
        const start = newline < 0 ? undefined : parseWindowHeader(header.subarray(0, newline).toString('latin1'));
        bytes = header.subarray(newline + 1);
        header = undefined;
        if (start === undefined) {
          // Not our command's answer (a shell that prints on its own?): follow the plain way from 0 next time.
          this.windowRefused = true;
          live = false;
          badHeader();
          return;
        }
        if (start.offset > 0) {
          this.committed = start.offset;
          this.skipPartial = true;
        }
        begin(start.offset > 0 ? start.size : undefined);
        if (bytes.length === 0) return;
      }
      const lines = splitter!;
      this.counters.bytes += bytes.length;
      lines.push(bytes);
      this.committed = lines.committedOffset;
      const windowIn = this.committed + lines.pendingBytes >= historyAfter;
      // The window is handed out whole, so that the first picture already ends at the newest line.
      if (batch.length > 0 && windowIn) {
        const out = batch;
        batch = [];
        this.options.onLines(out, this.committed);
      }
      if (windowIn) startHistory();
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
      malformed,
    ]);
    live = false;
    process.close();
    // Lines of a window cut short are handed out all the same: the offset is already past them.
    if (batch.length > 0) this.options.onLines(batch, this.committed);
    history.abort();
    await historyRead;
    if (end === 'reset') this.restartFromZero();
    return end;
  }

  /** The window's first "line" is the rest of one the history holds: skipped, and the history ends there. */
  private skippedPartial(endOffset: number): boolean {
    if (!this.skipPartial) return false;
    this.skipPartial = false;
    this.historyEnd = endOffset;
    return true;
  }

  /**
   * Reads bytes [0, end) on a channel of its own into a fresh sink; completes it only when every
   * byte came and ended on a line, else abandons it (the next attach reads again).
   */
  private async readHistory(session: SshSession, end: number, signal: AbortSignal): Promise<void> {
    const newestFirst = this.options.newestFirst;
    if (!newestFirst) return;
    const sink = newestFirst.history();
    let complete: boolean;
    try {
      const process = await session.spawn(headCommand(this.options.path, end), { signal });
      let batch: MetricsLine[] = [];
      const splitter = new LineSplitter(0, this.options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES, {
        line: (text) => batch.push(parseMetricsLine(text, this.options.parseLimits ?? DEFAULT_PARSE_LIMITS)),
        oversized: () => batch.push(TOO_LONG),
      });
      const drained = new Promise<void>((resolve) => {
        process.stdout.once('end', resolve);
        process.stdout.once('close', resolve);
      });
      process.stdout.on('data', (chunk: Buffer | string) => {
        if (signal.aborted) return;
        splitter.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
        if (batch.length > 0) {
          sink.ingest(batch);
          batch = [];
        }
      });
      const stopped = new Promise<'stopped'>((resolve) => {
        if (signal.aborted) resolve('stopped');
        signal.addEventListener('abort', () => resolve('stopped'), { once: true });
      });
      const exit = await Promise.race([Promise.all([process.exit, drained]).then(([e]) => e, () => undefined), stopped]);
      process.close();
      complete = exit !== 'stopped' && exit?.code === 0 && !signal.aborted && splitter.committedOffset === end && splitter.pendingBytes === 0;
    } catch {
      complete = false;
    }
    if (complete && this.historyEnd === end) {
      this.historyEnd = undefined;
      sink.complete();
    } else {
      sink.abandon();
    }
  }

  private parse(text: string): MetricsLine {
    const line = parseMetricsLine(text, this.options.parseLimits ?? DEFAULT_PARSE_LIMITS);
    this.counters.lines++;
    if (line.kind === 'rejected' && line.reason !== 'empty') this.counters.rejected++;
    return line;
  }

  private dropOversized(start: number): MetricsLine {
    // A reconnect in the middle of an oversized line meets it again; count it once.
    if (start !== this.lastOversizedStart) this.counters.oversized++;
    this.lastOversizedStart = start;
    this.counters.lines++;
    return TOO_LONG;
  }

  private restartFromZero(): void {
    this.committed = 0;
    this.lastOversizedStart = -1;
    this.skipPartial = false;
    this.historyEnd = undefined;
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

/**
 * tailCommand from the start of the file's last `windowBytes` (from 0 when it is shorter, or not
 * there yet), after a first line "OFFSET SIZE": where it started, and the size it measured. The
 * window may begin inside a line; the reader skips up to the first newline.
 */
export function windowedTailCommand(path: string, windowBytes: number): string {
  if (!Number.isSafeInteger(windowBytes) || windowBytes <= 0) throw new RangeError(`bad window ${windowBytes}`);
  const file = shellQuote(path);
  return `s=$(wc -c < ${file} 2>/dev/null); case "$s" in ''|*[!0-9]*) s=0 ;; esac; o=0; if [ "$s" -gt ${windowBytes} ]; then o=$((s - ${windowBytes})); fi; echo "$o $s"; `
    + `tail -c +$((o + 1)) -F -- ${file} & t=$!; trap 'kill $t 2>/dev/null; exit 0' HUP INT TERM; cat >/dev/null; kill $t 2>/dev/null`;
}

/** windowedTailCommand's first line: where it started and the size it measured, or nothing when malformed. */
export function parseWindowHeader(text: string): { offset: number; size: number } | undefined {
  const match = /^(\d{1,15}) (\d{1,15})$/.exec(text.trim());
  if (!match) return undefined;
  const offset = Number(match[1]);
  const size = Number(match[2]);
  return offset <= size ? { offset, size } : undefined;
}

/** The first `bytes` bytes of the file. */
export function headCommand(path: string, bytes: number): string {
  if (!Number.isSafeInteger(bytes) || bytes < 0) throw new RangeError(`bad length ${bytes}`);
  return `head -c ${bytes} -- ${shellQuote(path)}`;
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
