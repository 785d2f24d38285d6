import { randomBytes } from 'node:crypto';
import { closeSync, linkSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { GpuEnvError } from '../errors';
import { formatMs } from './abort';

const WAIT_MS = 10_000;
/** A holder keeps the lock for one read-modify-write of a small file: milliseconds. */
const STALE_AFTER_MS = 30_000;
const sleeper = new Int32Array(new SharedArrayBuffer(4));

/**
 * Runs `work` while holding the lock file `lockPath` (created with O_EXCL, holding "pid host time"),
 * so that read-modify-write of a shared file by several processes (two windows, a window and the
 * CLI) loses nothing. Synchronous because its callers are; waits at most 10 s. A lock left by a
 * process that died (same host, pid gone) or older than 30 s is taken over.
 */
export function withFileLock<T>(lockPath: string, what: string, work: () => T, waitMs = WAIT_MS): T {
  mkdirSync(dirname(lockPath), { recursive: true, mode: 0o700 });
  const deadline = Date.now() + waitMs;
  const me = `${process.pid} ${hostname()} ${Date.now()} ${randomBytes(4).toString('hex')}`;
  for (let attempt = 0; ; attempt++) {
    if (tryCreate(lockPath, me)) break;
    breakIfStale(lockPath);
    if (Date.now() > deadline) {
      throw new GpuEnvError(`cannot change ${what}: ${lockPath} is held by another gpu-env process (${holder(lockPath) ?? 'unknown'}) for more than ${formatMs(waitMs)}; if no gpu-env is running, delete that file`);
    }
    Atomics.wait(sleeper, 0, 0, Math.min(2 + attempt, 25));
  }
  try {
    return work();
  } finally {
    if (holder(lockPath) === me) rmSync(lockPath, { force: true });
  }
}

function tryCreate(lockPath: string, content: string): boolean {
  let fd: number;
  try {
    fd = openSync(lockPath, 'wx', 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  try {
    writeSync(fd, content);
  } finally {
    closeSync(fd);
  }
  return true;
}

function holder(lockPath: string): string | undefined {
  try {
    return readFileSync(lockPath, 'utf8');
  } catch {
    return undefined;
  }
}

function breakIfStale(lockPath: string): void {
  const seen = holder(lockPath);
  if (seen === undefined || !isStale(seen)) return;
  // Move the stale lock aside (atomic); if what was moved is no longer the stale one (its holder
  // released it and another process took the lock in between), put it back.
  const aside = `${lockPath}.${process.pid}.${randomBytes(4).toString('hex')}.stale`;
  try {
    renameSync(lockPath, aside);
  } catch {
    return;
  }
  if (holder(aside) !== seen) {
    try {
      linkSync(aside, lockPath);
    } catch {
      // Someone holds a newer lock already; theirs stands.
    }
  }
  rmSync(aside, { force: true });
}

function isStale(content: string): boolean {
  const [pid, host, time] = content.split(' ');
  if (Date.now() - Number(time) > STALE_AFTER_MS) return true;
  if (host !== hostname()) return false;
  try {
    process.kill(Number(pid), 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
