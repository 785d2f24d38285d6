import { createHash } from 'node:crypto';
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { usageError, GpuEnvError } from '../errors';
import { ACCEPTED_HOST_FORMS, isPlainHostAlias, isSshUrl, parseSlurmUrl } from '../remote/target';
import { loadUserSshConfig } from '../remote/user-ssh-config';
import { dockerConfigDir, readDockerConfig } from '../registry/docker-config';

/** Where the endpoint came from, in the docker CLI's order of precedence. */
export type EngineSource = '--host' | 'setting' | 'DOCKER_HOST' | 'DOCKER_CONTEXT' | 'current context' | 'default';

export interface EngineTls {
  readonly ca?: string;
  readonly cert?: string;
  readonly key?: string;
  readonly verify: boolean;
}

export interface EngineEndpoint {
  /** e.g. unix:///var/run/docker.sock, tcp://10.0.0.5:2376, ssh://user@host */
  readonly url: string;
  readonly source: EngineSource;
  readonly context?: string;
  readonly tls?: EngineTls;
}

export interface ResolveInput {
  /** `--host` or the `gpuEnv.engineHost` setting, when given. */
  readonly explicit?: { readonly url: string; readonly source: '--host' | 'setting' };
  readonly env: NodeJS.ProcessEnv;
  readonly homeDir: string;
}

export const DEFAULT_ENDPOINT = 'unix:///var/run/docker.sock';

/**
 * Resolves the engine exactly as the docker CLI does: explicit host, DOCKER_HOST, DOCKER_CONTEXT,
 * the `currentContext` of the docker config, then the default socket. Users get the same engine in
 * gpu-env as in `docker ps`.
 */
export function resolveEngine(input: ResolveInput): EngineEndpoint {
  const { explicit, env } = input;
  if (explicit && explicit.url.trim() !== '') return endpoint(sshAliasUrl(explicit.url.trim(), explicit.source, input.homeDir), explicit.source, env);
  if (env.DOCKER_HOST && env.DOCKER_HOST.trim() !== '') return endpoint(env.DOCKER_HOST.trim(), 'DOCKER_HOST', env);
  const configDir = dockerConfigDir(env, input.homeDir);
  if (env.DOCKER_CONTEXT && env.DOCKER_CONTEXT.trim() !== '') {
    return fromContext(configDir, env.DOCKER_CONTEXT.trim(), 'DOCKER_CONTEXT');
  }
  const current = readDockerConfig(env, input.homeDir).currentContext;
  if (current && current !== 'default') return fromContext(configDir, current, 'current context');
  return { url: DEFAULT_ENDPOINT, source: 'default' };
}

function endpoint(url: string, source: EngineSource, env: NodeJS.ProcessEnv): EngineEndpoint {
  validateEngineUrl(source, url);
  if (url.startsWith('tcp://') && env.DOCKER_TLS_VERIFY && env.DOCKER_TLS_VERIFY !== '' && source === 'DOCKER_HOST') {
    const certDir = env.DOCKER_CERT_PATH ?? '';
    return { url, source, tls: tlsFiles(certDir, true) };
  }
  return { url, source };
}

/**
 * unix://, tcp:// and ssh:// addresses (see remote/target.ts for the SSH forms). A bare Host alias of
 * ~/.ssh/config is accepted only where `allowHostAlias` says so (`--host`), as the docker CLI does
 * not take one from DOCKER_HOST either; whether the alias exists is checked when it is resolved.
 */
export function validateEngineUrl(field: string, url: string, options: { allowHostAlias?: boolean } = {}): void {
  if (url.trim().startsWith('slurm://')) return void parseSlurmUrl(field, url);
  const ok = /^unix:\/\/\/.+/.test(url) || /^tcp:\/\/[^/\s:]+(:\d{1,5})?\/?$/.test(url) || isSshUrl(url) || (options.allowHostAlias === true && isPlainHostAlias(url));
  if (!ok) {
    throw usageError(`${field}: "${url}" is not a Docker engine address; use ${options.allowHostAlias === true ? ACCEPTED_HOST_FORMS : 'unix:///path/to/docker.sock, tcp://host:port or ssh://[user@]host[:port] (ssh://alias for a Host of ~/.ssh/config)'}`);
  }
}

/** A bare `--host` word names a Host of ~/.ssh/config: it becomes ssh://alias, or an error if there is none. */
function sshAliasUrl(value: string, source: EngineSource, homeDir: string): string {
  if (!isPlainHostAlias(value)) return value;
  const config = loadUserSshConfig(homeDir);
  if (!config.definesHost(value)) {
    throw usageError(`${source}: "${value}" is not a Docker engine address, nor a Host alias in ${config.file}; use ${ACCEPTED_HOST_FORMS}`);
  }
  return `ssh://${value}`;
}

function fromContext(configDir: string, name: string, source: 'DOCKER_CONTEXT' | 'current context'): EngineEndpoint {
  if (name === 'default') return { url: DEFAULT_ENDPOINT, source, context: name };
  const id = createHash('sha256').update(name).digest('hex');
  const metaFile = join(configDir, 'contexts', 'meta', id, 'meta.json');
  if (!existsSync(metaFile)) {
    throw new GpuEnvError(`Docker context "${name}" (from ${source}) not found: no ${metaFile}; list contexts with \`docker context ls\``);
  }
  const meta = readJson(metaFile, `docker context "${name}"`);
  const docker = isRecord(meta) && isRecord(meta.Endpoints) ? meta.Endpoints.docker : undefined;
  const host = isRecord(docker) ? docker.Host : undefined;
  if (typeof host !== 'string' || host === '') {
    throw new GpuEnvError(`Docker context "${name}" (from ${source}) has no docker endpoint in ${metaFile}`);
  }
  validateEngineUrl(`docker context "${name}"`, host);
  const skipVerify = isRecord(docker) && docker.SkipTLSVerify === true;
  const tlsDir = join(configDir, 'contexts', 'tls', id, 'docker');
  const tls = existsSync(tlsDir) ? tlsFiles(tlsDir, !skipVerify) : undefined;
  return { url: host, source, context: name, ...(tls ? { tls } : {}) };
}

function tlsFiles(dir: string, verify: boolean): EngineTls {
  const read = (file: string): string | undefined => {
    const path = join(dir, file);
    return existsSync(path) ? readFileSync(path, 'utf8') : undefined;
  };
  const ca = read('ca.pem');
  const cert = read('cert.pem');
  const key = read('key.pem');
  return { verify, ...(ca ? { ca } : {}), ...(cert ? { cert } : {}), ...(key ? { key } : {}) };
}

function readJson(file: string, what: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as unknown;
  } catch (error) {
    throw new GpuEnvError(`cannot read ${what} at ${file}: ${(error as Error).message}`);
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function describeEndpoint(endpoint: EngineEndpoint): string {
  const from = endpoint.context ? `${endpoint.source} "${endpoint.context}"` : endpoint.source;
  return `${endpoint.url} (from ${from})`;
}
