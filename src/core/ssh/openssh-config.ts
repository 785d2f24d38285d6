import { existsSync, readFileSync } from 'node:fs';
import { withFileLock } from '../util/file-lock';
import { writeFileAtomic } from '../util/files';
import { environmentPaths, hostAlias, sshConfigPath } from '../state/paths';
import { shellJoin } from '../runs/shell';
import type { ResolvedSshHost } from '../remote/resolve-host';

export interface SshEndpoint {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  /** The `Host` alias of the machine to go through (an engine on a remote host publishes on its 127.0.0.1). */
  readonly jump?: string;
  /**
   * A command whose stdin/stdout is the connection, instead of a TCP port (a compute node reached by
   * `srun … sshd -i` on a cluster's login node). Written as is: `%` must already be doubled.
   */
  readonly proxyCommand?: string;
}

/**
 * A remote Docker host (or one of its ProxyJump hops) as a block of the generated config: the
 * resolved host's connection and key settings under gpu-env's own alias (jumpAlias).
 */
export interface JumpHost extends Pick<ResolvedSshHost, 'hostName' | 'port' | 'user' | 'identityFiles' | 'identitiesOnly' | 'userKnownHostsFiles' | 'globalKnownHostsFiles' | 'hostKeyAlias'> {
  readonly alias: string;
  /** The alias of the hop before it, when it is reached through another jump host. */
  readonly via?: string;
}

/** `Host gpu-env-host-<id>`: the alias of a remote Docker host in the generated config. */
export function jumpAlias(id: string): string {
  return `gpu-env-host-${id}`;
}

/** `ssh -F <state>/ssh_config gpu-env-NAME`: the command that reaches an environment with gpu-env's own config. */
export function sshCommand(stateDir: string, alias: string): string {
  return shellJoin(['ssh', '-F', sshConfigPath(stateDir), alias]);
}

/** The `Host gpu-env-<name>` block: pinned host key, key-only login, usable by ssh -F and Remote-SSH. */
export function renderHostBlock(stateDir: string, name: string, endpoint: SshEndpoint): string {
  const paths = environmentPaths(stateDir, name);
  const alias = hostAlias(name);
  return [
    `Host ${alias}`,
    `  HostName ${endpoint.host}`,
    `  Port ${endpoint.port}`,
    `  User ${endpoint.user}`,
    `  IdentityFile ${quote(paths.userKey)}`,
    '  IdentitiesOnly yes',
    `  UserKnownHostsFile ${quote(paths.knownHosts)}`,
    '  StrictHostKeyChecking yes',
    `  HostKeyAlias ${alias}`,
    '  PasswordAuthentication no',
    '  KbdInteractiveAuthentication no',
    '  ServerAliveInterval 30',
    ...(endpoint.proxyCommand !== undefined ? [`  ProxyCommand ${endpoint.proxyCommand}`] : endpoint.jump ? [`  ProxyJump ${endpoint.jump}`] : []),
    '',
  ].join('\n');
}

/**
 * A remote host's block: self-contained (absolute key and known_hosts paths, its own ProxyJump), so
 * that `ssh -F <this file>` works without the user's ~/.ssh/config, and Remote-SSH through the Include.
 */
export function renderJumpBlock(host: JumpHost): string {
  return [
    `Host ${host.alias}`,
    `  HostName ${host.hostName}`,
    `  Port ${host.port}`,
    `  User ${host.user}`,
    ...host.identityFiles.map((file) => `  IdentityFile ${quote(file)}`),
    ...(host.identitiesOnly ? ['  IdentitiesOnly yes'] : []),
    `  UserKnownHostsFile ${host.userKnownHostsFiles.map(quote).join(' ')}`,
    `  GlobalKnownHostsFile ${host.globalKnownHostsFiles.map(quote).join(' ')}`,
    '  StrictHostKeyChecking yes',
    ...(host.hostKeyAlias ? [`  HostKeyAlias ${host.hostKeyAlias}`] : []),
    '  ServerAliveInterval 30',
    ...(host.via ? [`  ProxyJump ${host.via}`] : []),
    '',
  ].join('\n');
}

function quote(path: string): string {
  return /\s/.test(path) ? `"${path}"` : path;
}

const begin = (name: string): string => `# gpu-env:begin ${name}`;
const end = (name: string): string => `# gpu-env:end ${name}`;

/**
 * Replaces (or adds) the environment's block in the product's own ssh_config file, and the blocks of
 * the remote host it goes through (`jumps`, first hop first). Blocks are keyed by environment name,
 * jump blocks by `jump <alias>` (a name with a space, which no environment can have).
 */
export function writeHostBlock(stateDir: string, name: string, endpoint: SshEndpoint, jumps: readonly JumpHost[] = []): string {
  const file = sshConfigPath(stateDir);
  // Read-modify-write under a lock: two `up` at once would otherwise each drop the other's block.
  return withFileLock(`${file}.lock`, file, () => {
    let text = readConfig(file);
    for (const jump of jumps) text = withoutBlock(text, jumpKey(jump.alias));
    text = withoutBlock(text, name);
    const jumpBlocks = jumps.map((jump) => `${begin(jumpKey(jump.alias))}\n${renderJumpBlock(jump)}${end(jumpKey(jump.alias))}\n`).join('');
    const block = `${begin(name)}\n${renderHostBlock(stateDir, name, endpoint)}${end(name)}\n`;
    writeFileAtomic(file, `${header(text)}${text}${jumpBlocks}${block}`, 0o600);
    return file;
  });
}

/** Removes the environment's block, and the blocks of remote hosts no other block goes through any more. */
export function removeHostBlock(stateDir: string, name: string): void {
  const file = sshConfigPath(stateDir);
  if (!existsSync(file)) return;
  withFileLock(`${file}.lock`, file, () => {
    writeFileAtomic(file, withoutUnusedJumps(withoutBlock(readConfig(file), name)), 0o600);
  });
}

function jumpKey(alias: string): string {
  return `jump ${alias}`;
}

/** Bounded: each pass removes at least one block of a chain, and chains are at most a few hops. */
function withoutUnusedJumps(text: string): string {
  let current = text;
  for (let pass = 0; pass < 16; pass++) {
    // A cluster's login node is used by the ProxyCommand lines that `ssh -F … <alias>` through it.
    const used = new Set([...current.matchAll(/^\s*ProxyJump\s+(\S+)/gim), ...current.matchAll(/^\s*ProxyCommand\s+ssh\s.*?\s(gpu-env-host-[0-9a-f]+)\s/gim)].map((m) => m[1]!));
    const unused = [...current.matchAll(/^# gpu-env:begin jump (\S+)$/gm)].map((m) => m[1]!).filter((alias) => !used.has(alias));
    if (unused.length === 0) return current;
    for (const alias of unused) current = withoutBlock(current, jumpKey(alias));
  }
  return current;
}

function readConfig(file: string): string {
  return existsSync(file) ? readFileSync(file, 'utf8') : '';
}

function header(existing: string): string {
  return existing.includes('# Managed by gpu-env') ? '' : '# Managed by gpu-env: one block per environment, rewritten on every start.\n';
}

function withoutBlock(text: string, name: string): string {
  const lines = text.split('\n');
  const out: string[] = [];
  let inside = false;
  for (const line of lines) {
    if (line === begin(name)) inside = true;
    else if (line === end(name)) inside = false;
    else if (!inside) out.push(line);
  }
  return out.join('\n').replace(/\n+$/, '\n').replace(/^\n$/, '');
}
