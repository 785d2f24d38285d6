import { GpuEnvError } from '../errors';
import { runCredentialHelper } from './credential-helper';
import type { DockerConfig } from './docker-config';
import { entryForRegistry, registryOf, type RegistryRef } from './registry-host';

/** The Engine API's `X-Registry-Auth` (dockerode's `authconfig`). */
export interface AuthConfig {
  readonly username?: string;
  readonly password?: string;
  readonly identitytoken?: string;
  readonly serveraddress: string;
}

export interface RegistryAuth {
  readonly registry: RegistryRef;
  /** Absent: pull anonymously (no credentials were found). */
  readonly authconfig?: AuthConfig;
  /** Where the credentials came from, or where they were looked for. Never a secret. */
  readonly source: string;
}

/** A helper's username that means "the secret is an identity token" (docker CLI tokenUsername). */
const TOKEN_USERNAME = '<token>';

/**
 * Credentials for pulling `ref`, found as the docker CLI finds them: a `credHelpers` entry for the
 * registry, else `credsStore`, else `auths` (base64 `user:password` or `identitytoken`).
 */
export async function registryAuthFor(ref: string, config: DockerConfig, env: NodeJS.ProcessEnv, signal?: AbortSignal): Promise<RegistryAuth> {
  const registry = registryOf(ref);
  const serveraddress = registry.configKey;
  const helper = config.credHelpers[registry.configKey];
  const helperSource = helper !== undefined
    ? { name: helper, where: `credHelpers["${registry.configKey}"] in ${config.file}` }
    : config.credsStore !== undefined ? { name: config.credsStore, where: `credsStore in ${config.file}` } : undefined;
  if (helperSource) {
    const source = `the credential helper docker-credential-${helperSource.name} (${helperSource.where})`;
    const answer = await runCredentialHelper(helperSource.name, serveraddress, helperSource.where, env, signal);
    if (!answer) return { registry, source: `${source}, which has none for ${registry.name}` };
    const authconfig = answer.username === TOKEN_USERNAME
      ? { identitytoken: answer.secret, serveraddress }
      : { username: answer.username, password: answer.secret, serveraddress };
    return { registry, authconfig, source };
  }
  const entry = entryForRegistry(config.auths, registry);
  if (!entry) {
    const where = config.exists ? `${config.file}, which has no auths entry, credHelpers entry or credsStore for ${registry.name}` : `${config.file}, which does not exist`;
    return { registry, source: where };
  }
  const source = `auths["${entry.key}"] in ${config.file}`;
  const decoded = entry.value.auth !== undefined ? decodeAuth(entry.value.auth, source) : undefined;
  if (entry.value.identitytoken !== undefined) {
    return { registry, authconfig: { ...(decoded ? { username: decoded.username } : {}), identitytoken: entry.value.identitytoken, serveraddress }, source };
  }
  if (!decoded) return { registry, source: `${source}, which holds no credentials` };
  return { registry, authconfig: { username: decoded.username, password: decoded.password, serveraddress }, source };
}

/** `auth` is base64 of `user:password`; the error names the entry, never its content. */
export function decodeAuth(auth: string, source: string): { username: string; password: string } {
  const text = /^[A-Za-z0-9+/]+={0,2}$/.test(auth) ? Buffer.from(auth, 'base64').toString('utf8') : '';
  const colon = text.indexOf(':');
  if (colon <= 0) throw new GpuEnvError(`${source}: "auth" is not base64 of user:password; log in again with \`docker login\``);
  return { username: text.slice(0, colon), password: text.slice(colon + 1) };
}
