/**
 * The dashboard's metrics: one MetricsTail per shown run, on the shared session of the run's
 * environment, kept attached by followMetrics across dropped connections. A tail remembers its
 * byte offset, so showing a run again continues where it stopped: no line is fed twice.
 */
import type { SshSession } from '../../core/ssh/session';
import type { LocalApi } from '../../core/local-api';
import type { HistorySink, MetricsTail } from '../../core/metrics/metrics-tail';
import type { MetricsLine } from '../../core/metrics/parse-metrics-line';
import { messageOf } from '../../shared/errors';
import { DASHBOARD_LIMITS } from '../../shared/protocol/dashboard';
import type { Disposable } from '../ui';
import type { Log } from '../log';

export interface RunLocation {
  readonly environment: string;
  /** metrics.jsonl inside the environment. */
  readonly path: string;
}

export interface MetricsFollowerDeps {
  /** The core's metrics tail and its reconnect loop (loaded with the core, the first time a run is followed). */
  readonly core: () => Promise<Pick<LocalApi, 'MetricsTail' | 'followMetrics' | 'DEFAULT_WINDOW_BYTES'>>;
  /** Where a run's metrics are; undefined while the runs list does not know it yet. */
  readonly locate: (runId: string) => RunLocation | undefined;
  /** The environment's live session (the shared one; opened again after a drop). */
  readonly connect: (environment: string) => Promise<SshSession>;
  /** Keeps that session open while a tail uses it. */
  readonly hold: (environment: string) => Disposable;
  readonly feed: {
    ingestLines(runId: string, lines: readonly MetricsLine[]): void;
    /** Where a run's older lines go when the newest were shown first (a long file, after a reload). */
    beginHistory(runId: string): HistorySink;
    resetRun(runId: string): void;
  };
  readonly log: Log;
  /** Tails kept (with their offsets) for runs not shown any more; the oldest are forgotten. */
  readonly maxKept?: number;
}

interface Following {
  readonly controller: AbortController;
  readonly done: Promise<void>;
}

export class MetricsFollowers implements Disposable {
  private wanted: readonly string[] = [];
  private readonly tails = new Map<string, MetricsTail>();
  private readonly following = new Map<string, Following>();
  private readonly stopping = new Map<string, Promise<void>>();

  constructor(private readonly deps: MetricsFollowerDeps) {}

  /** Follows exactly these runs (as many as the dashboard can show). */
  setRuns(runIds: readonly string[]): void {
    this.wanted = [...new Set(runIds)].slice(0, DASHBOARD_LIMITS.runs);
    this.sync();
  }

  /** The runs list changed: a run shown before it was listed can be followed now. */
  sync(): void {
    for (const [id, following] of this.following) {
      if (this.wanted.includes(id)) continue;
      following.controller.abort();
      this.following.delete(id);
      this.stopping.set(id, following.done);
    }
    for (const id of this.wanted) {
      if (this.following.has(id)) continue;
      const location = this.deps.locate(id);
      if (location) this.start(id, location);
    }
  }

  followed(): string[] {
    return [...this.following.keys()];
  }

  dispose(): void {
    this.wanted = [];
    this.sync();
  }

  private start(id: string, location: RunLocation): void {
    const controller = new AbortController();
    const previous = this.stopping.get(id) ?? Promise.resolve();
    const done = previous.then(() => this.follow(id, location, controller.signal));
    this.following.set(id, { controller, done });
  }

  private async follow(id: string, location: RunLocation, signal: AbortSignal): Promise<void> {
    this.stopping.delete(id);
    if (signal.aborted) return;
    const core = await this.deps.core();
    if (signal.aborted) return;
    const tail = this.tailOf(core, id, location.path);
    const hold = this.deps.hold(location.environment);
    try {
      await core.followMetrics(tail, () => this.deps.connect(location.environment), signal, {
        onError: (error) => this.deps.log.debug(`metrics of ${id}: ${messageOf(error)}`),
      });
    } finally {
      hold.dispose();
    }
  }

  private tailOf(core: Pick<LocalApi, 'MetricsTail' | 'DEFAULT_WINDOW_BYTES'>, id: string, path: string): MetricsTail {
    let tail = this.tails.get(id);
    if (!tail) {
      const feed = this.deps.feed;
      tail = new core.MetricsTail({
        path,
        onLines: (lines) => feed.ingestLines(id, lines),
        onReset: () => feed.resetRun(id),
        newestFirst: { windowBytes: core.DEFAULT_WINDOW_BYTES, history: () => feed.beginHistory(id) },
      });
      this.tails.set(id, tail);
      this.forgetOldest();
    }
    return tail;
  }

  private forgetOldest(): void {
    const max = this.deps.maxKept ?? 64;
    for (const id of this.tails.keys()) {
      if (this.tails.size <= max) return;
      if (this.following.has(id)) continue;
      // Its lines are in the feed: forget them too, so following it again from 0 feeds none twice.
      this.tails.delete(id);
      this.deps.feed.resetRun(id);
    }
  }
}
