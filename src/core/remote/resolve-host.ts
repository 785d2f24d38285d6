import { userInfo } from 'node:os';
import { join } from 'node:path';
import { usageError } from '../errors';
import { parseJumpHop, type SshHostSpec } from './target';
import type { ComputedSshOptions, UserSshConfig } from './user-ssh-config';

/** One SSH host with ~/.ssh/config applied: everything needed to connect to it and check its key. */
export interface ResolvedSshHost {
  /** The name the user gave (an alias or a real host name). */
  readonly alias: string;
  readonly hostName: string;
  readonly port: number;
  readonly user: string;
  /** IdentityFile entries, absolute; empty when the config names none (then OpenSSH's defaults apply). */
  readonly identityFiles: readonly string[];
  readonly identitiesOnly: boolean;
  /** IdentityAgent: a socket path, or undefined for SSH_AUTH_SOCK; `none` turns the agent off. */
  readonly identityAgent?: string;
  readonly userKnownHostsFiles: readonly string[];
  readonly globalKnownHostsFiles: readonly string[];
  readonly hostKeyAlias?: string;
  readonly hashKnownHosts: boolean;
  /** ProxyJump hops, first hop first; empty for a direct connection. */
  readonly proxyJump: readonly SshHostSpec[];
}

export interface ResolveContext {
  readonly homeDir: string;
  readonly config: UserSshConfig;
  /** The local user name, OpenSSH's default remote user. */
  readonly localUser?: string;
}

/** OpenSSH's default identities, in the order it tries them. */
export const DEFAULT_IDENTITY_FILES = ['id_rsa', 'id_ecdsa', 'id_ecdsa_sk', 'id_ed25519', 'id_ed25519_sk', 'id_dsa'];
const DEFAULT_GLOBAL_KNOWN_HOSTS = ['/etc/ssh/ssh_known_hosts', '/etc/ssh/ssh_known_hosts2'];
/** Longest ProxyJump chain followed; OpenSSH has no limit, but a loop must end. */
export const MAX_JUMP_HOPS = 8;

/** Applies ~/.ssh/config to one host; the user and port written in the address win over the config. */
export function resolveSshHost(spec: SshHostSpec, ctx: ResolveContext): ResolvedSshHost {
  const options = ctx.config.compute(spec.host, spec.user);
  const localUser = ctx.localUser ?? currentUser();
  const hostName = expandTokens(single(options, 'hostname') ?? spec.host, { h: spec.host, n: spec.host });
  const user = spec.user ?? single(options, 'user') ?? localUser;
  const port = spec.port ?? configPort(single(options, 'port'), ctx.config.file, spec.host);
  unsupportedProxyCommand(options, spec.host, ctx.config.file);
  const tokens = { h: hostName, n: spec.host, p: String(port), r: user, u: localUser, d: ctx.homeDir };
  const paths = (key: string): string[] => list(options, key).filter((p) => p.toLowerCase() !== 'none').map((p) => absolutePath(expandTokens(p, tokens), ctx.homeDir));
  const userKnownHosts = paths('userknownhostsfile');
  const globalKnownHosts = paths('globalknownhostsfile');
  const agent = single(options, 'identityagent');
  const keyAlias = single(options, 'hostkeyalias');
  return {
    alias: spec.host,
    hostName,
    port,
    user,
    identityFiles: paths('identityfile'),
    identitiesOnly: yes(single(options, 'identitiesonly')),
    ...(agent !== undefined ? { identityAgent: agent.toLowerCase() === 'none' || agent === 'SSH_AUTH_SOCK' ? agent : absolutePath(expandTokens(agent, tokens), ctx.homeDir) } : {}),
    userKnownHostsFiles: userKnownHosts.length > 0 ? userKnownHosts : [join(ctx.homeDir, '.ssh', 'known_hosts'), join(ctx.homeDir, '.ssh', 'known_hosts2')],
    globalKnownHostsFiles: globalKnownHosts.length > 0 ? globalKnownHosts : DEFAULT_GLOBAL_KNOWN_HOSTS,
    ...(keyAlias !== undefined ? { hostKeyAlias: keyAlias } : {}),
    hashKnownHosts: yes(single(options, 'hashknownhosts')),
    proxyJump: jumpHops(single(options, 'proxyjump'), spec.host),
  };
}

/**
 * The whole path to a host: its ProxyJump hops (each resolved through the config too, as OpenSSH
 * does), then the host itself. A jump host with its own ProxyJump puts that chain first.
 */
export function resolveHostChain(spec: SshHostSpec, ctx: ResolveContext): ResolvedSshHost[] {
  const chain: ResolvedSshHost[] = [];
  const visit = (hop: SshHostSpec, path: readonly string[]): void => {
    if (path.length > MAX_JUMP_HOPS) {
      throw usageError(`ProxyJump for ${path[0]} goes through more than ${MAX_JUMP_HOPS} hosts (${path.join(' → ')}); check ${ctx.config.file} for a loop`);
    }
    const resolved = resolveSshHost(hop, ctx);
    for (const jump of resolved.proxyJump) visit(jump, [...path, `${jump.host}`]);
    chain.push(resolved);
  };
  visit(spec, [spec.host]);
  return chain;
}

function jumpHops(value: string | undefined, host: string): SshHostSpec[] {
  if (value === undefined || value.toLowerCase() === 'none') return [];
  return value.split(',').map((hop) => parseJumpHop(`ProxyJump of ${host}`, hop));
}

function unsupportedProxyCommand(options: ComputedSshOptions, host: string, file: string): void {
  const command = single(options, 'proxycommand');
  if (command !== undefined && command.toLowerCase() !== 'none') {
    throw usageError(`${file}: host ${host} uses ProxyCommand, which gpu-env does not run; use ProxyJump [user@]jumphost[:port] instead`);
  }
}

function configPort(value: string | undefined, file: string, host: string): number {
  if (value === undefined) return 22;
  const port = /^\d{1,5}$/.test(value) ? Number(value) : NaN;
  if (!(port >= 1 && port <= 65535)) throw usageError(`${file}: Port "${value}" for host ${host} is not a port; use 1 to 65535`);
  return port;
}

function single(options: ComputedSshOptions, key: string): string | undefined {
  const value = options[key];
  if (value === undefined) return undefined;
  const text = typeof value === 'string' ? value : value.join(' ');
  const unquoted = text.trim().replace(/^"(.*)"$/, '$1');
  return unquoted === '' ? undefined : unquoted;
}

function list(options: ComputedSshOptions, key: string): string[] {
  const value = options[key];
  if (value === undefined) return [];
  const items = typeof value === 'string' ? value.split(/\s+/) : [...value];
  return items.map((item) => item.trim().replace(/^"(.*)"$/, '$1')).filter((item) => item !== '');
}

function yes(value: string | undefined): boolean {
  return value !== undefined && ['yes', 'true'].includes(value.toLowerCase());
}

/** The `%` tokens OpenSSH expands in paths and HostName; unknown ones are left as they are. */
export function expandTokens(text: string, tokens: Readonly<Record<string, string>>): string {
  return text.replace(/%([%a-zA-Z])/g, (whole, letter: string) => (letter === '%' ? '%' : tokens[letter] ?? whole));
}

function absolutePath(path: string, homeDir: string): string {
  if (path === '~' || path.startsWith('~/')) return join(homeDir, path.slice(1));
  return path.startsWith('/') ? path : join(homeDir, path);
}

function currentUser(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? process.env.LOGNAME ?? 'root';
  }
}
