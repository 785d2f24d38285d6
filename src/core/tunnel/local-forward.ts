import { createServer, type Server, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { GpuEnvError } from '../errors';

/** A TCP port on this machine's 127.0.0.1 whose connections are carried elsewhere (through SSH). */
export interface LocalForward {
  readonly host: '127.0.0.1';
  readonly port: number;
  /** Connections open now. */
  readonly activeConnections: number;
  close(): Promise<void>;
}

export interface LocalForwardOptions {
  /** 0 or absent: a free port chosen by the system. */
  readonly port?: number;
  /** How the user gave `port` (the CLI's `--port`), for the error when it is taken. */
  readonly portField?: string;
  /** Refused beyond this many at once, so a runaway client cannot exhaust the SSH channels. */
  readonly maxConnections?: number;
  /** Told when one connection could not be carried (the others go on). */
  readonly onError?: (message: string) => void;
}

export const DEFAULT_MAX_FORWARDED_CONNECTIONS = 64;

/**
 * Listens on 127.0.0.1 only (never another address: the far end is trusted with a token, not the
 * network) and pipes each accepted connection through a fresh stream from `dial`.
 */
export function forwardLocalPort(dial: () => Promise<Duplex>, options: LocalForwardOptions = {}): Promise<LocalForward> {
  const sockets = new Set<Socket>();
  // noDelay: Jupyter's HTTP and kernel messages are small request/response packets (see ssh/connection.ts).
  const server = createServer({ noDelay: true }, (socket) => carry(socket, dial, sockets, options.onError));
  server.maxConnections = options.maxConnections ?? DEFAULT_MAX_FORWARDED_CONNECTIONS;
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(new GpuEnvError(error.code === 'EADDRINUSE' ? `port ${options.port} on 127.0.0.1 is in use; choose another${options.portField !== undefined ? ` with ${options.portField}` : ' port'}, or 0 for any free one` : `cannot listen on 127.0.0.1:${options.port ?? 0}: ${error.message}`, error.code === 'EADDRINUSE' ? 'usage' : 'failure'));
    });
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      resolve({
        host: '127.0.0.1',
        port,
        get activeConnections() {
          return sockets.size;
        },
        close: () => closeServer(server, sockets),
      });
    });
  });
}

function carry(socket: Socket, dial: () => Promise<Duplex>, sockets: Set<Socket>, onError?: (message: string) => void): void {
  sockets.add(socket);
  socket.once('close', () => sockets.delete(socket));
  socket.on('error', () => socket.destroy());
  dial().then(
    (remote) => {
      if (socket.destroyed) return remote.destroy();
      remote.on('error', () => socket.destroy());
      remote.once('close', () => socket.destroy());
      socket.once('close', () => remote.destroy());
      socket.pipe(remote);
      remote.pipe(socket);
    },
    (error: Error) => {
      onError?.(`a forwarded connection failed: ${error.message}`);
      socket.destroy();
    },
  );
}

function closeServer(server: Server, sockets: Set<Socket>): Promise<void> {
  return new Promise((resolve) => {
    for (const socket of sockets) socket.destroy();
    server.close(() => resolve());
  });
}
