import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, linkSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/**
 * Writes a file atomically with the given mode: a temp file beside it gets every byte (a short write
 * is continued, a full disk throws ENOSPC), is fsynced and renamed over the target, and the folder
 * is fsynced. On any error the temp file is removed and the target is left as it was.
 */
export function writeFileAtomic(path: string, content: string | Buffer, mode = 0o600): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const temp = writeTempBeside(path, content, mode);
  try {
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
  syncFolder(dirname(path));
}

/**
 * Creates `path` with `content` only if it does not exist, atomically: readers never see it partly
 * written, and of several processes creating it at once exactly one wins (link(2) fails with EEXIST
 * for the others). Returns false when the file already existed (it is left as it was).
 */
export function createFileExclusive(path: string, content: string | Buffer, mode = 0o600): boolean {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const temp = writeTempBeside(path, content, mode);
  try {
    linkSync(temp, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    rmSync(temp, { force: true });
  }
  syncFolder(dirname(path));
  return true;
}

/** A fully written, fsynced temp file in the target's folder (same file system, so rename/link work). */
function writeTempBeside(path: string, content: string | Buffer, mode: number): string {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  const bytes = typeof content === 'string' ? Buffer.from(content) : content;
  const fd = openSync(temp, 'wx', mode);
  try {
    // writeSync may write fewer bytes than asked (a nearly full disk): continue until all are written.
    for (let offset = 0; offset < bytes.length;) {
      offset += writeSync(fd, bytes, offset, bytes.length - offset);
    }
    fsyncSync(fd);
  } catch (error) {
    closeSync(fd);
    rmSync(temp, { force: true });
    throw error;
  }
  closeSync(fd);
  return temp;
}

/** Makes a rename or link in `folder` durable; some file systems cannot fsync a folder, which is fine. */
function syncFolder(folder: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(folder, 'r');
    fsyncSync(fd);
  } catch {
    // EISDIR/EINVAL/EPERM on some platforms and file systems: the data itself is already synced.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
