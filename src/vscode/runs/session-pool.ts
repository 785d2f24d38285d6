import type { SshSession } from '../../core/ssh/session';
import { messageOf } from '../../shared/errors';
import type { Disposable } from '../ui';
import type { Log } from '../log';

interface Entry {
  session: Promise<SshSession> | undefined;
  holds: number;
  idle: ReturnType<typeof setTimeout> | undefined;
}

/**
 * One shared SSH session per environment for the runs list, stop/resume, logs and metrics tails
 * (each is a channel on it), opened on first use and reopened after it drops. It is closed after
 * `idleMs` with nobody holding it, so a window that stopped looking keeps no connection open.
 */
export class SessionPool implements Disposable {
  private readonly entries = new Map<string, Entry>();
  private disposed = false;

  constructor(
    private readonly open: (environment: string) => Promise<SshSession>,
    private readonly log: Log,
    private readonly idleMs = 60_000,
  ) {}

  /** Runs `work` on the environment's session, keeping it open meanwhile. */
  async use<T>(environment: string, work: (session: SshSession) => Promise<T>): Promise<T> {
    const hold = this.hold(environment);
    try {
      return await work(await this.session(environment));
    } finally {
      hold.dispose();
    }
  }

  /** Keeps the environment's session from being closed for idleness until disposed. */
  hold(environment: string): Disposable {
    const entry = this.entry(environment);
    entry.holds++;
    this.clearIdle(entry);
    let released = false;
    return {
      dispose: () => {
        if (released) return;
        released = true;
        entry.holds--;
        if (entry.holds === 0) this.scheduleIdleClose(environment, entry);
      },
    };
  }

  /** The live session, or a new one when there is none or it closed; concurrent callers share one open. */
  session(environment: string): Promise<SshSession> {
    if (this.disposed) return Promise.reject(new Error('the extension is shutting down'));
    const entry = this.entry(environment);
    if (entry.session) return entry.session;
    const opening = this.open(environment);
    entry.session = opening;
    opening.then(
      (session) => {
        void session.closed.finally(() => {
          if (entry.session === opening) entry.session = undefined;
        });
      },
      (error: unknown) => {
        if (entry.session === opening) entry.session = undefined;
        this.log.debug(`session to ${environment}: ${messageOf(error)}`);
      },
    );
    return opening;
  }

  /** The environment stopped or went away: close its session now. */
  close(environment: string): void {
    const entry = this.entries.get(environment);
    if (!entry) return;
    this.clearIdle(entry);
    this.entries.delete(environment);
    void entry.session?.then((session) => session.close(), () => undefined);
  }

  /** Environments with a session open or opening. */
  environments(): string[] {
    return [...this.entries.keys()];
  }

  dispose(): void {
    this.disposed = true;
    for (const environment of [...this.entries.keys()]) this.close(environment);
  }

  private entry(environment: string): Entry {
    let entry = this.entries.get(environment);
    if (!entry) this.entries.set(environment, (entry = { session: undefined, holds: 0, idle: undefined }));
    return entry;
  }

  private scheduleIdleClose(environment: string, entry: Entry): void {
    this.clearIdle(entry);
    entry.idle = setTimeout(() => {
      if (entry.holds === 0 && this.entries.get(environment) === entry) this.close(environment);
    }, this.idleMs);
    entry.idle.unref?.();
  }

  private clearIdle(entry: Entry): void {
    if (entry.idle) clearTimeout(entry.idle);
    entry.idle = undefined;
  }
}
