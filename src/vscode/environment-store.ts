import type { EnvironmentInfo } from '../core/lifecycle/environment-info';
import { messageOf } from '../shared/errors';
import type { Disposable } from './ui';
import type { Log } from './log';
import { Emitter } from './util/emitter';

export type StoreState =
  | { readonly kind: 'idle' }
  | { readonly kind: 'loading' }
  | { readonly kind: 'ready'; readonly environments: readonly EnvironmentInfo[] }
  | { readonly kind: 'failed'; readonly message: string };

/** Where the store gets its data: the core's `list` and event watcher in the extension, fakes in tests. */
export interface StoreSource {
  list(): Promise<EnvironmentInfo[]>;
  /** Calls `onChange` whenever the engine reports a change, the watcher lost the engine, or reconnected. */
  watch(onChange: () => void): Promise<Disposable>;
}

/**
 * The environments as last read from the engine, shared by the tree and the status bar. Nothing is
 * read until something asks (`ensureLoaded`, when the view is first shown); after that, engine events
 * trigger a debounced re-list, so a burst (stop → die → kill) costs one list.
 */
export class EnvironmentStore implements Disposable {
  private state: StoreState = { kind: 'idle' };
  private readonly changed = new Emitter<StoreState>();
  readonly onDidChange = this.changed.event;
  private watcher: Promise<Disposable | undefined> | undefined;
  private loading: Promise<void> | undefined;
  private pendingReload = false;
  private debounce: ReturnType<typeof setTimeout> | undefined;
  private disposed = false;

  constructor(
    private readonly source: StoreSource,
    private readonly log: Log,
    private readonly debounceMs = 250,
  ) {}

  current(): StoreState {
    return this.state;
  }

  environments(): readonly EnvironmentInfo[] {
    return this.state.kind === 'ready' ? this.state.environments : [];
  }

  find(name: string): EnvironmentInfo | undefined {
    return this.environments().find((info) => info.name === name);
  }

  /** The first call starts watching the engine and loads; later calls wait for the load in flight, if any. */
  ensureLoaded(): Promise<void> {
    if (this.state.kind === 'idle' && !this.loading) {
      this.startWatching();
      return this.refresh();
    }
    return this.loading ?? Promise.resolve();
  }

  /** Re-lists now; a call during a load makes that load run once more rather than overlap it. */
  refresh(): Promise<void> {
    if (this.loading) {
      this.pendingReload = true;
      return this.loading;
    }
    if (this.state.kind !== 'ready') this.setState({ kind: 'loading' });
    this.loading = this.loadUntilSettled().finally(() => {
      this.loading = undefined;
    });
    return this.loading;
  }

  /**
   * After a command changed an environment: start following the engine if nothing did yet (so the
   * status bar item learns when it stops), else re-list soon.
   */
  refreshSoon(): void {
    if (this.state.kind === 'idle') void this.ensureLoaded();
    else this.scheduleRefresh();
  }

  scheduleRefresh(): void {
    if (this.disposed || this.state.kind === 'idle') return;
    if (this.debounce) clearTimeout(this.debounce);
    this.debounce = setTimeout(() => {
      this.debounce = undefined;
      void this.refresh();
    }, this.debounceMs);
  }

  /** The engine setting changed: follow the new engine's events and re-list. */
  reconnect(): void {
    if (this.state.kind === 'idle') return;
    this.stopWatching();
    this.startWatching();
    void this.refresh();
  }

  dispose(): void {
    this.disposed = true;
    if (this.debounce) clearTimeout(this.debounce);
    this.stopWatching();
    this.changed.dispose();
  }

  private async loadUntilSettled(): Promise<void> {
    do {
      this.pendingReload = false;
      try {
        const environments = await this.source.list();
        if (!this.disposed) this.setState({ kind: 'ready', environments });
      } catch (error) {
        this.log.warn(`listing environments failed: ${messageOf(error)}`);
        if (!this.disposed) this.setState({ kind: 'failed', message: messageOf(error) });
      }
    } while (this.pendingReload && !this.disposed);
  }

  private startWatching(): void {
    this.watcher = this.source.watch(() => this.scheduleRefresh()).catch((error: unknown) => {
      this.log.warn(`cannot follow engine events: ${messageOf(error)}`);
      return undefined;
    });
  }

  private stopWatching(): void {
    void this.watcher?.then((watcher) => watcher?.dispose());
    this.watcher = undefined;
  }

  private setState(state: StoreState): void {
    this.state = state;
    this.changed.fire(state);
  }
}
