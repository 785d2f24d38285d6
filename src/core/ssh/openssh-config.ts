import { existsSync, readFileSync } from 'node:fs';
import { writeFileAtomic } from '../util/files';
import { environmentPaths, hostAlias, sshConfigPath } from '../state/paths';

export interface SshEndpoint {
  readonly host: string;
  readonly port: number;
  readonly user: string;
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
    '',
  ].join('\n');
}

function quote(path: string): string {
  return /\s/.test(path) ? `"${path}"` : path;
}

const begin = (name: string): string => `# gpu-env:begin ${name}`;
const end = (name: string): string => `# gpu-env:end ${name}`;

/** Replaces (or adds) the environment's block in the product's own ssh_config file. */
export function writeHostBlock(stateDir: string, name: string, endpoint: SshEndpoint): string {
  const file = sshConfigPath(stateDir);
  const others = withoutBlock(readConfig(file), name);
  const block = `${begin(name)}\n${renderHostBlock(stateDir, name, endpoint)}${end(name)}\n`;
  writeFileAtomic(file, `${header(others)}${others}${block}`, 0o600);
  return file;
}

export function removeHostBlock(stateDir: string, name: string): void {
  const file = sshConfigPath(stateDir);
  if (!existsSync(file)) return;
  writeFileAtomic(file, withoutBlock(readConfig(file), name), 0o600);
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
