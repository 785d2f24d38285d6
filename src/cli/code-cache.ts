/**
 * Requires a CommonJS bundle through a V8 code cache, so that a command's start does not pay for
 * compiling ~800 KB of JavaScript every time (about 30 ms of a 110 ms start, measured on Node 20).
 * Node 22 does this for every module with `module.enableCompileCache()`; Node 20, the oldest we
 * support, has only `vm.Script`'s `cachedData`, which this uses for the one file that matters.
 *
 * The cache is bytecode that this process will run, so it lives in the user's own cache folder
 * (made 0700, files 0600), never a shared temporary one, and its name holds a hash of the bundle's
 * text, the Node version and the CPU architecture: a cache made for other code is never looked up.
 * V8 still checks what it is given and rejects a cache of another build or flags; then the bundle
 * is compiled as usual and a fresh cache written. Every failure here falls back to compiling.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { Script } from 'node:vm';

export interface CachedLoad {
  readonly exports: unknown;
  /** used: compiled from the cache; none: compiled, no cache yet; rejected: V8 refused the cache. */
  readonly cache: 'used' | 'none' | 'rejected';
  /** Writes the cache when it was not used; best called once the program ran, to include what it compiled. */
  saveCache(): void;
}

/** `GPU_ENV_CACHE_DIR`, else `$XDG_CACHE_HOME/gpu-env`, else `~/.cache/gpu-env`. */
export function codeCacheDir(env: NodeJS.ProcessEnv, home: string = homedir()): string {
  if (env.GPU_ENV_CACHE_DIR) return env.GPU_ENV_CACHE_DIR;
  return join(env.XDG_CACHE_HOME || join(home, '.cache'), 'gpu-env');
}

export function loadWithCodeCache(file: string, cacheDir: string): CachedLoad {
  const source = readFileSync(file, 'utf8');
  const key = createHash('sha256').update(`${process.version}\0${process.arch}\0`).update(source).digest('hex').slice(0, 32);
  const prefix = `${basename(file)}-`;
  const cachePath = join(cacheDir, `${prefix}${key}.v8cache`);
  const cachedData = readCache(cachePath);
  const script = new Script(Module.wrap(source), { filename: file, ...(cachedData ? { cachedData } : {}) });
  const cache = cachedData === undefined ? 'none' : script.cachedDataRejected === true ? 'rejected' : 'used';
  const module = { exports: {} as unknown, filename: file, id: file, loaded: false };
  const wrapper = script.runInThisContext() as (exports: unknown, require: NodeJS.Require, module: unknown, filename: string, dirname: string) => void;
  wrapper.call(module.exports, module.exports, createRequire(file), module, file, dirname(file));
  module.loaded = true;
  return {
    exports: module.exports,
    cache,
    saveCache: () => {
      if (cache !== 'used') writeCache(cacheDir, prefix, cachePath, script.createCachedData());
    },
  };
}

function readCache(path: string): Buffer | undefined {
  try {
    return readFileSync(path);
  } catch {
    return undefined;
  }
}

/** Atomically, then removes the caches of earlier builds of the same file. */
function writeCache(dir: string, prefix: string, path: string, data: Buffer): void {
  const temporary = `${path}.${process.pid}.tmp`;
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    writeFileSync(temporary, data, { mode: 0o600 });
    renameSync(temporary, path);
    for (const name of readdirSync(dir)) {
      if (name.startsWith(prefix) && name.endsWith('.v8cache') && join(dir, name) !== path) rmSync(join(dir, name), { force: true });
    }
  } catch {
    // A cache that cannot be written only means compiling again next time.
    try {
      rmSync(temporary, { force: true });
    } catch {
      /* its folder is not there either */
    }
  }
}
