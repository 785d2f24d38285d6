import { GpuEnvError, usageError } from '../errors';
import { SshTransportError } from '../remote/hop-connect';
import type { CoreContext } from '../lifecycle/context';
import { hostId, type HostConnection } from '../remote/host-connection';
import type { HostIdentity } from '../remote/host-identity';
import { sharedHost } from '../remote/host-registry';
import { resolveHostChain, type ResolvedSshHost } from '../remote/resolve-host';
import { describeSshHost, parseSlurmUrl } from '../remote/target';
import { loadUserSshConfig } from '../remote/user-ssh-config';
import type { ExecResult } from '../ssh/session';
import { throwIfAborted, withDeadline } from '../util/abort';

/** A Slurm cluster as gpu-env reaches it: one SSH connection to its login node, shared by every call. */
export interface Cluster {
  /** `slurm://…` as the user wrote it. */
  readonly url: string;
  readonly connection: HostConnection;
  /** ProxyJump hops first, the login node last, ~/.ssh/config applied. */
  readonly chain: readonly ResolvedSshHost[];
  readonly id: string;
  /** `user@login[:port]`. */
  readonly label: string;
  readonly user: string;
  /** The user's home on the cluster (the shared file system), as the login node reports it. */
  readonly home: string;
}

export const CLUSTER_COMMAND_TIMEOUT_MS = 60_000;

/** The login node's address with ~/.ssh/config applied; no connection yet. */
export function clusterChain(url: string, field: string, homeDir: string): ResolvedSshHost[] {
  return resolveHostChain(parseSlurmUrl(field, url), { homeDir, config: loadUserSshConfig(homeDir) });
}

/** A login connection whose home folder is not read yet. */
export type Login = Omit<Cluster, 'home'>;

/** The cluster the context names (`--host slurm://…` or the setting), connected, its home read. */
export async function connectCluster(ctx: CoreContext): Promise<Cluster> {
  const login = await connectLogin(ctx);
  return { ...login, home: await loginHome(login.connection, ctx.signal) };
}

/** The home folder, if this connection already read it (so a combined first command can skip it). */
export function knownHome(login: Login): string | undefined {
  return homes.get(login.connection);
}

/** Remembers a home folder read as part of another command; it must look like one. */
export function rememberHome(login: Login, home: string): string {
  if (!home.startsWith('/') || /[\r\n\0]/.test(home)) throw new GpuEnvError(`${login.label} reported "${home}" as the home folder, which is not an absolute path`);
  homes.set(login.connection, home);
  return home;
}

/** Connects to the login node (one connection per process, reused) without running anything. */
export async function connectLogin(ctx: CoreContext): Promise<Login> {
  const url = ctx.host?.url ?? '';
  const chain = clusterChain(url, ctx.host?.source ?? '--host', ctx.homeDir);
  const { connection } = sharedHost({
    chain,
    env: ctx.env,
    homeDir: ctx.homeDir,
    policy: {
      ...(ctx.confirmHostKey ? { confirm: ctx.confirmHostKey } : {}),
      warn: (message) => ctx.progress({ kind: 'warning', message }),
    },
  });
  if (connection.connectionsOpened === 0) ctx.progress({ kind: 'step', step: 'cluster', message: `Connecting to ${connection.label} (Slurm login node) over SSH` });
  try {
    await connection.client(ctx.signal);
  } catch (error) {
    // Never reached at all (no such name, nothing listening, no answer): the address is what to fix.
    if (connection.connectionsOpened === 0 && error instanceof SshTransportError && UNREACHABLE.includes(error.code ?? '')) {
      const login = connection.target;
      throw usageError(`${fieldOf(ctx)}: the Slurm login node ${connection.label} is not reachable (host ${login.hostName}, port ${login.port}): ${error.message}. Check the address (slurm://[user@]login[:port] or a Host of ~/.ssh/config)`);
    }
    throw error;
  }
  return { url, connection, chain, id: hostId(chain), label: describeSshHost(connection.target), user: connection.target.user };
}

const UNREACHABLE = ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT'];

function fieldOf(ctx: CoreContext): string {
  return ctx.host?.source === 'setting' ? 'gpuEnv.engineHost' : '--host';
}

const homes = new WeakMap<HostConnection, string>();

async function loginHome(connection: HostConnection, signal?: AbortSignal): Promise<string> {
  const known = homes.get(connection);
  if (known !== undefined) return known;
  const result = await withDeadline(`reading $HOME on ${connection.label}`, CLUSTER_COMMAND_TIMEOUT_MS, signal, (s) => connection.exec('printf %s "$HOME"', { signal: s }));
  throwIfAborted(signal, `reading $HOME on ${connection.label}`);
  const home = result.stdout.trim();
  if (result.code !== 0 || !home.startsWith('/') || /[\r\n\0]/.test(home)) {
    throw new GpuEnvError(`cannot read the home folder of ${connection.label}: ${result.stderr.trim() || `exit ${String(result.code)}`}`);
  }
  homes.set(connection, home);
  return home;
}

/**
 * Runs a shell script on the login node (`sh -s`, the script on stdin: the user's login shell does
 * not matter, and nothing of it shows in a process list), bounded in time.
 */
export async function runOnLogin(cluster: Pick<Cluster, 'connection' | 'label'>, what: string, script: string, signal?: AbortSignal, timeoutMs = CLUSTER_COMMAND_TIMEOUT_MS): Promise<ExecResult> {
  const result = await withDeadline(`${what} on ${cluster.label}`, timeoutMs, signal, (s) => cluster.connection.exec('sh -s', { stdin: `${script}\n`, signal: s }));
  // An aborted command ends with no exit status: that is the cancel, not a failure of the command.
  throwIfAborted(signal, `${what} on ${cluster.label}`);
  return result;
}

/** Like runOnLogin, but a non-zero exit is an error quoting what the command said. */
export async function mustRunOnLogin(cluster: Pick<Cluster, 'connection' | 'label'>, what: string, script: string, signal?: AbortSignal, timeoutMs?: number): Promise<string> {
  const result = await runOnLogin(cluster, what, script, signal, timeoutMs);
  if (result.code !== 0) throw new GpuEnvError(`${what} on ${cluster.label} failed (exit ${String(result.code)}): ${(result.stderr.trim() || result.stdout.trim()).split('\n').slice(-5).join(' ')}`);
  return result.stdout;
}

export function clusterIdentity(cluster: Pick<Cluster, 'id' | 'label' | 'url'>): HostIdentity {
  return { id: `slurm-${cluster.id}`, label: cluster.label, engine: cluster.url, kind: 'slurm' };
}
