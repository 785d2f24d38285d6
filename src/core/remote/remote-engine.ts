import type { Agent } from 'node:http';
import Docker from 'dockerode';
import { abortableDocker } from '../engine/abortable';
import type { EngineEndpoint } from '../engine/resolve';
import { GpuEnvError, messageOf } from '../errors';
import { withDeadline } from '../util/abort';
import type { ConfirmHostKey } from './host-key-check';
import { hostId, type HostConnection } from './host-connection';
import { sharedHost } from './host-registry';
import { resolveHostChain, type ResolvedSshHost } from './resolve-host';
import { describeSshHost, parseSshUrl } from './target';
import { loadUserSshConfig } from './user-ssh-config';

/** What an engine on another machine carries besides its Docker client. */
export interface RemoteHost {
  /** The one SSH connection to the host: Docker API channels, tunnels to containers, commands on the host. */
  readonly connection: HostConnection;
  /** ProxyJump hops first, the host last, ~/.ssh/config applied. */
  readonly chain: readonly ResolvedSshHost[];
  /** Stable short id: `Host gpu-env-host-<id>` in the generated OpenSSH config. */
  readonly id: string;
  /** `user@host[:port]`. */
  readonly label: string;
}

export interface RemoteEngineOptions {
  readonly env: NodeJS.ProcessEnv;
  readonly homeDir: string;
  /** Asked when the host's key is not in known_hosts; absent: unknown keys are refused. */
  readonly confirmHostKey?: ConfirmHostKey;
  readonly warn?: (message: string) => void;
  /** Progress for people, e.g. "Connecting to me@gpu-box over SSH". */
  readonly onStep?: (message: string) => void;
}

/** The first ping includes starting `docker system dial-stdio` on the host. */
export const REMOTE_PING_TIMEOUT_MS = 20_000;

/** The host path for an ssh:// endpoint, with ~/.ssh/config applied (no connection yet). */
export function remoteChain(endpoint: EngineEndpoint, homeDir: string): ResolvedSshHost[] {
  const spec = parseSshUrl(endpoint.context ? `docker context "${endpoint.context}"` : endpoint.source, endpoint.url);
  return resolveHostChain(spec, { homeDir, config: loadUserSshConfig(homeDir) });
}

/**
 * Docker on another machine, through one SSH connection that this process keeps per host. The
 * Docker client's HTTP connections are `docker system dial-stdio` channels on it.
 */
export async function connectRemoteEngine(endpoint: EngineEndpoint, options: RemoteEngineOptions, signal?: AbortSignal): Promise<{ docker: Docker; endpoint: EngineEndpoint; remote: RemoteHost }> {
  const chain = remoteChain(endpoint, options.homeDir);
  const { connection, agent } = sharedHost({
    chain,
    env: options.env,
    homeDir: options.homeDir,
    policy: { ...(options.confirmHostKey ? { confirm: options.confirmHostKey } : {}), ...(options.warn ? { warn: options.warn } : {}) },
  });
  if (connection.connectionsOpened === 0) options.onStep?.(`Connecting to ${connection.label} over SSH`);
  await connection.client(signal);
  // docker-modem hands `agent` to node:http (its typings omit it); host and port only fill the request line.
  const dockerOptions: Docker.DockerOptions & { readonly agent: Agent } = { protocol: 'http', host: 'docker', port: 80, agent };
  const docker = new Docker(dockerOptions);
  const label = describeSshHost(connection.target);
  try {
    await withDeadline(`Docker engine ping on ${label}`, REMOTE_PING_TIMEOUT_MS, signal, (abortSignal) => abortableDocker(docker).ping({ abortSignal }));
  } catch (error) {
    if ((error as Error).name === 'CancelledError') throw error;
    const said = agent.lastError !== '' ? `\`docker system dial-stdio\` on the host said: ${agent.lastError}` : messageOf(error);
    throw new GpuEnvError(
      `Docker engine on ${label} not reachable over SSH (${endpoint.url}): ${said}. The host needs the docker CLI on the PATH of ${connection.target.user}'s SSH sessions, and ${connection.target.user} must be allowed to use its engine (e.g. be in the docker group)`,
      'failure',
      { cause: error },
    );
  }
  return { docker, endpoint, remote: { connection, chain, id: hostId(chain), label } };
}
