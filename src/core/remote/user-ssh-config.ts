import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join } from 'node:path';
import { usageError } from '../errors';
import { SshConfigParser } from './ssh-config-module';

/** Computed options for one host, keys in lower case as OpenSSH treats them. */
export type ComputedSshOptions = Readonly<Record<string, string | readonly string[]>>;

export interface UserSshConfig {
  /** The file read (it may not exist: then every host gets OpenSSH's defaults). */
  readonly file: string;
  compute(host: string, user?: string): ComputedSshOptions;
  /** Whether a `Host` line names exactly this alias (not only through a wildcard). */
  definesHost(alias: string): boolean;
}

/** OpenSSH's own limit on nested Include. */
const MAX_INCLUDE_DEPTH = 16;
const MAX_INCLUDED_FILES = 256;

export function userSshConfigFile(homeDir: string): string {
  return join(homeDir, '.ssh', 'config');
}

/** Reads ~/.ssh/config (with its Include files) the way OpenSSH would for a user config. */
export function loadUserSshConfig(homeDir: string, file: string = userSshConfigFile(homeDir)): UserSshConfig {
  const text = existsSync(file) ? expandIncludes(checkedText(file), homeDir, { depth: 0, files: 0 }) : '';
  return parseUserSshConfig(text, file);
}

/** The text form, for tests and for configs that do not live in a file. */
export function parseUserSshConfig(text: string, file = '(text)'): UserSshConfig {
  requireArguments(text, file);
  const config = SshConfigParser.parse(text);
  return {
    file,
    // `Match exec` would run commands from the config; gpu-env never does (OpenSSH users who rely on
    // it get the options outside such blocks).
    compute: (host, user) => config.compute(user !== undefined ? { Host: host, User: user } : { Host: host }, { ignoreCase: true, matchExec: false }),
    definesHost: (alias) => hostNames(text).includes(alias.toLowerCase()),
  };
}

/** Every literal name on `Host` lines (no patterns, no negations), lower-cased. */
function hostNames(text: string): string[] {
  const names: string[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const match = /^\s*host(?:\s*=\s*|\s+)(.+)$/i.exec(raw);
    if (!match) continue;
    for (const word of match[1]!.split(/\s+/)) {
      const name = word.replace(/^"|"$/g, '');
      if (name !== '' && !/[*?!]/.test(name)) names.push(name.toLowerCase());
    }
  }
  return names;
}

interface IncludeBudget {
  depth: number;
  files: number;
}

/**
 * ssh-config does not follow Include, so the included text is spliced in where the line was, which
 * is how OpenSSH reads it. Relative paths are relative to ~/.ssh; `*` and `?` work in the last path
 * component. Depth and file count are bounded like OpenSSH's.
 */
function expandIncludes(text: string, homeDir: string, budget: IncludeBudget): string {
  if (budget.depth >= MAX_INCLUDE_DEPTH) return text;
  return text.split(/\r?\n/).map((line) => {
    const match = /^\s*include(?:\s*=\s*|\s+)(.+)$/i.exec(line);
    if (!match) return line;
    const parts: string[] = [];
    for (const path of includeArguments(match[1]!)) {
      for (const file of matchingFiles(absoluteIncludePath(path, homeDir))) {
        if (budget.files >= MAX_INCLUDED_FILES) break;
        budget.files++;
        const nested = { depth: budget.depth + 1, files: budget.files };
        parts.push(expandIncludes(checkedText(file), homeDir, nested));
        budget.files = nested.files;
      }
    }
    return parts.join('\n');
  }).join('\n');
}

function checkedText(file: string): string {
  const text = readFileSync(file, 'utf8');
  requireArguments(text, file);
  return text;
}

/**
 * A keyword with no argument is an error to OpenSSH ("missing argument": ssh refuses to start), and
 * the config parser would silently join it with the next line's keyword or throw a TypeError, so it
 * is reported here with the file and line, as ssh would.
 */
function requireArguments(text: string, file: string): void {
  const lines = text.split(/\r?\n/);
  for (const [index, raw] of lines.entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const keyword = /^([A-Za-z]+)\s*(?:=\s*)?(.*)$/.exec(line);
    if (keyword && keyword[2]!.trim() === '') {
      throw usageError(
        `${file} line ${index + 1}: no argument after keyword "${keyword[1]!.toLowerCase()}" ` +
          '(OpenSSH refuses this file too); give it a value or remove the line.',
      );
    }
  }
}

function includeArguments(text: string): string[] {
  return [...text.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2] ?? '').filter((p) => p !== '');
}

function absoluteIncludePath(path: string, homeDir: string): string {
  if (path === '~' || path.startsWith('~/')) return join(homeDir, path.slice(1));
  return isAbsolute(path) ? path : join(homeDir, '.ssh', path);
}

function matchingFiles(pattern: string): string[] {
  const dir = dirname(pattern);
  const name = basename(pattern);
  if (!/[*?]/.test(name)) return isFile(pattern) ? [pattern] : [];
  if (/[*?]/.test(dir) || !existsSync(dir)) return [];
  const regex = new RegExp(`^${name.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
  return readdirSync(dir).filter((entry) => regex.test(entry)).sort().map((entry) => join(dir, entry)).filter(isFile);
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
