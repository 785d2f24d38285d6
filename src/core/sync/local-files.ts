import { lstatSync, readdirSync, readFileSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import ignore, { type Ignore } from 'ignore';
import { GpuEnvError } from '../errors';

/** A regular file of the local workspace, as `sync` compares and sends it. */
export interface LocalFile {
  /** Relative, with `/` separators. */
  readonly path: string;
  readonly size: number;
  /** Whole seconds since the epoch: what a tar header keeps, so the next comparison matches. */
  readonly mtime: number;
  readonly mode: number;
}

export interface LocalListing {
  readonly files: readonly LocalFile[];
  /** Files and folders left out by .gitignore rules (counted, not listed). */
  readonly ignored: number;
  /** Symbolic links and other non-regular files, which are not copied. */
  readonly skipped: number;
}

/**
 * Never copied, whatever .gitignore says: git's own folder, and gpu-env's run files (the copy on
 * the other side is the real one: its runs write there).
 */
export const ALWAYS_EXCLUDED = ['.git', '.gpu-env'];
export const MAX_FILES = 200_000;

/**
 * Walks `root` honouring .gitignore files as git does (each applies to its folder and below, later
 * rules and deeper files win, `!` re-includes), bounded in file count.
 */
export function listLocalFiles(root: string): LocalListing {
  const files: LocalFile[] = [];
  let ignored = 0;
  let skipped = 0;
  const walk = (dir: string, rel: string, rules: readonly { base: string; matcher: Ignore }[]): void => {
    const own = readGitignore(join(dir, '.gitignore'));
    const active = own ? [...rules, { base: rel, matcher: own }] : rules;
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const path = rel === '' ? entry.name : `${rel}/${entry.name}`;
      if (rel === '' && ALWAYS_EXCLUDED.includes(entry.name)) continue;
      const isDir = entry.isDirectory();
      if (isIgnored(active, path, isDir)) {
        ignored++;
        continue;
      }
      if (isDir) walk(join(dir, entry.name), path, active);
      else if (entry.isFile()) {
        if (files.length >= MAX_FILES) throw new GpuEnvError(`${root} has more than ${MAX_FILES} files to copy; add the big folders (data, checkpoints) to .gitignore`);
        const stat: Stats = lstatSync(join(dir, entry.name));
        files.push({ path, size: stat.size, mtime: Math.floor(stat.mtimeMs / 1000), mode: stat.mode & 0o777 });
      } else skipped++;
    }
  };
  walk(root, '', []);
  return { files, ignored, skipped };
}

function readGitignore(file: string): Ignore | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  return ignore().add(text);
}

/** Rules of a .gitignore apply to paths relative to its folder; the last one that matches decides. */
function isIgnored(rules: readonly { base: string; matcher: Ignore }[], path: string, isDir: boolean): boolean {
  let verdict = false;
  for (const { base, matcher } of rules) {
    const relative = base === '' ? path : path.slice(base.length + 1);
    const result = matcher.test(isDir ? `${relative}/` : relative);
    if (result.ignored) verdict = true;
    else if (result.unignored) verdict = false;
  }
  return verdict;
}
