/**
 * Keeps the sampling agent running in an environment over ONE long-lived SSH channel and turns
 * its output into typed events.
 *
 * When the channel or the connection drops, it emits one `gap` event (so charts break the line
 * instead of joining across missing time) and reconnects with capped exponential backoff and
 * jitter. Everything is bounded: line length, stderr kept for diagnostics, backoff, and no
 * queue (events are delivered as lines arrive). `stop()` ends it and closes what it opened.
 */
import type { RemoteExit, RemoteProcess, SshSession } from '../ssh/session';
import { messageOf } from '../errors';
import { formatMs, sleep } from '../util/abort';
import { backoffDelay } from '../util/backoff';
import { LineSplitter } from '../metrics/line-splitter';
import { type AgentInvocation, NO_PYTHON_EXIT_CODE } from './agent-invocation';
import { MAX_AGENT_LINE_CHARS, parseAgentLine } from './parse-agent-line';
import type { AgentHello, GpuSample } from './types';

export type MonitorEvent =
  | { readonly kind: 'connecting'; readonly attempt: number }
  | { readonly kind: 'hello'; readonly hello: AgentHello }
  | { readonly kind: 'sample'; readonly sample: GpuSample; readonly receivedAtMs: number }
  /** The stream broke after delivering samples: nothing is known from lastSampleAtMs on. */
  | { readonly kind: 'gap'; readonly atMs: number; readonly lastSampleAtMs: number; readonly reason: string }
  | { readonly kind: 'waiting'; readonly attempt: number; readonly delayMs: number; readonly reason: string }
  | { readonly kind: 'rejected-line'; readonly reason: string }
  | { readonly kind: 'stopped' };

export interface MonitorStreamOptions {
  /** Opens a new SSH session to the environment; called again after the connection drops. */
  readonly openSession: (signal: AbortSignal) => Promise<SshSession>;
  readonly agent: AgentInvocation;
  readonly onEvent: (event: MonitorEvent) => void;
  readonly baseDelayMs?: number;
  readonly maxDelayMs?: number;
  readonly maxLineBytes?: number;
  /** No byte from the agent for this long means a dead connection (half-open TCP). */
  readonly stallTimeoutMs?: number;
  readonly random?: () => number;
  readonly now?: () => number;
}

export interface MonitorStats {
  readonly samples: number;
  readonly rejectedLines: number;
  readonly oversizedLines: number;
  readonly partialLinesDropped: number;
  readonly attaches: number;
  readonly failedAttaches: number;
  readonly gaps: number;
}

export interface MonitorStream {
  /** Resolves when the stream has stopped and everything it opened is closed. */
  readonly done: Promise<void>;
  stop(): Promise<void>;
  stats(): MonitorStats;
}

interface AttachEnd {
  readonly reason: string;
  /** The session is unusable (closed, stalled, or spawn failed): open a new one. */
  readonly sessionBroken: boolean;
}

export const DEFAULT_MAX_AGENT_LINE_BYTES = MAX_AGENT_LINE_CHARS;
const STDERR_TAIL_CHARS = 2048;
const EXIT_GRACE_MS = 1000;

export function startMonitorStream(options: MonitorStreamOptions): MonitorStream {
  return new MonitorStreamRunner(options);
}

function describeExit(exit: RemoteExit, stderrTail: string): string {
  const lastLine = stderrTail.trim().split('\n').pop()?.slice(0, 300) ?? '';
  const detail = lastLine ? `: ${lastLine}` : '';
  if (exit.code === NO_PYTHON_EXIT_CODE) return `python3 not found in the environment${detail}`;
  if (exit.signal) return `agent ended by signal ${exit.signal}${detail}`;
  return `agent exited with code ${exit.code ?? 'unknown'}${detail}`;
}

function onceEvent(emitter: NodeJS.EventEmitter, names: readonly string[]): Promise<void> {
  return new Promise((resolve) => {
    for (const name of names) emitter.once(name, () => resolve());
  });
}

class MonitorStreamRunner implements MonitorStream {
  readonly done: Promise<void>;
  private readonly stopController = new AbortController();
  private readonly now: () => number;
  private session: SshSession | null = null;
  private sessionClosed = false;
  private lastSampleAtMs: number | null = null;
  private counters = {
    samples: 0, rejectedLines: 0, oversizedLines: 0, partialLinesDropped: 0,
    attaches: 0, failedAttaches: 0, gaps: 0,
  };

  constructor(private readonly options: MonitorStreamOptions) {
    this.now = options.now ?? Date.now;
    this.done = this.loop();
  }

  async stop(): Promise<void> {
    this.stopController.abort();
    await this.done;
  }

  stats(): MonitorStats {
    return { ...this.counters };
  }

  private get stopped(): boolean {
    return this.stopController.signal.aborted;
  }

  private emit(event: MonitorEvent): void {
    try {
      this.options.onEvent(event);
    } catch {
      // A failing listener must not take the stream down with it.
    }
  }

  private async loop(): Promise<void> {
    let failures = 0;
    while (!this.stopped) {
      this.emit({ kind: 'connecting', attempt: failures });
      const samplesBefore = this.counters.samples;
      const end = await this.attachOnce();
      if (this.stopped) break;
      if (end.sessionBroken) this.dropSession();
      const deliveredSamples = this.counters.samples > samplesBefore;
      if (deliveredSamples) this.emitGap(end.reason);
      else this.counters.failedAttaches++;
      failures = deliveredSamples ? 0 : failures + 1;
      const delayMs = backoffDelay(failures, this.options.baseDelayMs ?? 500, this.options.maxDelayMs ?? 30_000,
        this.options.random ?? Math.random);
      this.emit({ kind: 'waiting', attempt: failures, delayMs, reason: end.reason });
      await sleep(delayMs, this.stopController.signal).catch(() => undefined);
    }
    this.dropSession();
    this.emit({ kind: 'stopped' });
  }

  private emitGap(reason: string): void {
    if (this.lastSampleAtMs === null) return;
    this.counters.gaps++;
    this.emit({ kind: 'gap', atMs: this.now(), lastSampleAtMs: this.lastSampleAtMs, reason });
  }

  private async ensureSession(): Promise<SshSession> {
    if (this.session !== null && !this.sessionClosed) return this.session;
    this.dropSession();
    const session = await this.options.openSession(this.stopController.signal);
    this.session = session;
    this.sessionClosed = false;
    session.closed.then(
      () => { if (this.session === session) this.sessionClosed = true; },
      () => { if (this.session === session) this.sessionClosed = true; },
    );
    return session;
  }

  private dropSession(): void {
    const session = this.session;
    this.session = null;
    if (session === null) return;
    try {
      session.close();
    } catch {
      // Already closed.
    }
  }

  private async attachOnce(): Promise<AttachEnd> {
    this.counters.attaches++;
    let session: SshSession;
    try {
      session = await this.ensureSession();
    } catch (error) {
      return { reason: `cannot connect: ${messageOf(error)}`, sessionBroken: true };
    }
    if (this.stopped) return { reason: 'stopped', sessionBroken: false };
    let remote: RemoteProcess;
    try {
      remote = await session.spawn(this.options.agent.command, { signal: this.stopController.signal });
    } catch (error) {
      return { reason: `cannot start the agent: ${messageOf(error)}`, sessionBroken: true };
    }
    return this.pump(remote, session);
  }

  private async pump(remote: RemoteProcess, session: SshSession): Promise<AttachEnd> {
    let live = true;
    let stderrTail = '';
    const splitter = new LineSplitter(0, this.options.maxLineBytes ?? DEFAULT_MAX_AGENT_LINE_BYTES, {
      line: (text) => { if (live) this.deliver(text); },
      oversized: () => { if (live) this.counters.oversizedLines++; },
    });
    const stall = new StallTimer(this.stallTimeoutMs());
    remote.stdin.on('error', () => undefined); // EPIPE when the agent dies before reading all
    remote.stdout.on('error', () => undefined);
    remote.stderr.on('error', () => undefined);
    remote.stdout.on('data', (chunk: Buffer | string) => {
      if (!live) return;
      stall.reset();
      splitter.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
    });
    remote.stderr.on('data', (chunk: Buffer | string) => {
      stderrTail = (stderrTail + chunk.toString()).slice(-STDERR_TAIL_CHARS);
    });
    remote.stdin.end(this.options.agent.stdin);

    const stopped = new Promise<AttachEnd>((resolve) => {
      const signal = this.stopController.signal;
      if (signal.aborted) resolve({ reason: 'stopped', sessionBroken: false });
      signal.addEventListener('abort', () => resolve({ reason: 'stopped', sessionBroken: false }), { once: true });
    });
    const exited = Promise.race([
      remote.exit,
      onceEvent(remote.stdout, ['end', 'close']).then(() => withTimeout(remote.exit, EXIT_GRACE_MS)),
    ]).then(
      (exit): AttachEnd => ({ reason: exit ? describeExit(exit, stderrTail) : 'the agent\'s channel closed', sessionBroken: false }),
      (error: unknown): AttachEnd => ({ reason: `agent channel failed: ${messageOf(error)}`, sessionBroken: true }),
    );
    const closed = session.closed.then(
      (): AttachEnd => ({ reason: 'SSH connection closed', sessionBroken: true }),
      (): AttachEnd => ({ reason: 'SSH connection closed', sessionBroken: true }),
    );
    const stalled = stall.fired.then((): AttachEnd => ({
      reason: `no data from the agent for ${formatMs(this.stallTimeoutMs())}`,
      sessionBroken: true,
    }));
    try {
      return await Promise.race([exited, closed, stalled, stopped]);
    } finally {
      live = false;
      stall.cancel();
      if (splitter.pendingBytes > 0) this.counters.partialLinesDropped++;
      try {
        remote.close();
      } catch {
        // Already closed.
      }
    }
  }

  private stallTimeoutMs(): number {
    return this.options.stallTimeoutMs ?? Math.max(10_000, 5 * this.options.agent.intervalMs);
  }

  private deliver(text: string): void {
    const line = parseAgentLine(text);
    if (!line.ok) {
      this.counters.rejectedLines++;
      this.emit({ kind: 'rejected-line', reason: line.reason });
      return;
    }
    if (line.kind === 'hello') {
      this.emit({ kind: 'hello', hello: line.hello });
      return;
    }
    const receivedAtMs = this.now();
    this.counters.samples++;
    this.lastSampleAtMs = receivedAtMs;
    this.emit({ kind: 'sample', sample: line.sample, receivedAtMs });
  }
}

/** Resolves `fired` when `reset()` has not been called for `timeoutMs`. */
class StallTimer {
  readonly fired: Promise<void>;
  private fire!: () => void;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly timeoutMs: number) {
    this.fired = new Promise((resolve) => (this.fire = resolve));
    this.reset();
  }

  reset(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.fire(), this.timeoutMs);
  }

  cancel(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | null> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
