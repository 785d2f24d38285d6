import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkShippedName, fileHashesCommand, installTemplates, parseTemplatesManifest, planTemplates, sha256Hex, TEMPLATES_MANIFEST, writeFileCommand, type ShippedFile } from '../../../../src/core/runs/upload';
import { LocalSession } from '../../../support/local-process-session';

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

  it('hashes only the files that exist', () => {
    writeFileSync(join(dir, 'train_cnn.py'), '# edited by the user');
    const out = sh(fileHashesCommand([join(dir, 'train_cnn.py'), join(dir, 'cnn_data.py'), join(dir, "o'dd name.py")]));
    expect(out).toBe(`${sha256Hex('# edited by the user')}  ${join(dir, 'train_cnn.py')}\n`);
  });

  it('shipped names must stay inside the destination', () => {
    for (const ok of ['train_cnn.py', 'sub/mod.py']) expect(() => checkShippedName(ok)).not.toThrow();
    for (const bad of ['../x.py', '/etc/passwd', 'a/../../b', '', 'a b.py', '.hidden']) expect(() => checkShippedName(bad), bad).toThrow(/relative path/);
  });
});

describe('template install plan', () => {
  const h = (c: string): string => sha256Hex(c);
  const map = (entries: Record<string, string>): Map<string, string> => new Map(Object.entries(entries));

  it('writes missing files and keeps current ones', () => {
    const plan = planTemplates(map({ 'a.py': h('a2'), 'b.py': h('b2') }), map({ 'a.py': h('a2') }), map({}));
    expect(Object.fromEntries(plan)).toEqual({ 'a.py': 'keep', 'b.py': 'write' });
  });

  it('updates unedited copies of an older version', () => {
    const plan = planTemplates(map({ 'a.py': h('a2'), 'b.py': h('b2'), 'c.py': h('c2') }), map({ 'a.py': h('a1'), 'b.py': h('b2'), 'c.py': h('c1') }), map({ 'a.py': h('a1'), 'b.py': h('b1'), 'c.py': h('c1') }));
    expect(Object.fromEntries(plan)).toEqual({ 'a.py': 'update', 'b.py': 'keep', 'c.py': 'update' });
  });

  it('one edited file keeps every stale file as it is (the modules import each other)', () => {
    const plan = planTemplates(map({ 'a.py': h('a2'), 'b.py': h('b2') }), map({ 'a.py': h('a1'), 'b.py': h('b1 edited') }), map({ 'a.py': h('a1'), 'b.py': h('b1') }));
    expect(Object.fromEntries(plan)).toEqual({ 'a.py': 'outdated', 'b.py': 'outdated' });
  });

  it('files copied before the manifest existed count as the user\'s', () => {
    const plan = planTemplates(map({ 'a.py': h('a2') }), map({ 'a.py': h('a1') }), map({}));
    expect(Object.fromEntries(plan)).toEqual({ 'a.py': 'outdated' });
  });

  it('a manifest that is not ours reads as empty', () => {
    for (const text of ['', 'nope', '[]', '{"files": 3}', '{"files": {"a.py": "short"}}']) expect(parseTemplatesManifest(text).size, text).toBe(0);
    expect(Object.fromEntries(parseTemplatesManifest(JSON.stringify({ version: 1, files: { 'a.py': h('a') } })))).toEqual({ 'a.py': h('a') });
  });
});

describe('installTemplates (real sh and files)', () => {
  const files = (version: string): ShippedFile[] => [
    { name: 'train_cnn.py', content: `# train ${version}\n` },
    { name: 'cnn_models.py', content: `# models ${version}\n` },
  ];
  const read = (d: string, name: string): string => readFileSync(join(d, name), 'utf8');

  it('first install, upgrade of unedited copies, then an edit that later versions leave alone', async () => {
    const d = mkdtempSync(join(tmpdir(), 'templates-'));
    const session = new LocalSession();
    try {
      expect(await installTemplates(session, d, files('v1'))).toEqual({ written: ['train_cnn.py', 'cnn_models.py'], kept: [], updated: [], outdated: [] });
      expect(parseTemplatesManifest(read(d, TEMPLATES_MANIFEST)).get('train_cnn.py')).toBe(sha256Hex('# train v1\n'));
      expect(await installTemplates(session, d, files('v1'))).toEqual({ written: [], kept: ['train_cnn.py', 'cnn_models.py'], updated: [], outdated: [] });

      expect(await installTemplates(session, d, files('v2'))).toEqual({ written: [], kept: [], updated: ['train_cnn.py', 'cnn_models.py'], outdated: [] });
      expect(read(d, 'train_cnn.py')).toBe('# train v2\n');

      writeFileSync(join(d, 'cnn_models.py'), '# models v2, my changes\n');
      expect(await installTemplates(session, d, files('v3'))).toEqual({ written: [], kept: [], updated: [], outdated: ['train_cnn.py', 'cnn_models.py'] });
      expect(read(d, 'cnn_models.py')).toBe('# models v2, my changes\n');
      expect(read(d, 'train_cnn.py')).toBe('# train v2\n');

      // The user deletes the folder's files to get the new version: they come back as v3.
      execFileSync('rm', [join(d, 'train_cnn.py'), join(d, 'cnn_models.py')]);
      expect(await installTemplates(session, d, files('v3'))).toEqual({ written: ['train_cnn.py', 'cnn_models.py'], kept: [], updated: [], outdated: [] });
      expect(read(d, 'cnn_models.py')).toBe('# models v3\n');
    } finally {
      session.close();
    }
  });

  it('a file the user brought up to date by hand is recorded as ours again, so the next version updates it', async () => {
    const d = mkdtempSync(join(tmpdir(), 'templates-'));
    const session = new LocalSession();
    try {
      await installTemplates(session, d, files('v1'));
      writeFileSync(join(d, 'train_cnn.py'), '# train v2\n'); // copied from the new version by hand
      expect(await installTemplates(session, d, files('v2'))).toEqual({ written: [], kept: ['train_cnn.py'], updated: ['cnn_models.py'], outdated: [] });
      expect(await installTemplates(session, d, files('v3'))).toEqual({ written: [], kept: [], updated: ['train_cnn.py', 'cnn_models.py'], outdated: [] });
    } finally {
      session.close();
    }
  });
});
