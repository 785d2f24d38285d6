import { connect, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { loopbackEcho } from '../../../support/loopback-echo';
import { forwardLocalPort } from '../../../../src/core/tunnel/local-forward';

const echo = loopbackEcho();

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

describe('forwardLocalPort', () => {
  it('listens on 127.0.0.1 only and carries each connection through a fresh stream', async () => {
    let dials = 0;
    const forward = await forwardLocalPort(() => (dials++, echo.dial()));
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
    const forward = await forwardLocalPort(() => (fail ? Promise.reject(new Error('channel refused')) : echo.dial()), { onError: (m) => errors.push(m) });
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
    const first = await forwardLocalPort(echo.dial);
    try {
      await expect(forwardLocalPort(echo.dial, { port: first.port, portField: '--port' })).rejects.toThrow(`port ${first.port} on 127.0.0.1 is in use; choose another with --port, or 0 for any free one`);
      // Without a field (the extension never asks for a port) it names no flag.
      await expect(forwardLocalPort(echo.dial, { port: first.port })).rejects.toThrow(`port ${first.port} on 127.0.0.1 is in use; choose another port, or 0 for any free one`);
    } finally {
      await first.close();
    }
  });
});
