import type { ListedRun } from '../../core/runs/run-facts';
import { messageOf } from '../../shared/errors';
import type { RunState } from '../../shared/protocol/dashboard';
import type { Disposable, KeyValueStore } from '../ui';
import type { Log } from '../log';
import { Emitter } from '../util/emitter';

export type EnvironmentRunsState =
  | { readonly kind: 'loading' }
  | { readonly kind: 'ready'; readonly runs: readonly ListedRun[] }
  | { readonly kind: 'failed'; readonly message: string };

export interface EnvironmentRuns {
  readonly environment: string;
  readonly state: EnvironmentRunsState;
}

export interface RunRef {
  readonly environment: string;
  readonly listing: ListedRun;
}

/** Where the model gets its data: the store's running environments and the runner's list over SSH. */
export interface RunsSource {
  runningEnvironments(): Promise<readonly string[]>;
  list(environment: string): Promise<readonly ListedRun[]>;
}

export interface RunsPollOptions {
  /** While a view shows the runs and one of them is active. */
  readonly activeMs: number;
  /** While only a run started from this window is active (for its finish notification). */
  readonly trackedMs: number;
  /** A tracked run is given up after this long (a week: longer than any sensible run). */
  readonly maxTrackedMs: number;
}

export const DEFAULT_POLL: RunsPollOptions = { activeMs: 3000, trackedMs: 5000, maxTrackedMs: 7 * 24 * 3600 * 1000 };

/** workspaceState key: the runs started from this workspace's window whose end is still to be announced. */
export const TRACKED_RUNS_KEY = 'gpuEnv.trackedRuns';

interface TrackedRun {
  readonly environment: string;
  readonly since: number;
}

/** What a store holds under TRACKED_RUNS_KEY, checked entry by entry: anything malformed is dropped. */
export function parseTrackedRuns(value: unknown, notBefore: number): Map<string, TrackedRun> {
  const tracked = new Map<string, TrackedRun>();
  if (!Array.isArray(value)) return tracked;
  for (const entry of value.slice(0, 1000)) {
    if (typeof entry !== 'object' || entry === null) continue;
    const { id, environment, since } = entry as Record<string, unknown>;
    if (typeof id !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/.test(id)) continue;
    if (typeof environment !== 'string' || environment === '' || environment.length > 128) continue;
    if (typeof since !== 'number' || !Number.isFinite(since) || since < notBefore) continue;
    tracked.set(id, { environment, since });
  }
  return tracked;
}

const FINISHED: ReadonlySet<RunState> = new Set(['succeeded', 'failed', 'stopped']);

export function isActive(run: ListedRun): boolean {
  return run.facts.active;
}

/**
 * The runs of every running environment, as the runner lists them. Nothing is read until a view
 * asks. It polls only while a viewer (the Runs view, the dashboard) is visible and some run is
 * active, or while a run started from this window has not ended; otherwise it is quiet.
 * `onDidFinish` fires once per run this window saw active (or started) and then saw end.
 */
export class RunsModel implements Disposable {
  private groupsByEnvironment = new Map<string, EnvironmentRuns>();
  private loadedOnce = false;
  private loading: Promise<void> | undefined;
  private pendingReload = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private disposed = false;
  private readonly viewers = new Set<string>();
  private readonly seenActive = new Set<string>();
  private readonly tracked = new Map<string, TrackedRun>();
  private trackedStore: KeyValueStore | undefined;
  private readonly changed = new Emitter<void>();
  private readonly finished = new Emitter<RunRef>();
  readonly onDidChange = this.changed.event;
  readonly onDidFinish = this.finished.event;

  constructor(
    private readonly source: RunsSource,
    private readonly log: Log,
    private readonly poll: RunsPollOptions = DEFAULT_POLL,
    private readonly now: () => number = Date.now,
  ) {}

  get loaded(): boolean {
    return this.loadedOnce;
  }

  groups(): EnvironmentRuns[] {
    return [...this.groupsByEnvironment.values()];
  }

  all(): RunRef[] {
    return this.groups().flatMap((group) => (group.state.kind === 'ready' ? group.state.runs.map((listing) => ({ environment: group.environment, listing })) : []));
  }

  find(id: string): RunRef | undefined {
    return this.all().find((ref) => ref.listing.id === id);
  }

  ensureLoaded(): Promise<void> {
    return this.loadedOnce ? (this.loading ?? Promise.resolve()) : this.refresh();
  }

  /** Lists again now; a call during a list makes that one run once more rather than overlap it. */
  refresh(): Promise<void> {
    if (this.disposed) return Promise.resolve();
    if (this.loading) {
      this.pendingReload = true;
      return this.loading;
    }
    this.loading = this.loadUntilSettled().finally(() => {
      this.loading = undefined;
      this.schedule();
    });
    return this.loading;
  }

  /** The environments changed: list again, but only for someone looking or a run being followed. */
  refreshIfWatched(): void {
    if (this.loadedOnce && (this.viewers.size > 0 || this.tracked.size > 0)) void this.refresh();
  }

  /** A viewer became visible or hidden; polling follows. */
  setViewer(name: string, visible: boolean): void {
    if (visible) this.viewers.add(name);
    else this.viewers.delete(name);
    if (visible && this.loadedOnce) void this.refresh();
    else this.schedule();
  }

  /** A run this window started: followed until it ends, so its end is announced. */
  track(environment: string, id: string): void {
    this.tracked.set(id, { environment, since: this.now() });
    this.seenActive.add(id);
    this.saveTracked();
  }

  /**
   * Keeps the followed runs in `store` (workspaceState), so a window reloaded or reopened during a
   * run still announces its end; the runs saved there are followed again now.
   */
  persistTracked(store: KeyValueStore): void {
    this.trackedStore = store;
    const saved = parseTrackedRuns(store.get(TRACKED_RUNS_KEY), this.now() - this.poll.maxTrackedMs);
    for (const [id, run] of saved) {
      if (this.tracked.has(id)) continue;
      this.tracked.set(id, run);
      this.seenActive.add(id);
    }
    if (saved.size > 0) this.schedule();
  }

  isTracked(id: string): boolean {
    return this.tracked.has(id);
  }

  dispose(): void {
    this.disposed = true;
    if (this.timer) clearTimeout(this.timer);
    this.changed.dispose();
    this.finished.dispose();
  }

  private async loadUntilSettled(): Promise<void> {
    do {
      this.pendingReload = false;
      await this.loadOnce();
    } while (this.pendingReload && !this.disposed);
  }

  private async loadOnce(): Promise<void> {
    let listed: readonly string[];
    try {
      listed = await this.source.runningEnvironments();
    } catch (error) {
      this.log.warn(`runs: cannot list environments: ${messageOf(error)}`);
      listed = [];
    }
    // The environment of a run just started here is asked even if the engine's list lags behind.
    const trackedEnvironments = [...this.tracked.values()].map((t) => t.environment);
    const environments = [...new Set([...listed, ...trackedEnvironments])].sort();
    const next = new Map<string, EnvironmentRuns>();
    for (const environment of environments) next.set(environment, this.groupsByEnvironment.get(environment) ?? { environment, state: { kind: 'loading' } });
    const lists = await Promise.all(environments.map(async (environment): Promise<EnvironmentRuns> => {
      try {
        return { environment, state: { kind: 'ready', runs: await this.source.list(environment) } };
      } catch (error) {
        const message = messageOf(error);
        // Polling repeats a lasting failure (e.g. an environment of another state folder): say it once.
        const before = this.groupsByEnvironment.get(environment)?.state;
        if (before?.kind !== 'failed' || before.message !== message) this.log.warn(`runs in ${environment}: ${message}`);
        return { environment, state: { kind: 'failed', message } };
      }
    }));
    if (this.disposed) return;
    for (const group of lists) next.set(group.environment, group);
    this.groupsByEnvironment = next;
    this.loadedOnce = true;
    this.announceFinished(new Set(listed));
    this.changed.fire();
  }

  private announceFinished(runningEnvironments: ReadonlySet<string>): void {
    const trackedBefore = this.tracked.size;
    for (const ref of this.all()) {
      const { id, facts } = ref.listing;
      if (facts.active) {
        this.seenActive.add(id);
      } else if (FINISHED.has(facts.state) && this.seenActive.delete(id)) {
        this.tracked.delete(id);
        this.finished.fire(ref);
      }
    }
    // Given up: too old, its environment is gone, or its process is gone without an end (not resumed).
    const cutoff = this.now() - this.poll.maxTrackedMs;
    for (const [id, { environment, since }] of this.tracked) {
      const ref = this.find(id);
      const environmentGone = !runningEnvironments.has(environment) && this.groupsByEnvironment.get(environment)?.state.kind === 'failed';
      if (since < cutoff || environmentGone || (ref && ref.listing.facts.state === 'unknown')) this.tracked.delete(id);
    }
    // Entries only leave here, so a smaller map is a changed one: saved once per list.
    if (this.tracked.size !== trackedBefore) this.saveTracked();
  }

  private saveTracked(): void {
    const store = this.trackedStore;
    if (!store) return;
    const value = [...this.tracked].map(([id, run]) => ({ id, environment: run.environment, since: run.since }));
    store.update(TRACKED_RUNS_KEY, value).catch((error: unknown) => this.log.warn(`runs: cannot save the followed runs: ${messageOf(error)}`));
  }

  private schedule(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const delay = this.nextPollMs();
    if (delay === undefined || this.disposed) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.refresh();
    }, delay);
  }

  private nextPollMs(): number | undefined {
    const runs = this.all();
    if (this.viewers.size > 0 && runs.some((ref) => isActive(ref.listing))) return this.poll.activeMs;
    // A tracked run not listed yet (the first list can race the start) counts as active.
    const trackedActive = [...this.tracked.keys()].some((id) => {
      const ref = runs.find((r) => r.listing.id === id);
      return !ref || isActive(ref.listing);
    });
    return trackedActive ? this.poll.trackedMs : undefined;
  }
}
