import { Client, type ClientChannel } from 'ssh2';
import { PassThrough, type Duplex } from 'node:stream';
import { GpuEnvError, messageOf } from '../errors';
import { CancelledError, formatMs } from '../util/abort';
import { fingerprint, publicKeyBlob } from './keys';
import { KEEPALIVE_COUNT_MAX, KEEPALIVE_INTERVAL_MS } from './keepalive';
import type { ExecOptions, ExecResult, RemoteExit, RemoteProcess, SpawnOptions, SshSession } from './session';

export interface SshTarget {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly privateKey: string;
  /** The only host key accepted (OpenSSH public key line). */
  readonly pinnedHostKey: string;
  /** Shown in errors, e.g. gpu-env-default. */
  readonly label: string;
  /** A stream to use instead of a TCP connection (a forwarded channel through a jump host). */
  readonly sock?: NodeJS.ReadableStream;
  /**
   * Opens a fresh stream for each attempt instead of `sock` (a container on a remote host, reached
   * through the host's SSH connection): a retry after a failed handshake needs a new channel.
   */
  readonly dial?: () => Promise<Duplex>;
  /** The environment's workspace as the session sees it (SshSession.workspace). */
  readonly workspace?: string;
}

export class HostKeyMismatchError extends GpuEnvError {
  constructor(label: string, expected: string, received: string) {
    super(`host key of ${label} does not match the pinned key: expected ${expected}, received ${received}. Refusing to connect.`);
    this.name = 'HostKeyMismatchError';
  }
}

const DEFAULT_READY_TIMEOUT_MS = 20_000;

/**
 * Opens one SSH connection with the host key pinned; any other key is refused before auth.
 * It always settles within `readyTimeoutMs` (dial included): ssh2 reports a peer that closes after
 * its banner only as `close`, and clears its own ready timer when the socket ends.
 */
export async function connectSsh(target: SshTarget, options: { readyTimeoutMs?: number; signal?: AbortSignal } = {}): Promise<SshSession> {
  const readyTimeoutMs = options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS;
  const deadline = Date.now() + readyTimeoutMs;
  if (!target.dial) return connectOnce(target, { ...options, readyTimeoutMs });
  let sock: Duplex;
  try {
    sock = await withinMs(readyTimeoutMs, target.dial(), () => notReady(target, readyTimeoutMs, 'the channel to it did not open'), (late) => late.destroy());
  } catch (error) {
    if (error instanceof SshNotReadyError) throw error;
    throw new GpuEnvError(`SSH to ${target.label} (${target.host}:${target.port} on the remote host) failed: ${messageOf(error)}`, 'failure', { cause: error });
  }
  return connectOnce({ ...target, sock }, { ...options, readyTimeoutMs: Math.max(1, deadline - Date.now()), totalTimeoutMs: readyTimeoutMs });
}

/** The connection did not become ready in time (as opposed to being refused or failing). */
export class SshNotReadyError extends GpuEnvError {
  constructor(message: string) {
    super(message);
    this.name = 'SshNotReadyError';
  }
}

function notReady(target: SshTarget, timeoutMs: number, why: string): SshNotReadyError {
  return new SshNotReadyError(`SSH to ${target.label} (${target.host}:${target.port}) not ready after ${formatMs(timeoutMs)}: ${why}`);
}

/** `promise`, or `onTimeout()`'s error after `ms`; a value that arrives late is handed to `discard`. */
function withinMs<T>(ms: number, promise: Promise<T>, onTimeout: () => Error, discard: (late: T) => void): Promise<T> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const timer = setTimeout(() => {
      settled = true;
      reject(onTimeout());
    }, ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        if (settled) discard(value);
        else resolve(value);
        settled = true;
      },
      (error: unknown) => {
        clearTimeout(timer);
        if (!settled) reject(error);
        settled = true;
      },
    );
  });
}

function connectOnce(target: SshTarget, options: { readyTimeoutMs: number; totalTimeoutMs?: number; signal?: AbortSignal }): Promise<SshSession> {
  const pinned = publicKeyBlob(target.pinnedHostKey);
  return new Promise((resolve, reject) => {
    const client = new Client();
    let mismatch: HostKeyMismatchError | undefined;
    let settled = false;
    const settle = (error: Error | undefined): void => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      options.signal?.removeEventListener('abort', onAbort);
      if (error) {
        client.end();
        reject(error);
      } else {
        resolve(new Ssh2Session(client, target.workspace));
      }
    };
    const onAbort = (): void => settle(new CancelledError(`SSH connection to ${target.label}`));
    options.signal?.addEventListener('abort', onAbort, { once: true });
    // ssh2's own readyTimeout is cleared when the socket ends: this one is not.
    const deadline = setTimeout(() => {
      settle(notReady(target, options.totalTimeoutMs ?? options.readyTimeoutMs, 'no SSH handshake'));
      client.destroy();
    }, options.readyTimeoutMs + 100);
    client.once('ready', () => settle(undefined));
    // ssh2 may emit several errors for one failure (e.g. before and during the handshake).
    client.on('error', (error: Error & { level?: string }) => {
      if (error.level === 'client-timeout') return settle(mismatch ?? notReady(target, options.totalTimeoutMs ?? options.readyTimeoutMs, 'no SSH handshake'));
      settle(mismatch ?? new GpuEnvError(`SSH to ${target.label} (${target.host}:${target.port}) failed: ${error.message}`, 'failure', { cause: error }));
    });
    // A peer that closes after its banner (sshd stopped or killed mid-handshake, a container
    // stopping) makes ssh2 emit only 'close'.
    client.once('close', () => {
      settle(mismatch ?? new GpuEnvError(`SSH to ${target.label} (${target.host}:${target.port}) failed: the peer closed the connection before the SSH handshake finished (sshd stopped, or not yet listening)`));
    });
    client.connect({
      host: target.host,
      port: target.port,
      username: target.user,
      privateKey: target.privateKey,
      ...(target.sock ? { sock: target.sock as never } : {}),
      readyTimeout: options.readyTimeoutMs,
      keepaliveInterval: KEEPALIVE_INTERVAL_MS,
      keepaliveCountMax: KEEPALIVE_COUNT_MAX,
      hostVerifier: (key: Buffer): boolean => {
        if (key.equals(pinned)) return true;
        mismatch = new HostKeyMismatchError(target.label, fingerprint(pinned), fingerprint(key));
        return false;
      },
    });
    // SSH is request/response in small packets: with Nagle on, each waits for the peer's delayed
    // ACK (~40 ms), six times before the first command runs. OpenSSH sets TCP_NODELAY too.
    client.setNoDelay(true);
  });
}

class Ssh2Session implements SshSession {
  readonly closed: Promise<void>;

  constructor(private readonly client: Client, readonly workspace?: string) {
    this.closed = new Promise((resolve) => client.once('close', () => resolve()));
    // Errors after `ready` surface as a closed connection; keep them from crashing the process.
    client.on('error', () => {});
  }

  async exec(command: string, options: ExecOptions = {}): Promise<ExecResult> {
    return collectOutput(await this.spawn(command, options.signal ? { signal: options.signal } : {}), options.stdin);
  }

  spawn(command: string, options: SpawnOptions = {}): Promise<RemoteProcess> {
    return new Promise((resolve, reject) => {
      const ptyOptions = options.pty ? { pty: { cols: options.pty.cols, rows: options.pty.rows, term: options.pty.term ?? 'xterm-256color' } } : {};
      this.client.exec(command, ptyOptions, (error, channel) => {
        if (error) return reject(new GpuEnvError(`cannot run command over SSH: ${messageOf(error)}`, 'failure', { cause: error }));
        resolve(wrapChannel(channel, options.signal));
      });
    });
  }

  forwardOut(host: string, port: number): Promise<Duplex> {
    return new Promise((resolve, reject) => {
      this.client.forwardOut('127.0.0.1', 0, host, port, (error, channel) => {
        if (error) reject(new GpuEnvError(`cannot reach ${host}:${port} in the environment over SSH: ${messageOf(error)}`, 'failure', { cause: error }));
        else resolve(channel);
      });
    });
  }

  close(): void {
    this.client.end();
  }
}

const OUTPUT_DRAIN_GRACE_MS = 2_000;

function ended(stream: PassThrough): Promise<void> {
  return new Promise((resolve) => {
    if (stream.readableEnded) return resolve();
    stream.once('end', () => resolve());
    stream.once('close', () => resolve());
  });
}

/**
 * Writes `stdin` (then closes it) and waits for the exit with all output: what `exec` is over
 * `spawn`, for an environment's session and for a remote host's connection alike.
 */
export async function collectOutput(process: RemoteProcess, stdin?: string | Buffer): Promise<ExecResult> {
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  process.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
  process.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
  process.stdin.end(stdin);
  const exit = await process.exit;
  return { ...exit, stdout: Buffer.concat(stdout).toString(), stderr: Buffer.concat(stderr).toString() };
}

/** A channel as a RemoteProcess: output streams, an exit promise, closed on abort. */
export function wrapChannel(channel: ClientChannel, signal?: AbortSignal): RemoteProcess {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  channel.pipe(stdout);
  channel.stderr.pipe(stderr);
  // ssh2 can emit 'close' before the last output chunk has passed through the pipes: the exit is
  // reported only once both output streams have ended too (bounded, in case one never does).
  const outputEnded = Promise.all([ended(stdout), ended(stderr)]);
  const exit = new Promise<RemoteExit>((resolve) => {
    let result: RemoteExit = { code: null, signal: null };
    channel.on('exit', (code: number | null, signalName?: string) => {
      result = { code: typeof code === 'number' ? code : null, signal: signalName ?? null };
    });
    channel.once('close', () => {
      signal?.removeEventListener('abort', onAbort);
      const grace = setTimeout(() => resolve(result), OUTPUT_DRAIN_GRACE_MS);
      void outputEnded.then(() => {
        clearTimeout(grace);
        resolve(result);
      });
    });
  });
  const onAbort = (): void => {
    channel.close();
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  return {
    stdin: channel,
    stdout,
    stderr,
    exit,
    resize: (cols, rows) => channel.setWindow(rows, cols, 0, 0),
    close: () => channel.close(),
  };
}
