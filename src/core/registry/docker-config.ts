import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GpuEnvError } from '../errors';

/**
 * The parts of the docker CLI's `config.json` gpu-env uses, read the way the CLI reads them:
 * `$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`. The file holds registry passwords, so
 * no error about it ever quotes its content.
 */
export interface DockerConfig {
  /** The file that was (or would have been) read. */
  readonly file: string;
  readonly exists: boolean;
  readonly currentContext?: string;
  /** `auths`: per registry key, a base64 `user:password` and/or an identity token. */
  readonly auths: Readonly<Record<string, StoredAuth>>;
  /** `credsStore`: the helper (`docker-credential-NAME`) that holds every registry's credentials. */
  readonly credsStore?: string;
  /** `credHelpers`: a helper per registry, winning over `credsStore`. */
  readonly credHelpers: Readonly<Record<string, string>>;
  /** `proxies`: keyed by engine address, or `default`. */
  readonly proxies: Readonly<Record<string, ProxySettings>>;
}

export interface StoredAuth {
  readonly auth?: string;
  readonly identitytoken?: string;
}

export interface ProxySettings {
  readonly httpProxy?: string;
  readonly httpsProxy?: string;
  readonly noProxy?: string;
  readonly ftpProxy?: string;
  readonly allProxy?: string;
}

const PROXY_KEYS = ['httpProxy', 'httpsProxy', 'noProxy', 'ftpProxy', 'allProxy'] as const;

export function dockerConfigDir(env: NodeJS.ProcessEnv, homeDir: string): string {
  return env.DOCKER_CONFIG && env.DOCKER_CONFIG !== '' ? env.DOCKER_CONFIG : join(homeDir, '.docker');
}

/** Reads the docker CLI's config; a missing file is an empty config, an unreadable one an error. */
export function readDockerConfig(env: NodeJS.ProcessEnv, homeDir: string): DockerConfig {
  const file = join(dockerConfigDir(env, homeDir), 'config.json');
  if (!existsSync(file)) return { file, exists: false, auths: {}, credHelpers: {}, proxies: {} };
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new GpuEnvError(`cannot read the docker config ${file}: ${(error as NodeJS.ErrnoException).code ?? 'read error'}`);
  }
  return parseDockerConfig(file, text);
}

/** Parses config.json text; wrong types are skipped as the docker CLI skips unknown fields. */
export function parseDockerConfig(file: string, text: string): DockerConfig {
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch {
    // JSON.parse's message quotes the text around the error, which may be a password.
    throw new GpuEnvError(`cannot read the docker config ${file}: it is not valid JSON (fix or remove it; \`docker login\` rewrites it)`);
  }
  if (!isRecord(value)) throw new GpuEnvError(`cannot read the docker config ${file}: it is not a JSON object`);
  const currentContext = typeof value.currentContext === 'string' && value.currentContext !== '' ? value.currentContext : undefined;
  const credsStore = typeof value.credsStore === 'string' && value.credsStore !== '' ? value.credsStore : undefined;
  return {
    file,
    exists: true,
    ...(currentContext ? { currentContext } : {}),
    auths: mapRecord(value.auths, (entry) => {
      if (!isRecord(entry)) return undefined;
      const auth = nonEmptyString(entry.auth);
      const identitytoken = nonEmptyString(entry.identitytoken);
      return { ...(auth ? { auth } : {}), ...(identitytoken ? { identitytoken } : {}) };
    }),
    ...(credsStore ? { credsStore } : {}),
    credHelpers: mapRecord(value.credHelpers, nonEmptyString),
    proxies: mapRecord(value.proxies, (entry) => {
      if (!isRecord(entry)) return undefined;
      const settings: Record<string, string> = {};
      for (const key of PROXY_KEYS) {
        const text = nonEmptyString(entry[key]);
        if (text) settings[key] = text;
      }
      return settings as ProxySettings;
    }),
  };
}

function mapRecord<T>(value: unknown, map: (entry: unknown) => T | undefined): Record<string, T> {
  const out: Record<string, T> = {};
  if (!isRecord(value)) return out;
  for (const [key, entry] of Object.entries(value)) {
    const mapped = map(entry);
    if (mapped !== undefined) out[key] = mapped;
  }
  return out;
}

function nonEmptyString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
