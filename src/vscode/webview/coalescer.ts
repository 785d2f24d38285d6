/**
 * Paces updates to one webview: at most `maxPerSecond` sends, the first one immediately.
 *
 * While the webview is hidden it keeps nothing but a dirty flag: VS Code drops messages to hidden
 * webviews, so a queue of deltas would be both wasted memory and wrong. When it is shown again the
 * next send is a full snapshot, never a backlog of deltas. The coalescer does not know what the
 * data is: it calls `sendSnapshot` or `sendDelta`, and a delta that cannot be served (returns
 * false) becomes a snapshot.
 */

export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: Clock = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export interface CoalescerTarget {
  sendSnapshot(): void;
  /** Sends what changed; false when only a snapshot can bring the webview up to date. */
  sendDelta(): boolean;
}

export class Coalescer {
  private visible: boolean;
  private dirty = false;
  private snapshotDue = true;
  private lastSend = -Infinity;
  private timer: unknown;
  private disposed = false;
  private readonly intervalMs: number;
  private readonly clock: Clock;

  constructor(
    private readonly target: CoalescerTarget,
    options: { maxPerSecond?: number; visible?: boolean; clock?: Clock } = {},
  ) {
    this.clock = options.clock ?? systemClock;
    this.intervalMs = 1000 / (options.maxPerSecond ?? 10);
    this.visible = options.visible ?? true;
  }

  /** Data changed. */
  markDirty(): void {
    this.dirty = true;
    this.schedule();
  }

  /** The webview asked (ready, lost a message) or the selection changed: next send is a snapshot. */
  requestSnapshot(): void {
    this.snapshotDue = true;
    this.dirty = true;
    this.schedule();
  }

  setVisible(visible: boolean): void {
    if (visible === this.visible) return;
    this.visible = visible;
    if (!visible) {
      this.cancelTimer();
      return;
    }
    this.snapshotDue = true;
    this.dirty = true;
    this.schedule();
  }

  get isDirty(): boolean {
    return this.dirty;
  }

  dispose(): void {
    this.disposed = true;
    this.cancelTimer();
  }

  private schedule(): void {
    if (!this.visible || this.disposed || this.timer !== undefined) return;
    const wait = Math.max(0, this.lastSend + this.intervalMs - this.clock.now());
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      this.flush();
    }, wait);
  }

  private flush(): void {
    if (!this.visible || this.disposed || !this.dirty) return;
    this.dirty = false;
    this.lastSend = this.clock.now();
    if (this.snapshotDue || !this.target.sendDelta()) {
      this.snapshotDue = false;
      this.target.sendSnapshot();
    }
  }

  private cancelTimer(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }
}
