import type Docker from 'dockerode';
import { statusCode } from '../image/pull';
import { CONTAINER_SSH_PORT, LABEL, containerName } from '../container/labels';
import type { Engine } from '../engine/connect';
import { hostIdentity, type HostIdentity } from '../remote/host-identity';
import { jumpAlias } from '../ssh/openssh-config';
import { hostAlias } from '../state/paths';
import { trustedName } from '../container/trusted-labels';
import { isValidName } from '../validate';

export type { HostIdentity } from '../remote/host-identity';

/** `pending`: waiting in a queue for its allocation (a Slurm job), nothing runs yet. */
export type EnvironmentState = 'running' | 'stopped' | 'creating' | 'pending' | 'error';

/** The batch job behind an environment on a cluster, as the scheduler reports it. */
export interface JobSummary {
  readonly id: string;
  /** The scheduler's own word: PENDING, RUNNING, CONFIGURING, … */
  readonly state: string;
  /** Why it waits (Priority, Resources, QOSMaxGRESPerUser, …). */
  readonly reason?: string;
  readonly nodes: readonly string[];
  /** GPUs per node as the scheduler counts them (`gpu:1`). */
  readonly gpus?: string;
  readonly partition: string;
  /** Seconds left before the time limit when read (Infinity: none). */
  readonly timeLeftSeconds?: number;
  /** The expected start of a pending job, in the cluster's local time (`squeue --start`). */
  readonly expectedStart?: string;
}

/** What `up --json`, `status --json` and `ls --json` print for an environment. */
export interface EnvironmentInfo {
  readonly name: string;
  readonly container: string;
  readonly id: string;
  readonly state: EnvironmentState;
  readonly status: string;
  readonly image: string;
  readonly gpus: string;
  readonly workspace: string;
  readonly engine: string;
  /**
   * `host`/`port`: where the container's sshd is published, on the engine's machine (for a remote
   * host, its 127.0.0.1, reached through `jump`, the `Host` alias of that machine in the generated
   * OpenSSH config).
   */
  readonly ssh: {
    readonly host: string;
    readonly port: number | null;
    readonly user: string;
    readonly alias: string;
    readonly jump?: string;
    /** How SSH gets there when no port is published (a job step on a compute node), in words. */
    readonly route?: string;
  };
  /** The machine it lives on (always set by the core; optional only for values made before it existed). */
  readonly host?: HostIdentity;
  /** Who created it, when recorded. */
  readonly owner?: string;
  /** Set when `--gpus N` chose its GPUs (`gpus`) as N free ones. */
  readonly gpuCount?: number;
  /** Its idle-stop window; absent: idle stop is off. */
  readonly idleStopMs?: number;
  /** The batch job that holds it, on a cluster. */
  readonly job?: JobSummary;
  /** When it will be stopped by a time limit (ISO 8601), if it has one. */
  readonly endsAt?: string;
  /** The workspace as the environment's sessions see it (/workspace in a container). */
  readonly workdir?: string;
}

type Inspect = Docker.ContainerInspectInfo;

export function stateOf(inspect: Inspect): EnvironmentState {
  const s = inspect.State;
  if (s.Running && !s.Restarting) return 'running';
  if (s.Status === 'created' || s.Restarting) return 'creating';
  if (s.Status === 'dead' || (s.Status === 'exited' && s.ExitCode !== 0 && s.ExitCode !== 143 && s.ExitCode !== 137 && s.Error !== '')) return 'error';
  return 'stopped';
}

/** The host port the engine chose for the container's sshd, read back after start. */
export function sshHostPort(inspect: Inspect): number | null {
  const bindings = inspect.NetworkSettings?.Ports?.[`${CONTAINER_SSH_PORT}/tcp`];
  const binding = Array.isArray(bindings) ? bindings.find((b) => b.HostIp === '127.0.0.1') ?? bindings[0] : undefined;
  const port = binding ? Number(binding.HostPort) : NaN;
  return Number.isInteger(port) && port > 0 ? port : null;
}

/** The info of a container on `engine`, with the host it lives on. */
export function environmentInfoOn(engine: Pick<Engine, 'endpoint' | 'remote'>, inspect: Inspect): EnvironmentInfo {
  const info = environmentInfo(inspect, engine.endpoint.url);
  const host = hostIdentity(engine);
  const ssh = engine.remote ? { ...info.ssh, jump: jumpAlias(engine.remote.id) } : info.ssh;
  return { ...info, ssh, host };
}

export function environmentInfo(inspect: Inspect, engineUrl: string): EnvironmentInfo {
  const labels = inspect.Config.Labels ?? {};
  const name = labels[LABEL.name] ?? inspect.Name.replace(/^\/gpu-env-/, '');
  return {
    name,
    container: inspect.Name.replace(/^\//, ''),
    id: inspect.Id,
    state: stateOf(inspect),
    status: inspect.State.Status,
    image: inspect.Config.Image,
    gpus: labels[LABEL.gpus] ?? 'none',
    // Shown as recorded; what is deleted on a purge is checked again (trustedWorkspace).
    workspace: labels[LABEL.workspace] ?? '',
    engine: engineUrl,
    ssh: { host: '127.0.0.1', port: sshHostPort(inspect), user: labels[LABEL.user] ?? 'dev', alias: hostAlias(name) },
    ...(labels[LABEL.owner] ? { owner: labels[LABEL.owner] } : {}),
    ...positiveLabel(labels[LABEL.gpuCount], 'gpuCount'),
    ...positiveLabel(labels[LABEL.idleStop], 'idleStopMs'),
  };
}

function positiveLabel<K extends string>(value: string | undefined, key: K): Partial<Record<K, number>> {
  return value !== undefined && /^[1-9]\d{0,15}$/.test(value) ? ({ [key]: Number(value) } as Partial<Record<K, number>>) : {};
}

export async function inspectEnvironment(docker: Docker, name: string, signal?: AbortSignal): Promise<Inspect | undefined> {
  try {
    if (!isValidName(name)) return undefined;
    const inspect = await docker.getContainer(containerName(name)).inspect({ abortSignal: signal });
    return trustedName(inspect) === name ? inspect : undefined;
  } catch (error) {
    if (statusCode(error) === 404) return undefined;
    throw error;
  }
}
