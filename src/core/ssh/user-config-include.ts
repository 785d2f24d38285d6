import { chmodSync, existsSync, mkdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { withFileLock } from '../util/file-lock';
import { writeFileAtomic } from '../util/files';
import { sshConfigPath } from '../state/paths';

/**
 * Remote-SSH resolves host aliases through the user's OpenSSH config only, so `gpu-env-NAME` needs an
 * `Include` of the product's own ssh_config there. The line goes first: an Include after a `Host` or
 * `Match` line would only apply inside that block.
 */

export function userSshConfigPath(homeDir: string): string {
  return join(homeDir, '.ssh', 'config');
}

export function includeLine(stateDir: string): string {
  const target = sshConfigPath(stateDir);
  return `Include ${/\s/.test(target) ? `"${target}"` : target}`;
}

/** True when `text` already includes the product's ssh_config at top level (before any Host/Match). */
export function hasTopLevelInclude(text: string, stateDir: string, homeDir: string): boolean {
  const target = sshConfigPath(stateDir);
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (/^(host|match)(\s|=)/i.test(line)) return false;
    const include = /^include(?:\s*=\s*|\s+)(.+)$/i.exec(line);
    if (include && includeArguments(include[1]!).some((path) => expandHome(path, homeDir) === target)) return true;
  }
  return false;
}

/** Include takes several paths, each optionally double-quoted (for spaces). */
function includeArguments(text: string): string[] {
  return [...text.matchAll(/"([^"]*)"|(\S+)/g)].map((match) => match[1] ?? match[2] ?? '');
}

function expandHome(path: string, homeDir: string): string {
  return path === '~' || path.startsWith('~/') ? join(homeDir, path.slice(1)) : path;
}

export function withIncludeAtTop(text: string, stateDir: string): string {
  const comment = '# Added by gpu-env (VS Code) so that Remote-SSH finds gpu-env-* hosts.';
  return `${comment}\n${includeLine(stateDir)}\n\n${text}`;
}

export type IncludeResult = 'added' | 'present';

/** Adds the Include line at the top of ~/.ssh/config, creating it (0600, folder 0700) if needed. */
export function ensureUserSshInclude(homeDir: string, stateDir: string): IncludeResult {
  // Dotfile managers often make ~/.ssh/config a symlink; write through it rather than replace it.
  const file = existsSync(userSshConfigPath(homeDir)) ? realpathSync(userSshConfigPath(homeDir)) : userSshConfigPath(homeDir);
  // The lock lives in gpu-env's state folder, not in ~/.ssh: it only orders gpu-env's own writers.
  return withFileLock(join(stateDir, 'user-ssh-config.lock'), file, () => {
    const existing = existsSync(file) ? readFileSync(file, 'utf8') : '';
    if (hasTopLevelInclude(existing, stateDir, homeDir)) return 'present';
    mkdirSync(join(homeDir, '.ssh'), { recursive: true, mode: 0o700 });
    const mode = existsSync(file) ? statSync(file).mode & 0o777 : 0o600;
    writeFileAtomic(file, withIncludeAtTop(existing, stateDir), mode);
    chmodSync(file, mode);
    return 'added';
  });
}

export function userSshIncludePresent(homeDir: string, stateDir: string): boolean {
  const file = userSshConfigPath(homeDir);
  return existsSync(file) && hasTopLevelInclude(readFileSync(file, 'utf8'), stateDir, homeDir);
}
