/**
 * Defect 4 of issue 16: the "atomic" writer ignored short writes: with 4 KiB free a 9 KB ssh_config
 * became 4 KB, was fsynced and renamed over the good file; a thrown write left its temp file. It
 * writes keys, known_hosts, the Jupyter token and ~/.ssh/config. Checked on a real full tmpfs.
 */
import { existsSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFileExclusive, writeFileAtomic } from '../../../../src/core/util/files';
import { mountSmallTmpfs } from '../../../support/small-tmpfs';

const fs = mountSmallTmpfs(16);
afterAll(() => { if ('dir' in fs) fs.unmount(); });

describe.skipIf('reason' in fs)(`writeFileAtomic on a full disk ${'reason' in fs ? fs.reason : ''}`, () => {
  const dir = 'dir' in fs ? fs.dir : '';

  it('keeps the old file whole, leaves no temp file and throws ENOSPC when the new content does not fit', () => {
    const file = join(dir, 'ssh_config');
    const good = `${'# gpu-env:begin a\nHost gpu-env-a\n  Port 2222\n'.repeat(200)}`.slice(0, 9_000);
    writeFileAtomic(file, good, 0o600);
    // 16 KiB tmpfs, 12 KiB used by the 9 KB file: about 4 KiB left, less than the new 9 KB.
    const bigger = good.replace(/2222/g, '2223');
    expect(() => writeFileAtomic(file, bigger, 0o600)).toThrow(/ENOSPC|no space left/i);
    expect(readFileSync(file, 'utf8')).toBe(good);
    expect(readdirSync(dir)).toEqual(['ssh_config']);
  });

  it('writes every byte when it fits, with the mode asked for', () => {
    const file = join(dir, 'token');
    writeFileAtomic(file, 'x'.repeat(3_000), 0o600);
    expect(readFileSync(file, 'utf8')).toHaveLength(3_000);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });
});

describe.skipIf('reason' in fs)('createFileExclusive', () => {
  const dir = 'dir' in fs ? fs.dir : '';
  beforeAll(() => { for (const name of readdirSync(dir)) rmSync(join(dir, name)); });

  it('creates a file that does not exist and refuses one that does, leaving it as it was', () => {
    const file = join(dir, 'key');
    expect(createFileExclusive(file, 'first\n', 0o600)).toBe(true);
    expect(createFileExclusive(file, 'second\n', 0o600)).toBe(false);
    expect(readFileSync(file, 'utf8')).toBe('first\n');
    expect(readdirSync(dir).filter((name) => name.includes('.tmp'))).toEqual([]);
  });

  it('leaves nothing behind when the disk is full', () => {
    const file = join(dir, 'big-key');
    expect(() => createFileExclusive(file, 'k'.repeat(64_000), 0o600)).toThrow(/ENOSPC|no space left/i);
    expect(existsSync(file)).toBe(false);
    expect(readdirSync(dir).filter((name) => name.includes('.tmp'))).toEqual([]);
  });
});
