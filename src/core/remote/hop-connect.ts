import type { Duplex } from 'node:stream';
import { Client, type ServerHostKeyAlgorithm } from 'ssh2';
import { GpuEnvError } from '../errors';
import { KEEPALIVE_COUNT_MAX, KEEPALIVE_INTERVAL_MS } from '../ssh/keepalive';
import { CancelledError, formatMs } from '../util/abort';
import type { AuthPlan } from './identities';
import { isHostKeyError, knownHostsNameOf, verifyHostKey, type HostKeyPolicy } from './host-key-check';
import { knownKeyTypes, readKnownHosts } from './known-hosts';
import type { ResolvedSshHost } from './resolve-host';
import { describeSshHost } from './target';

export interface HopConnectOptions {
  readonly hop: ResolvedSshHost;
  /** A forwarded channel from the previous hop; a TCP connection when absent. */
  readonly sock?: Duplex;
  readonly auth: AuthPlan;
  readonly policy: HostKeyPolicy;
  /** Bound on the handshake and login, not counting the time the user takes to answer a host-key question. */
  readonly handshakeTimeoutMs: number;
  readonly signal?: AbortSignal;
}

/** A network-level failure (refused, reset, timed out): worth another try, unlike a refused key or login. */
export class SshTransportError extends GpuEnvError {
  constructor(message: string, readonly code: string | undefined, options?: { cause?: unknown }) {
    super(message, 'failure', options);
    this.name = 'SshTransportError';
  }
}


/** Opens one authenticated ssh2 connection to `hop`, its host key checked against known_hosts. */
export function connectHop(options: HopConnectOptions): Promise<Client> {
  const { hop, signal } = options;
  const label = describeSshHost(hop);
  return new Promise((resolve, reject) => {
    const client = new Client();
    let settled = false;
    let hostKeyFailure: unknown;
    const settle = (error: unknown, value?: Client): void => {
      if (settled) return;
      settled = true;
      deadline.clear();
      signal?.removeEventListener('abort', onAbort);
      if (error !== undefined) {
        client.end();
        reject(error);
      } else resolve(value!);
    };
    const deadline = pausableTimer(options.handshakeTimeoutMs, () => {
      settle(new SshTransportError(`SSH to ${label} timed out after ${formatMs(options.handshakeTimeoutMs)} (handshake and login)`, 'ETIMEDOUT'));
    });
    const onAbort = (): void => settle(new CancelledError(`SSH connection to ${label}`));
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    client.once('ready', () => settle(undefined, client));
    client.on('error', (error: Error & { level?: string; code?: string }) => {
      settle(hostKeyFailure ?? hopError(error, options));
    });
    client.once('close', () => settle(hostKeyFailure ?? new SshTransportError(`SSH to ${label} closed by the host during the handshake`, 'ECONNRESET')));
    client.connect({
      host: hop.hostName,
      port: hop.port,
      username: hop.user,
      ...(options.sock ? { sock: options.sock } : {}),
      authHandler: [...options.auth.methods],
      // Our own deadline (above) stops while the user reads a host-key question; ssh2's would not.
      readyTimeout: 0,
      keepaliveInterval: KEEPALIVE_INTERVAL_MS,
      keepaliveCountMax: KEEPALIVE_COUNT_MAX,
      algorithms: { serverHostKey: preferredHostKeyAlgorithms(hop) },
      hostVerifier: (key: Buffer, verify: (valid: boolean) => void): void => {
        deadline.pause();
        verifyHostKey(hop, key, options.policy).then(
          () => {
            deadline.resume();
            verify(true);
          },
          (error: unknown) => {
            hostKeyFailure = error;
            verify(false);
          },
        );
      },
    });
    client.setNoDelay(true); // small request/response packets: no waiting for delayed ACKs (see ssh/connection.ts)
  });
}

function hopError(error: Error & { level?: string; code?: string }, options: HopConnectOptions): unknown {
  const label = describeSshHost(options.hop);
  if (isHostKeyError(error)) return error;
  if (error.level === 'client-authentication') {
    const skipped = options.auth.skipped.length > 0 ? `; not usable: ${options.auth.skipped.join('; ')}` : '';
    return new GpuEnvError(
      `SSH login to ${label} was refused for every key offered (${options.auth.offered.join(', ')})${skipped}. Add your public key to ~${options.hop.user}/.ssh/authorized_keys on ${options.hop.hostName}, or set IdentityFile for this host in ~/.ssh/config`,
      'failure',
      { cause: error },
    );
  }
  return new SshTransportError(`SSH to ${label} (${options.hop.hostName}:${options.hop.port}) failed: ${error.message}`, error.code, { cause: error });
}

/**
 * OpenSSH asks first for the key types it already knows for a host, so a host with both an RSA and
 * an Ed25519 key is checked against the one in known_hosts instead of looking "changed".
 */
function preferredHostKeyAlgorithms(hop: ResolvedSshHost): ServerHostKeyAlgorithm[] | Record<'append' | 'prepend' | 'remove', ServerHostKeyAlgorithm[]> {
  const known = knownKeyTypes(readKnownHosts([...hop.userKnownHostsFiles, ...hop.globalKnownHostsFiles]), knownHostsNameOf(hop));
  const preferred = known.flatMap(algorithmsForKeyType);
  // remove-then-prepend moves the known types to the front of ssh2's default list.
  return { remove: preferred, prepend: preferred, append: [] };
}

function algorithmsForKeyType(type: string): ServerHostKeyAlgorithm[] {
  switch (type) {
    case 'ssh-ed25519':
    case 'ecdsa-sha2-nistp256':
    case 'ecdsa-sha2-nistp384':
    case 'ecdsa-sha2-nistp521':
      return [type];
    case 'ssh-rsa':
      return ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'];
    default:
      return [];
  }
}

interface PausableTimer {
  pause(): void;
  resume(): void;
  clear(): void;
}

function pausableTimer(ms: number, onExpire: () => void): PausableTimer {
  let remaining = ms;
  let startedAt = Date.now();
  let timer: ReturnType<typeof setTimeout> | undefined = setTimeout(onExpire, ms);
  return {
    pause() {
      if (!timer) return;
      clearTimeout(timer);
      timer = undefined;
      remaining -= Date.now() - startedAt;
    },
    resume() {
      if (timer) return;
      startedAt = Date.now();
      // After a long question the host may be slow to answer again; leave it a moment at least.
      timer = setTimeout(onExpire, Math.max(remaining, 2_000));
    },
    clear() {
      if (timer) clearTimeout(timer);
      timer = undefined;
    },
  };
}
