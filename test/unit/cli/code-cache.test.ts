import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { codeCacheDir, loadWithCodeCache } from '../../../src/cli/code-cache';

let dir: string;
let bundle: string;
let cacheDir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'gpu-env-code-cache-'));
  bundle = join(dir, 'bundle.js');
  cacheDir = join(dir, 'cache', 'gpu-env');
  writeBundle(1);
});

afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A CommonJS file that uses what a bundle gets: exports, require relative to itself, __dirname. */
function writeBundle(version: number): void {
  writeFileSync(join(dirname(bundle), 'helper.js'), 'module.exports = (x) => x * 2;\n');
  writeFileSync(bundle, `const twice = require('./helper.js');\nfunction work(n) { let s = 0; for (let i = 0; i < n; i++) s += twice(i); return s; }\nmodule.exports = { version: ${version}, work, dir: __dirname, file: __filename };\n`);
}

const cacheFiles = (): string[] => readdirSync(cacheDir).filter((f) => f.endsWith('.v8cache'));

describe('loadWithCodeCache', () => {
  it('compiles without a cache, writes one private to the user, and uses it next time', () => {
    const first = loadWithCodeCache(bundle, cacheDir);
    expect(first.cache).toBe('none');
    expect(first.exports).toMatchObject({ version: 1, dir: dirname(bundle), file: bundle });
    expect((first.exports as { work(n: number): number }).work(4)).toBe(12);
    first.saveCache();
    expect(cacheFiles()).toHaveLength(1);
    expect(statSync(cacheDir).mode & 0o777).toBe(0o700);
    expect(statSync(join(cacheDir, cacheFiles()[0]!)).mode & 0o777).toBe(0o600);
    // The same text under another name, which V8 compiles afresh: from the cache (it rejects a bad one, below).
    mkdirSync(join(dir, 'copy'));
    bundle = join(dir, 'copy', 'bundle.js');
    writeBundle(1);
    const second = loadWithCodeCache(bundle, cacheDir);
    expect(second.cache).toBe('used');
    expect((second.exports as { work(n: number): number }).work(4)).toBe(12);
  });

  it('never looks up a cache made for other code, and replaces the old one when it writes', () => {
    loadWithCodeCache(bundle, cacheDir).saveCache();
    const [old] = cacheFiles();
    writeBundle(2);
    const rebuilt = loadWithCodeCache(bundle, cacheDir);
    expect(rebuilt.cache).toBe('none');
    expect(rebuilt.exports).toMatchObject({ version: 2 });
    rebuilt.saveCache();
    expect(cacheFiles()).toHaveLength(1);
    expect(cacheFiles()[0]).not.toBe(old);
  });

  it('compiles as usual when V8 rejects the cache, and writes a good one', () => {
    loadWithCodeCache(bundle, cacheDir).saveCache();
    const [name] = cacheFiles();
    writeFileSync(join(cacheDir, name!), Buffer.alloc(4096, 7));
    // The same text under another name: V8 compiles it afresh rather than reusing this process's copy.
    mkdirSync(join(dir, 'copy'));
    bundle = join(dir, 'copy', 'bundle.js');
    writeBundle(1);
    const loaded = loadWithCodeCache(bundle, cacheDir);
    expect(loaded.cache).toBe('rejected');
    expect(loaded.exports).toMatchObject({ version: 1 });
    loaded.saveCache();
    expect(loadWithCodeCache(bundle, cacheDir).cache).toBe('used');
  });

  it('goes on without a cache when its folder cannot be written', () => {
    writeFileSync(join(dir, 'cache'), 'a file where the folder should be');
    const loaded = loadWithCodeCache(bundle, cacheDir);
    loaded.saveCache();
    expect(loaded.exports).toMatchObject({ version: 1 });
    expect(loadWithCodeCache(bundle, cacheDir).cache).toBe('none');
  });
});

describe('codeCacheDir', () => {
  it('takes GPU_ENV_CACHE_DIR, else XDG_CACHE_HOME, else ~/.cache', () => {
    expect(codeCacheDir({ GPU_ENV_CACHE_DIR: '/c', XDG_CACHE_HOME: '/x' }, '/home/u')).toBe('/c');
    expect(codeCacheDir({ XDG_CACHE_HOME: '/x' }, '/home/u')).toBe('/x/gpu-env');
    expect(codeCacheDir({}, '/home/u')).toBe('/home/u/.cache/gpu-env');
  });
});
