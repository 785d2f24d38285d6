/**
 * Copying the shipped runner and templates into the environment. The caller reads the files from
 * the package (the extension and CLI know where it is); this module only needs their contents.
 *
 * The runner is ours and always replaced, so every client talks to the same version. Templates
 * are the user's once copied: only files that are missing are written, so edits survive.
 */
import type { SshSession } from '../ssh/session';
import { shellQuote } from './shell';

export interface ShippedFile {
  /** Path relative to the destination folder, e.g. "train_cnn.py". */
  readonly name: string;
  readonly content: string | Buffer;
}

export interface UploadReport {
  readonly written: readonly string[];
  readonly kept: readonly string[];
}

const RELATIVE = /^[A-Za-z0-9_][A-Za-z0-9_.-]*(\/[A-Za-z0-9_][A-Za-z0-9_.-]*)*$/;

export function checkShippedName(name: string): void {
  if (!RELATIVE.test(name) || name.split('/').some((part) => part === '..' || part === '.')) {
    throw new RangeError(`shipped file name "${name}" must be a relative path of letters, digits, '_', '.', '-' (no "..")`);
  }
}

/** Writes to a temp file beside the target and renames it, so a dropped connection leaves no half file. */
export function writeFileCommand(path: string, mode: '644' | '755'): string {
  const dir = path.slice(0, path.lastIndexOf('/')) || '/';
  const target = shellQuote(path);
  const temp = shellQuote(`${path}.upload-tmp`);
  return `mkdir -p ${shellQuote(dir)} && cat > ${temp} && chmod ${mode} ${temp} && mv -f ${temp} ${target}`;
}

/** Prints, one per line, which of `paths` exist. */
export function existingFilesCommand(paths: readonly string[]): string {
  return `for f in ${paths.map(shellQuote).join(' ')}; do [ -e "$f" ] && printf '%s\\n' "$f"; done; true`;
}

export async function writeRemoteFile(session: SshSession, path: string, content: string | Buffer, mode: '644' | '755' = '644'): Promise<void> {
  const result = await session.exec(writeFileCommand(path, mode), { stdin: content });
  if (result.code !== 0) throw new Error(`writing ${path} in the environment failed (exit ${result.code ?? result.signal}): ${result.stderr.trim()}`);
}

/** Writes the files of `files` that do not exist under `destDir` yet. */
export async function uploadMissing(session: SshSession, destDir: string, files: readonly ShippedFile[]): Promise<UploadReport> {
  files.forEach((f) => checkShippedName(f.name));
  const targets = files.map((f) => `${destDir}/${f.name}`);
  const existing = await session.exec(existingFilesCommand(targets));
  if (existing.code !== 0) throw new Error(`checking ${destDir} in the environment failed: ${existing.stderr.trim()}`);
  const present = new Set(existing.stdout.split('\n').filter((l) => l !== ''));
  const written: string[] = [];
  const kept: string[] = [];
  for (const [i, file] of files.entries()) {
    const target = targets[i]!;
    if (present.has(target)) {
      kept.push(file.name);
      continue;
    }
    await writeRemoteFile(session, target, file.content);
    written.push(file.name);
  }
  return { written, kept };
}
