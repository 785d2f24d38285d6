import { mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { listLocalFiles } from '../../../../src/core/sync/local-files';
import { changedFiles } from '../../../../src/core/sync/push';
import { manifestCommand, parseManifest } from '../../../../src/core/sync/remote-manifest';

describe('what sync copies', () => {
  let root = '';
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const write = (path: string, text = 'x'): void => {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), text);
  };

  it('honours .gitignore as git does: nested files, negation, folders; never .git or .gpu-env', () => {
    root = mkdtempSync(join(tmpdir(), 'gpu-env-sync-'));
    write('.gitignore', 'data/\n*.pt\n!keep.pt\n');
    write('src/.gitignore', 'local.cfg\n');
    for (const path of ['train.py', 'data/big.bin', 'model.pt', 'keep.pt', 'src/a.py', 'src/local.cfg', 'src/data/ok.txt', '.git/HEAD', '.gpu-env/runs/x', 'other/data/nested.bin']) write(path);
    symlinkSync(join(root, 'train.py'), join(root, 'link.py'));
    const listing = listLocalFiles(root);
    expect(listing.files.map((f) => f.path)).toEqual(['.gitignore', 'keep.pt', 'src/.gitignore', 'src/a.py', 'train.py']);
    expect(listing.ignored).toBe(5); // data/, model.pt, other/data/ (inside other/, so other/ itself is kept empty), src/local.cfg, src/data/
    expect(listing.skipped).toBe(1);
  });

  it('sends what is missing or differs in size or whole-second mtime, nothing else', () => {
    root = mkdtempSync(join(tmpdir(), 'gpu-env-sync-'));
    write('same.txt', 'abc');
    write('changed.txt', 'abc');
    write('new.txt', 'abc');
    utimesSync(join(root, 'same.txt'), 1_700_000_000, 1_700_000_000);
    utimesSync(join(root, 'changed.txt'), 1_700_000_000, 1_700_000_000);
    const local = listLocalFiles(root).files;
    const remote = parseManifest('3 1700000000.1234 same.txt\x003 1700000001.0 changed.txt\x005 1 gone.txt\x00');
    expect(changedFiles(local, remote).map((f) => f.path)).toEqual(['changed.txt', 'new.txt']);
  });

  it('lists the remote side NUL-separated, leaving gpu-env\'s folders out', () => {
    expect(manifestCommand('/home/me/ws x')).toBe("mkdir -p -- '/home/me/ws x' && cd -- '/home/me/ws x' && find . \\( -path ./.git -o -path ./.gpu-env \\) -prune -o -type f -printf '%s %T@ %P\\0'");
    expect([...parseManifest('1 2.5 a b\nc\x00').entries()]).toEqual([['a b\nc', { size: 1, mtime: 2 }]]);
  });
});
