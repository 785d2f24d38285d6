import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkShippedName, existingFilesCommand, writeFileCommand } from '../../src/core/runs/upload';

const dir = mkdtempSync(join(tmpdir(), 'runs-upload-'));
const sh = (command: string, input?: string | Buffer): string => execFileSync('sh', ['-c', command], input === undefined ? {} : { input }).toString();

describe('upload commands (real sh)', () => {
  it('writes stdin to a new file in a new folder, with the mode asked for, leaving no temp file', () => {
    const target = join(dir, 'deep er', 'gpu_env_run.py');
    sh(writeFileCommand(target, '755'), '#!/usr/bin/env python3\nprint("hi")\n');
    expect(readFileSync(target, 'utf8')).toBe('#!/usr/bin/env python3\nprint("hi")\n');
    expect(statSync(target).mode & 0o777).toBe(0o755);
    expect(existsSync(`${target}.upload-tmp`)).toBe(false);
  });

  it('replaces an existing file', () => {
    const target = join(dir, 'replace.py');
    writeFileSync(target, 'old');
    sh(writeFileCommand(target, '644'), Buffer.from([0xff, 0x00, 0x41]));
    expect(readFileSync(target)).toEqual(Buffer.from([0xff, 0x00, 0x41]));
  });

  it('lists only the files that exist', () => {
    writeFileSync(join(dir, 'train_cnn.py'), '# edited by the user');
    const out = sh(existingFilesCommand([join(dir, 'train_cnn.py'), join(dir, 'cnn_data.py'), join(dir, "o'dd name.py")]));
    expect(out).toBe(`${join(dir, 'train_cnn.py')}\n`);
  });

  it('shipped names must stay inside the destination', () => {
    for (const ok of ['train_cnn.py', 'sub/mod.py']) expect(() => checkShippedName(ok)).not.toThrow();
    for (const bad of ['../x.py', '/etc/passwd', 'a/../../b', '', 'a b.py', '.hidden']) expect(() => checkShippedName(bad), bad).toThrow(/relative path/);
  });
});
