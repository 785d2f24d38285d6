import { usageError } from '../errors';

/**
 * A remote Docker host as the user named it, before ~/.ssh/config is applied. `host` is what goes
 * into the config lookup (an alias such as `gpu-box`, or a real name or address); `user` and `port`
 * are set only when the user wrote them, because an unset one is taken from the config.
 */
export interface SshHostSpec {
  readonly host: string;
  readonly user?: string;
  readonly port?: number;
}

/**
 * The forms accepted for a remote host (`--host`, the engine setting, DOCKER_HOST, a docker context):
 *   ssh://[user@]host[:port][/]   host: a name, an IPv4 address, [IPv6], or a Host alias of ~/.ssh/config
 *   alias                          a bare Host alias of ~/.ssh/config (only for --host and the setting,
 *                                  as the docker CLI does not read one from DOCKER_HOST either)
 */
export const ACCEPTED_HOST_FORMS = 'unix:///path/to/docker.sock, tcp://host:port, ssh://[user@]host[:port], a Host alias from ~/.ssh/config, or a Slurm cluster\'s login node slurm://[user@]login[:port] (slurm://ALIAS for a Host of ~/.ssh/config)';

const USER = '[A-Za-z0-9._][A-Za-z0-9._-]*';
const NAME = '[A-Za-z0-9_](?:[A-Za-z0-9._-]*[A-Za-z0-9_])?';
const IPV6 = '\\[[0-9A-Fa-f:.]+\\]';
const SSH_URL = new RegExp(`^ssh://(?:(${USER})@)?(${NAME}|${IPV6})(?::(\\d{1,5}))?/?$`);
const SLURM_URL = new RegExp(`^slurm://(?:(${USER})@)?(${NAME}|${IPV6})(?::(\\d{1,5}))?/?$`);
const JUMP = new RegExp(`^(?:(${USER})@)?(${NAME}|${IPV6})(?::(\\d{1,5}))?$`);
const ALIAS = new RegExp(`^${NAME}$`);

export function isSshUrl(value: string): boolean {
  return SSH_URL.test(value);
}

/** `slurm://[user@]login[:port]` → the login node's parts, looked up in ~/.ssh/config like ssh:// hosts. */
export function parseSlurmUrl(field: string, url: string): SshHostSpec {
  const match = SLURM_URL.exec(url.trim());
  if (!match) {
    throw usageError(`${field}: "${url}" is not a Slurm cluster address; use slurm://[user@]login[:port] (the login node), or slurm://ALIAS for a Host of ~/.ssh/config, e.g. slurm://me@login.cluster.edu`);
  }
  return spec(match[1], match[2]!, match[3], field, url);
}

/** A bare word that can only mean a Host alias: no scheme, no user, no port, no path. */
export function isPlainHostAlias(value: string): boolean {
  return ALIAS.test(value) && value.length <= 255;
}

/** `ssh://[user@]host[:port]` → its parts; `field` names where the user wrote it. */
export function parseSshUrl(field: string, url: string): SshHostSpec {
  const match = SSH_URL.exec(url.trim());
  if (!match) {
    throw usageError(`${field}: "${url}" is not an SSH address; use ssh://[user@]host[:port], e.g. ssh://me@gpu-box or ssh://me@10.0.0.5:2222`);
  }
  return spec(match[1], match[2]!, match[3], field, url);
}

/** One ProxyJump hop: `[user@]host[:port]` or `ssh://[user@]host[:port]`, as OpenSSH accepts them. */
export function parseJumpHop(field: string, text: string): SshHostSpec {
  const trimmed = text.trim();
  if (trimmed.startsWith('ssh://')) return parseSshUrl(field, trimmed);
  const match = JUMP.exec(trimmed);
  if (!match) throw usageError(`${field}: "${text}" is not a jump host; use [user@]host[:port] or ssh://[user@]host[:port]`);
  return spec(match[1], match[2]!, match[3], field, text);
}

function spec(user: string | undefined, host: string, port: string | undefined, field: string, original: string): SshHostSpec {
  const portNumber = port === undefined ? undefined : Number(port);
  if (portNumber !== undefined && (portNumber < 1 || portNumber > 65535)) {
    throw usageError(`${field}: "${original}" has port ${port}; use a port from 1 to 65535`);
  }
  const bare = host.startsWith('[') ? host.slice(1, -1) : host;
  return { host: bare, ...(user !== undefined ? { user } : {}), ...(portNumber !== undefined ? { port: portNumber } : {}) };
}

/** How the host is shown to people: `user@host`, with `:port` when it is not 22. */
export function describeSshHost(target: { readonly user: string; readonly hostName: string; readonly port: number }): string {
  const host = target.hostName.includes(':') ? `[${target.hostName}]` : target.hostName;
  return `${target.user}@${host}${target.port === 22 ? '' : `:${target.port}`}`;
}
