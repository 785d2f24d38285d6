import type { ProxySettings } from '../registry/docker-config';

/**
 * The build arguments of the recipe besides BASE_IMAGE. None of them is part of the recipe hash:
 * a proxy or a mirror changes the road packages take, not which packages arrive (a Debian or PyPI
 * mirror serves the same archive), so an image built through one is the image built without it.
 */
export interface BuildSettings {
  readonly proxies: ProxyArgs;
  /** `gpuEnv.aptMirror` / `--apt-mirror`: the archive URL apt uses while the recipe installs. */
  readonly aptMirror?: string;
  /** `gpuEnv.pipIndexUrl` / `--pip-index-url`: the index pip installs Jupyter from. */
  readonly pipIndexUrl?: string;
}

/** `HTTP_PROXY`… as `docker build` passes them: both spellings, from the docker CLI's config or the environment. */
export type ProxyArgs = Readonly<Record<string, string>>;

const PROXY_ARGS: readonly { readonly key: keyof ProxySettings; readonly name: string }[] = [
  { key: 'httpProxy', name: 'HTTP_PROXY' },
  { key: 'httpsProxy', name: 'HTTPS_PROXY' },
  { key: 'noProxy', name: 'NO_PROXY' },
  { key: 'ftpProxy', name: 'FTP_PROXY' },
  { key: 'allProxy', name: 'ALL_PROXY' },
];

export interface ProxyChoice {
  readonly args: ProxyArgs;
  /** Where they came from, for --verbose (no URL: a proxy URL may carry a password). */
  readonly source?: string;
  readonly warnings: readonly string[];
}

/**
 * The proxies a build gets, as the docker CLI picks them (cli/config/configfile ParseProxyConfig):
 * the `proxies` entry for the engine's address, else `default`. When the config has none and the
 * engine is on this machine, the proxy variables of this process are used too, except proxies on
 * loopback, which a container (its own loopback) cannot reach.
 *
 * Predefined proxy arguments are left out of the image's history by the engine (as long as the
 * Dockerfile does not declare them), so a proxy password does not end up in the image.
 */
export function chooseProxies(
  proxies: Readonly<Record<string, ProxySettings>>,
  configFile: string,
  engineUrl: string,
  engineIsLocal: boolean,
  env: NodeJS.ProcessEnv,
): ProxyChoice {
  const configured = proxies[engineUrl] ?? proxies.default;
  if (configured && PROXY_ARGS.some(({ key }) => configured[key] !== undefined)) {
    const args: Record<string, string> = {};
    for (const { key, name } of PROXY_ARGS) {
      const value = configured[key];
      if (value !== undefined) bothSpellings(args, name, value);
    }
    return { args, source: `proxies["${proxies[engineUrl] ? engineUrl : 'default'}"] in ${configFile}`, warnings: [] };
  }
  if (!engineIsLocal) return { args: {}, warnings: [] };
  const args: Record<string, string> = {};
  const warnings: string[] = [];
  for (const { name } of PROXY_ARGS) {
    const value = env[name] ?? env[name.toLowerCase()];
    if (value === undefined || value.trim() === '') continue;
    if (name !== 'NO_PROXY' && isLoopbackProxy(value)) {
      warnings.push(`${name} points at this machine's loopback (${redactUrl(value)}), which the build's containers cannot reach; not used for the build. Set proxies in ${configFile} to an address the engine's containers reach`);
      continue;
    }
    bothSpellings(args, name, value.trim());
  }
  return Object.keys(args).length > 0 ? { args, source: 'the environment (HTTP_PROXY, HTTPS_PROXY, NO_PROXY)', warnings } : { args, warnings };
}

function bothSpellings(args: Record<string, string>, name: string, value: string): void {
  args[name] = value;
  args[name.toLowerCase()] = value;
}

function isLoopbackProxy(value: string): boolean {
  const host = hostOf(value);
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\./.test(host);
}

function hostOf(value: string): string {
  try {
    return new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `http://${value}`).hostname.toLowerCase();
  } catch {
    return '';
  }
}

/** A URL with any `user:password@` replaced by `***@`, for messages. */
export function redactUrl(value: string): string {
  return value.replace(/^([a-z][a-z0-9+.-]*:\/\/)?[^/@\s]*@/i, (_, scheme: string | undefined) => `${scheme ?? ''}***@`);
}

/** The engine's build arguments for these settings (BASE_IMAGE is added by the build). */
export function buildArgsFor(settings: BuildSettings): Record<string, string> {
  return {
    ...settings.proxies,
    ...(settings.aptMirror ? { GPU_ENV_APT_MIRROR: settings.aptMirror } : {}),
    ...(settings.pipIndexUrl ? { GPU_ENV_PIP_INDEX_URL: settings.pipIndexUrl } : {}),
  };
}
