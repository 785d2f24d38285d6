import { createHash } from 'node:crypto';
import type { Duplex } from 'node:stream';
import type { Client, ClientChannel } from 'ssh2';
import { GpuEnvError, messageOf } from '../errors';
import { collectOutput, wrapChannel } from '../ssh/connection';
import type { ExecResult, RemoteProcess } from '../ssh/session';
import { CancelledError, sleep } from '../util/abort';
import { backoffDelay } from '../util/backoff';
import { SshTransportError, connectHop } from './hop-connect';
import type { HostKeyPolicy } from './host-key-check';
import { authPlan } from './identities';
import type { ResolvedSshHost } from './resolve-host';
import { describeSshHost } from './target';

export interface HostConnectionOptions {
  /** ProxyJump hops first, the Docker host last. */
  readonly chain: readonly ResolvedSshHost[];
  readonly env: NodeJS.ProcessEnv;
  readonly homeDir: string;
  readonly policy: HostKeyPolicy;
  readonly handshakeTimeoutMs?: number;
  readonly random?: () => number;
}

export const HANDSHAKE_TIMEOUT_MS = 20_000;
/** A host never reached yet: one retry for a blip; a wrong address should fail fast. */
export const FIRST_CONNECT_ATTEMPTS = 2;
/** A host that answered before and dropped (reboot, network change): try for longer. */
export const RECONNECT_ATTEMPTS = 6;
export const RECONNECT_BASE_MS = 500;
export const RECONNECT_CAP_MS = 15_000;

/**
 * The one SSH connection to a remote Docker host (through its ProxyJump hops). Every Docker API call
 * and every tunnel to a container is a channel on it. When it drops, the next use reconnects with
 * capped, jittered backoff; callers waiting at the same time share one attempt.
 */
export class HostConnection {
  readonly target: ResolvedSshHost;
  readonly label: string;
  /** Authenticated connections made so far (one, unless the host dropped and came back). */
  connectionsOpened = 0;
  private clients: Client[] = [];
  private ready: Client | undefined;
  private pending: Promise<Client> | undefined;
  private everConnected = false;
  private closedForGood = false;
  private policy: HostKeyPolicy;
  private readonly dropListeners = new Set<() => void>();

  constructor(private readonly options: HostConnectionOptions) {
    this.target = options.chain[options.chain.length - 1]!;
    this.label = describeSshHost(this.target);
    this.policy = options.policy;
  }

  get closed(): boolean {
    return this.closedForGood;
  }

  /** The latest caller's question callback is used: the one whose user is there to answer. */
  usePolicy(policy: HostKeyPolicy): void {
    this.policy = policy;
  }

  /** The authenticated client to the Docker host, connecting (or reconnecting) if needed. */
  client(signal?: AbortSignal): Promise<Client> {
    if (this.closedForGood) return Promise.reject(new GpuEnvError(`the SSH connection to ${this.label} was closed`));
    if (this.ready) return Promise.resolve(this.ready);
    this.pending ??= this.connectWithRetry().finally(() => {
      this.pending = undefined;
    });
    return signal ? untilAborted(this.pending, signal, `SSH connection to ${this.label}`) : this.pending;
  }

  /** Runs `command` on the host (not in a container); stdin is written then closed. */
  async exec(command: string, options: { stdin?: string | Buffer; signal?: AbortSignal } = {}): Promise<ExecResult> {
    return collectOutput(await this.spawn(command, options.signal), options.stdin);
  }

  /**
   * `command` on the host with streams and its exit status. The channel is wrapped inside ssh2's
   * callback: a quick command's exit-status can arrive in the same packet as the exec reply, and
   * would be emitted before a listener attached a tick later (seen: 1 exit in 10 lost on loopback).
   */
  async spawn(command: string, signal?: AbortSignal): Promise<RemoteProcess> {
    const client = await this.client(signal);
    return new Promise((resolve, reject) => {
      client.exec(command, (error, channel) => (error ? reject(this.channelError(error, `run a command on ${this.label}`)) : resolve(wrapChannel(channel, signal))));
    });
  }

  /** A channel running `command` on the host, its stdin and stdout the channel itself. */
  async openExec(command: string, signal?: AbortSignal): Promise<ClientChannel> {
    const client = await this.client(signal);
    return new Promise((resolve, reject) => {
      client.exec(command, (error, channel) => (error ? reject(this.channelError(error, `run a command on ${this.label}`)) : resolve(channel)));
    });
  }

  /** A TCP connection from the host to `host:port` (e.g. a container's published SSH port on its 127.0.0.1). */
  async forwardOut(host: string, port: number, signal?: AbortSignal): Promise<Duplex> {
    const client = await this.client(signal);
    return new Promise((resolve, reject) => {
      client.forwardOut('127.0.0.1', 0, host, port, (error, channel) => (error ? reject(this.channelError(error, `reach ${host}:${port} from ${this.label}`)) : resolve(channel)));
    });
  }

  close(): void {
    this.closedForGood = true;
    this.drop();
  }

  /**
   * Called whenever the connection goes away. Channels of a dead connection may never say so
   * themselves (ssh2 emits `close` only once a paused channel's end is read), so holders of idle
   * channels listen here. Returns the unsubscribe function.
   */
  onDrop(listener: () => void): () => void {
    this.dropListeners.add(listener);
    return () => this.dropListeners.delete(listener);
  }

  private channelError(error: Error, what: string): GpuEnvError {
    return new GpuEnvError(`cannot ${what} over SSH: ${error.message}${/open failed/i.test(error.message) ? ' (the host refused a new channel; sshd\'s MaxSessions or AllowTcpForwarding may forbid it)' : ''}`, 'failure', { cause: error });
  }

  private async connectWithRetry(): Promise<Client> {
    const attempts = this.everConnected ? RECONNECT_ATTEMPTS : FIRST_CONNECT_ATTEMPTS;
    let lastError: unknown;
    for (let attempt = 0; attempt < attempts; attempt++) {
      if (attempt > 0) await sleep(backoffDelay(attempt - 1, RECONNECT_BASE_MS, RECONNECT_CAP_MS, this.options.random));
      if (this.closedForGood) break;
      try {
        return await this.connectChain();
      } catch (error) {
        if (!this.worthRetrying(error)) throw error;
        lastError = error;
      }
    }
    throw lastError ?? new GpuEnvError(`the SSH connection to ${this.label} was closed`);
  }

  private worthRetrying(error: unknown): boolean {
    if (!(error instanceof SshTransportError)) return false;
    // A refused or unresolvable address the first time is a typo or a host that is down: say so now.
    if (!this.everConnected && (error.code === 'ECONNREFUSED' || error.code === 'ENOTFOUND' || error.code === 'EAI_AGAIN')) return false;
    return true;
  }

  private async connectChain(): Promise<Client> {
    const { chain } = this.options;
    const clients: Client[] = [];
    try {
      let sock: Duplex | undefined;
      for (let i = 0; i < chain.length; i++) {
        const hop = chain[i]!;
        const client = await connectHop({
          hop,
          ...(sock ? { sock } : {}),
          auth: authPlan(hop, this.options.env, this.options.homeDir),
          policy: this.policy,
          handshakeTimeoutMs: this.options.handshakeTimeoutMs ?? HANDSHAKE_TIMEOUT_MS,
        });
        clients.push(client);
        const next = chain[i + 1];
        if (next) sock = await forwardFrom(client, next, hop);
      }
    } catch (error) {
      for (const client of clients) client.end();
      throw error;
    }
    return this.adopt(clients);
  }

  private adopt(clients: Client[]): Client {
    this.clients = clients;
    this.ready = clients[clients.length - 1]!;
    this.everConnected = true;
    this.connectionsOpened++;
    for (const client of clients) {
      // Errors after `ready` end in `close`, handled below; without a listener they would crash the process.
      client.on('error', () => {});
      client.once('close', () => {
        if (this.clients.includes(client)) this.drop();
      });
    }
    if (this.closedForGood) this.drop();
    return this.ready;
  }

  private drop(): void {
    const clients = this.clients;
    this.clients = [];
    this.ready = undefined;
    for (const client of clients) client.end();
    if (clients.length > 0) for (const listener of [...this.dropListeners]) listener();
  }
}

function forwardFrom(client: Client, next: ResolvedSshHost, via: ResolvedSshHost): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    client.forwardOut('127.0.0.1', 0, next.hostName, next.port, (error, channel) => {
      if (error) reject(new SshTransportError(`jump host ${describeSshHost(via)} could not reach ${next.hostName}:${next.port}: ${messageOf(error)}`, undefined, { cause: error }));
      else resolve(channel);
    });
  });
}

function untilAborted<T>(promise: Promise<T>, signal: AbortSignal, what: string): Promise<T> {
  if (signal.aborted) return Promise.reject(new CancelledError(what));
  return new Promise((resolve, reject) => {
    const onAbort = (): void => reject(new CancelledError(what));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/** Hops as `user@host:port`, joined: the same path is the same connection. */
export function chainKey(chain: readonly ResolvedSshHost[]): string {
  return chain.map((hop) => `${hop.user}@${hop.hostName}:${hop.port}`).join(' > ');
}

/** A short stable id for the host (and its path), used in `Host gpu-env-host-<id>` and to group environments. */
export function hostId(chain: readonly ResolvedSshHost[]): string {
  return createHash('sha256').update(chainKey(chain)).digest('hex').slice(0, 10);
}
