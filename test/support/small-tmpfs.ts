/**
 * A real, tiny file system (tmpfs of a few KiB) to fill up: ENOSPC and short writes as the kernel
 * produces them. Needs root (mount); `reason` says why it is unavailable otherwise.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface SmallTmpfs {
  readonly dir: string;
  unmount(): void;
}

export function mountSmallTmpfs(sizeKiB: number): SmallTmpfs | { reason: string } {
  const dir = mkdtempSync(join(tmpdir(), 'gpu-env-small-fs-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeKiB}k,mode=0700`, 'tmpfs', dir], { stdio: 'pipe' });
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    return { reason: `cannot mount a tmpfs (needs root): ${(error as Error).message.split('\n')[0]}` };
  }
  return {
    dir,
    unmount: () => {
      execFileSync('umount', [dir], { stdio: 'pipe' });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
