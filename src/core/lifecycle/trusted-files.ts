/**
 * Which runner and run key an environment's container last got from this machine (see
 * putTrustedFiles in up.ts), so that `up` copies them again only when they changed: the copy is an
 * archive upload of its own (40-50 ms: the engine mounts the container and runs its untar helper),
 * which `up` of a stopped or running environment would otherwise pay every time. A stamp names the
 * container, so a recreated environment gets its files again; a stamp that cannot be read is stale.
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { environmentPaths } from '../state/paths';

export function trustedFilesStamp(containerId: string, runnerSha256: string, runKey: string, gid: number): string {
  const runKeyDigest = createHash('sha256').update(runKey).digest('hex');
  return `${containerId} runner=${runnerSha256} run_key=${runKeyDigest} gid=${gid}\n`;
}

function stampPath(stateDir: string, name: string): string {
  return join(environmentPaths(stateDir, name).dir, 'trusted-files');
}

export function trustedFilesCurrent(stateDir: string, name: string, stamp: string): boolean {
  try {
    return readFileSync(stampPath(stateDir, name), 'utf8') === stamp;
  } catch {
    return false;
  }
}

/** A cache, not a record: a lost or torn write only means one more copy. */
export function recordTrustedFiles(stateDir: string, name: string, stamp: string): void {
  try {
    writeFileSync(stampPath(stateDir, name), stamp, { mode: 0o600 });
  } catch {
    /* the next up copies them again */
  }
}
