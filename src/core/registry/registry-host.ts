/**
 * Which registry an image reference lives in, and under which key the docker CLI files its
 * credentials (cli/command/registry.go ResolveAuthConfig, cli/config/configfile GetAuthConfig).
 */

/** Docker Hub's key in `auths` and `credHelpers`, and the server a helper is asked about. */
export const DOCKER_HUB_KEY = 'https://index.docker.io/v1/';

export interface RegistryRef {
  /** As users name it: `docker.io`, `ghcr.io`, `127.0.0.1:5000`. */
  readonly name: string;
  /** The key of `auths`/`credHelpers` and the server asked of a credential helper. */
  readonly configKey: string;
}

/**
 * The registry of a (validated) reference: the first path component when it has a dot or a port or
 * is `localhost`, as the docker CLI decides; otherwise Docker Hub.
 */
export function registryOf(ref: string): RegistryRef {
  const slash = ref.indexOf('/');
  const first = slash > 0 ? ref.slice(0, slash) : '';
  const isDomain = first !== '' && (first.includes('.') || first.includes(':') || first === 'localhost');
  if (!isDomain || first === 'docker.io' || first === 'index.docker.io' || first === 'registry-1.docker.io') {
    return { name: 'docker.io', configKey: DOCKER_HUB_KEY };
  }
  return { name: first, configKey: first };
}

/**
 * `https://ghcr.io/v1/` → `ghcr.io`: `docker login` has written keys with and without a scheme and
 * path over the years, and the CLI matches them by host name (registry.ConvertToHostname).
 */
export function hostnameOfKey(key: string): string {
  const withoutScheme = key.replace(/^https?:\/\//, '');
  const slash = withoutScheme.indexOf('/');
  return slash >= 0 ? withoutScheme.slice(0, slash) : withoutScheme;
}

/** The entry of a key-to-value map that applies to `registry`: the exact key first, then by host name. */
export function entryForRegistry<T>(map: Readonly<Record<string, T>>, registry: RegistryRef): { key: string; value: T } | undefined {
  const exact = map[registry.configKey];
  if (exact !== undefined) return { key: registry.configKey, value: exact };
  const host = hostnameOfKey(registry.configKey);
  for (const [key, value] of Object.entries(map)) {
    if (hostnameOfKey(key) === host) return { key, value };
  }
  return undefined;
}
