import { homedir } from 'node:os';
import Docker from 'dockerode';
import { errorCodeOf, GpuEnvError, messageOf } from '../errors';
import { connectRemoteEngine, type RemoteEngineOptions, type RemoteHost } from '../remote/remote-engine';
import { withDeadline } from '../util/abort';
import { abortableDocker } from './abortable';
import { NO_PERMISSION, NOT_REACHABLE } from '../../shared/engine-errors';
import { describeEndpoint, type EngineEndpoint } from './resolve';
import { assertTcpEngineIsLocal } from './tcp-locality';

export interface Engine {
  readonly docker: Docker;
  readonly endpoint: EngineEndpoint;
  /** Set for ssh:// engines: the host's SSH connection, for tunnels to containers and commands on the host. */
  readonly remote?: RemoteHost;
}

export const PING_TIMEOUT_MS = 5_000;

/**
 * Builds a client for the endpoint and checks the engine answers, saying which endpoint failed.
 * ssh:// engines go through one SSH connection per host; `remote` says how to log in and whom to ask
 * about an unknown host key (without it: the process's HOME and environment, unknown keys refused).
 * A tcp:// engine on another machine is refused (usage error): see tcp-locality.ts.
 */
export async function connectEngine(endpoint: EngineEndpoint, signal?: AbortSignal, remote?: RemoteEngineOptions): Promise<Engine> {
  if (endpoint.url.startsWith('ssh://')) return connectRemoteEngine(endpoint, remote ?? { env: process.env, homeDir: homedir() }, signal);
  if (endpoint.url.startsWith('tcp://')) await assertTcpEngineIsLocal(endpoint, signal);
  const docker = new Docker(dockerOptions(endpoint));
  try {
    await withDeadline(`Docker engine ping at ${endpoint.url}`, PING_TIMEOUT_MS, signal, (abortSignal) => abortableDocker(docker).ping({ abortSignal }));
  } catch (error) {
    if ((error as Error).name === 'CancelledError') throw error;
    // A socket this user may not open is not an engine that is down: starting it would not help.
    if (endpoint.url.startsWith('unix://') && errorCodeOf(error) === 'EACCES') {
      throw new GpuEnvError(`${NO_PERMISSION} at ${describeEndpoint(endpoint)}: this user may not open its socket; add the user to the docker group (then log in again) or use rootless Docker (${messageOf(error)})`, 'failure', { cause: error });
    }
    throw new GpuEnvError(`${NOT_REACHABLE} at ${describeEndpoint(endpoint)}: is it running? (${messageOf(error)})`, 'failure', { cause: error });
  }
  return { docker, endpoint };
}

function dockerOptions(endpoint: EngineEndpoint): Docker.DockerOptions {
  const url = new URL(endpoint.url);
  if (url.protocol === 'unix:') return { socketPath: decodeURIComponent(url.pathname) };
  if (url.protocol === 'tcp:') {
    const tls = endpoint.tls;
    const port = url.port !== '' ? Number(url.port) : tls ? 2376 : 2375;
    if (!tls) return { protocol: 'http', host: url.hostname, port };
    return {
      protocol: 'https',
      host: url.hostname,
      port,
      ...(tls.ca ? { ca: tls.ca } : {}),
      ...(tls.cert ? { cert: tls.cert } : {}),
      ...(tls.key ? { key: tls.key } : {}),
    };
  }
  throw new GpuEnvError(`engines at ${endpoint.url} (${url.protocol}) are not supported; use a unix:// socket, tcp://host:port or ssh://[user@]host[:port]`, 'usage');
}
