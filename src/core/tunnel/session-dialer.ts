import type { Duplex } from 'node:stream';
import { GpuEnvError } from '../errors';
import type { SshSession } from '../ssh/session';
import { sleep } from '../util/abort';
import { backoffDelay } from '../util/backoff';

export interface SessionDialerOptions {
  readonly attempts?: number;
  readonly baseDelayMs?: number;
  readonly capDelayMs?: number;
  readonly random?: () => number;
}

/**
 * Opens streams to `host:port` inside an environment through its SSH session, and opens a new
 * session when the old one closed (the container restarted, the network changed), with capped,
 * jittered backoff. Tunnels stay usable across a dropped connection without the user doing anything.
 */
export class SessionDialer {
  private current: SshSession | undefined;
  private pending: Promise<SshSession> | undefined;
  private disposed = false;

  constructor(
    private readonly connect: () => Promise<SshSession>,
    private readonly host: string,
    private readonly port: number,
    private readonly options: SessionDialerOptions = {},
    initial?: SshSession,
  ) {
    if (initial) this.adopt(initial);
  }

  async dial(): Promise<Duplex> {
    const attempts = this.options.attempts ?? 4;
    let lastError: unknown;
    for (let attempt = 0; attempt < attempts && !this.disposed; attempt++) {
      if (attempt > 0) await sleep(backoffDelay(attempt - 1, this.options.baseDelayMs ?? 500, this.options.capDelayMs ?? 8_000, this.options.random));
      try {
        const session = await this.session();
        if (!session.forwardOut) throw new GpuEnvError('this SSH session cannot forward ports');
        return await session.forwardOut(this.host, this.port);
      } catch (error) {
        lastError = error;
      }
    }
    throw lastError ?? new GpuEnvError('the tunnel was closed');
  }

  dispose(): void {
    this.disposed = true;
    this.current?.close();
    this.current = undefined;
  }

  private session(): Promise<SshSession> {
    if (this.current) return Promise.resolve(this.current);
    this.pending ??= this.connect().then(
      (session) => {
        this.pending = undefined;
        if (this.disposed) session.close();
        else this.adopt(session);
        return session;
      },
      (error: unknown) => {
        this.pending = undefined;
        throw error;
      },
    );
    return this.pending;
  }

  private adopt(session: SshSession): void {
    this.current = session;
    void session.closed.then(() => {
      if (this.current === session) this.current = undefined;
    });
  }
}
