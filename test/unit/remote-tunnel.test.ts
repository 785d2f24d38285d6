import { connect, createServer, type Server, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExecResult, RemoteProcess, SshSession } from '../../src/core/ssh/session';
import { forwardLocalPort } from '../../src/core/tunnel/local-forward';
import { SessionDialer } from '../../src/core/tunnel/session-dialer';

/** An echo server on loopback stands in for Jupyter; streams to it stand in for forwarded channels. */
let echo: Server;
let echoPort = 0;

beforeAll(async () => {
  echo = createServer((socket) => socket.pipe(socket));
  await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', () => resolve()));
  echoPort = (echo.address() as { port: number }).port;
});
afterAll(() => new Promise<void>((resolve) => echo.close(() => resolve())));

function dialEcho(): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port: echoPort }, () => resolve(socket));
    socket.once('error', reject);
  });
}

function roundTrip(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket: Socket = connect({ host: '127.0.0.1', port }, () => socket.write(text));
    let received = '';
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString();
      if (received.length >= text.length) {
        socket.destroy();
        resolve(received);
      }
    });
    socket.setTimeout(5_000, () => reject(new Error('no echo within 5 s')));
    socket.on('error', reject);
    socket.on('close', () => reject(new Error(`closed after "${received}"`)));
  });
}

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
    return dialEcho();
  }

  close(): void {
    this.markClosed();
  }
}

describe('forwardLocalPort', () => {
  it('listens on 127.0.0.1 only and carries each connection through a fresh stream', async () => {
    let dials = 0;
    const forward = await forwardLocalPort(() => (dials++, dialEcho()));
    try {
      expect(forward.host).toBe('127.0.0.1');
      expect(await roundTrip(forward.port, 'hello')).toBe('hello');
      expect(await roundTrip(forward.port, 'again')).toBe('again');
      expect(dials).toBe(2);
    } finally {
      await forward.close();
    }
    await expect(roundTrip(forward.port, 'closed')).rejects.toThrow(/ECONNREFUSED/);
  });

  it('a failed dial closes that connection and is reported; the port stays up', async () => {
    const errors: string[] = [];
    let fail = true;
    const forward = await forwardLocalPort(() => (fail ? Promise.reject(new Error('channel refused')) : dialEcho()), { onError: (m) => errors.push(m) });
    try {
      await expect(roundTrip(forward.port, 'x')).rejects.toThrow();
      expect(errors).toEqual(['a forwarded connection failed: channel refused']);
      fail = false;
      expect(await roundTrip(forward.port, 'works')).toBe('works');
    } finally {
      await forward.close();
    }
  });

  it('a port in use is a usage error saying how to pick another', async () => {
    const first = await forwardLocalPort(dialEcho);
    try {
      await expect(forwardLocalPort(dialEcho, { port: first.port })).rejects.toThrow(`port ${first.port} on 127.0.0.1 is in use; choose another with --port, or 0 for any free one`);
    } finally {
      await first.close();
    }
  });
});

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
