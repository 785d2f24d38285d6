import type { Duplex } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { loopbackEcho } from '../../../support/loopback-echo';
import type { ExecResult, RemoteProcess, SshSession } from '../../../../src/core/ssh/session';
import { SessionDialer } from '../../../../src/core/tunnel/session-dialer';

const echo = loopbackEcho();

/** A session that only forwards (to the echo server), and can be made to drop like a lost connection. */
class ForwardingSession implements SshSession {
  readonly closed: Promise<void>;
  private markClosed: () => void = () => {};
  forwards = 0;

  constructor() {
    this.closed = new Promise((resolve) => (this.markClosed = resolve));
  }

  exec(): Promise<ExecResult> {
    return Promise.reject(new Error('not used'));
  }

  spawn(): Promise<RemoteProcess> {
    return Promise.reject(new Error('not used'));
  }

  forwardOut(): Promise<Duplex> {
    this.forwards++;
    return echo.dial();
  }

  close(): void {
    this.markClosed();
  }
}

describe('SessionDialer', () => {
  it('opens a new session when the old one closed, and keeps using a live one', async () => {
    const sessions: ForwardingSession[] = [];
    const connect = async (): Promise<SshSession> => {
      const session = new ForwardingSession();
      sessions.push(session);
      return session;
    };
    const dialer = new SessionDialer(connect, '127.0.0.1', 8888, { baseDelayMs: 1, capDelayMs: 5 });
    (await dialer.dial()).destroy();
    (await dialer.dial()).destroy();
    expect(sessions).toHaveLength(1);
    sessions[0]!.close();
    await sessions[0]!.closed;
    await new Promise((resolve) => setImmediate(resolve));
    (await dialer.dial()).destroy();
    expect(sessions).toHaveLength(2);
    dialer.dispose();
  });

  it('gives up after its bounded attempts with the last error', async () => {
    let attempts = 0;
    const dialer = new SessionDialer(async () => {
      attempts++;
      throw new Error('host unreachable');
    }, '127.0.0.1', 8888, { attempts: 3, baseDelayMs: 1, capDelayMs: 2 });
    await expect(dialer.dial()).rejects.toThrow('host unreachable');
    expect(attempts).toBe(3);
  });
});
