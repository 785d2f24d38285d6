/**
 * An echo server on loopback, started before the calling file's tests and closed after them: it
 * stands in for Jupyter, and streams dialled to it stand in for forwarded SSH channels.
 */
import { connect, createServer, type Server } from 'node:net';
import type { Duplex } from 'node:stream';
import { afterAll, beforeAll } from 'vitest';

export function loopbackEcho(): { dial(): Promise<Duplex> } {
  let server: Server;
  let port = 0;
  beforeAll(async () => {
    server = createServer((socket) => socket.pipe(socket));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    port = (server.address() as { port: number }).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return {
    dial: () => new Promise((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port }, () => resolve(socket));
      socket.once('error', reject);
    }),
  };
}
