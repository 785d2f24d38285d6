import { connectEngine, type Engine } from '../../engine/connect';
import type { EngineEndpoint } from '../../engine/resolve';
import { errorCodeOf, isUsageError, messageOf } from '../../errors';
import { withDeadline } from '../../util/abort';
import { doctorEngineApi, isRecord, stringField } from '../engine-facts';
import type { Check, CheckResult } from '../check';

/** The endpoint resolved as the docker CLI would, or why that failed. */
export type EngineTarget = { readonly endpoint: EngineEndpoint } | { readonly resolveError: unknown };

const PRECEDENCE = 'gpu-env picks the engine as the docker CLI does: --host, DOCKER_HOST, DOCKER_CONTEXT, the current docker context, then the default socket';

export const engineReachableCheck: Check<EngineTarget, Engine> = {
  id: 'engine',
  title: 'Docker engine reachable',
  timeoutMs: 15_000,
  fixWhenBroken: 'Check that the engine answers `docker version` with the same DOCKER_HOST / context, then run the doctor again.',
  async run(target, signal) {
    if ('resolveError' in target) {
      return { status: 'fail', detail: `No Docker engine could be chosen: ${messageOf(target.resolveError)}`, fix: `Fix the address (e.g. DOCKER_HOST=unix:///var/run/docker.sock or tcp://HOST:2376), or choose a context with \`docker context use NAME\`. ${PRECEDENCE}.` };
    }
    const { endpoint } = target;
    let engine: Engine;
    try {
      engine = await connectEngine(endpoint, signal);
    } catch (error) {
      return unreachable(endpoint, error);
    }
    const version = await engineVersion(engine, signal);
    return {
      status: 'ok',
      detail: `${version ?? 'The Docker engine'} answers at ${endpoint.url}, ${howChosen(endpoint)}. ${PRECEDENCE}.`,
      value: engine,
    };
  },
};

/** Says in words where the endpoint came from. */
export function howChosen(endpoint: EngineEndpoint): string {
  switch (endpoint.source) {
    case '--host': return 'given with --host';
    case 'setting': return 'set in the gpu-env engine host setting';
    case 'DOCKER_HOST': return 'taken from the DOCKER_HOST environment variable';
    case 'DOCKER_CONTEXT': return `taken from DOCKER_CONTEXT (docker context "${endpoint.context ?? ''}")`;
    case 'current context': return `taken from the docker CLI's current context "${endpoint.context ?? ''}"`;
    case 'default': return 'the default socket, as no --host, DOCKER_HOST, DOCKER_CONTEXT or current docker context chose another';
  }
}

function unreachable(endpoint: EngineEndpoint, error: unknown): CheckResult<Engine> {
  const detail = `No answer from ${endpoint.url} (${howChosen(endpoint)}): ${messageOf(error)}`;
  const code = errorCodeOf(error);
  const unix = endpoint.url.startsWith('unix://');
  if (isUsageError(error) && endpoint.url.startsWith('ssh://')) {
    return { status: 'fail', detail, fix: 'gpu-env does not dial ssh:// engines yet: forward the remote socket with `ssh -NL /tmp/remote-docker.sock:/var/run/docker.sock USER@HOST` and use DOCKER_HOST=unix:///tmp/remote-docker.sock.' };
  }
  if (isUsageError(error) && endpoint.url.startsWith('tcp://')) {
    return { status: 'fail', detail, fix: 'Reach that machine\'s engine over SSH instead: --host ssh://[user@]HOST (or DOCKER_HOST=ssh://…), with a key that logs in there.' };
  }
  if (unix && code === 'ENOENT') {
    return { status: 'fail', detail, fix: 'There is no socket at that path: start Docker (`sudo systemctl start docker`, or open Docker Desktop), or point DOCKER_HOST / --host at the engine you use.' };
  }
  if (unix && code === 'EACCES') {
    return { status: 'fail', detail, fix: 'Your user may not open the socket: add it to the docker group (`sudo usermod -aG docker $USER`, then log in again), or use rootless Docker.' };
  }
  if (code === 'ECONNREFUSED') {
    return { status: 'fail', detail, fix: 'Nothing listens there: start the Docker engine on that host, or correct the address and port.' };
  }
  return { status: 'fail', detail, fix: `Check that \`docker version\` answers with the same settings; ${PRECEDENCE}.` };
}


async function engineVersion(engine: Engine, signal: AbortSignal): Promise<string | undefined> {
  try {
    const version: unknown = await withDeadline('docker version', 5_000, signal, (s) => doctorEngineApi(engine.docker).version({ abortSignal: s }));
    if (!isRecord(version)) return undefined;
    const number = stringField(version, 'Version');
    const platform = [stringField(version, 'Os'), stringField(version, 'Arch')].filter(Boolean).join('/');
    const api = stringField(version, 'ApiVersion');
    if (!number) return undefined;
    return `Docker ${number}${platform ? ` (${platform}${api ? `, API ${api}` : ''})` : ''}`;
  } catch {
    // The ping already proved the engine answers; the version only decorates the report.
    return undefined;
  }
}
