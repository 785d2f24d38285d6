// Shared paths and small utilities for the end-to-end harness.
import { appendFileSync, mkdirSync } from 'node:fs';
import * as path from 'node:path';
import * as os from 'node:os';

// (__dirname: the repo compiles test/ as CommonJS; vitest provides it too.)
export const E2E_DIR = __dirname;
export const REPO_ROOT = path.resolve(E2E_DIR, '..', '..');

/** Where screenshots, logs and failure artifacts go (gitignored). */
export const ARTIFACTS_DIR = process.env.GPU_ENV_E2E_ARTIFACTS
  ? path.resolve(process.env.GPU_ENV_E2E_ARTIFACTS)
  : path.join(REPO_ROOT, 'test-artifacts', 'e2e');

export const CODE_SERVER_VERSION = process.env.GPU_ENV_CODE_SERVER_VERSION ?? '4.100.3';
export const TEST_CACHE = process.env.GPU_ENV_TEST_CACHE ?? path.join(os.homedir(), '.cache', 'gpu-env-test');

/** code-server's entry point as installed by setup.sh (override with GPU_ENV_CODE_SERVER_BIN). */
export function codeServerEntry(): string {
  return (
    process.env.GPU_ENV_CODE_SERVER_BIN ??
    path.join(TEST_CACHE, `code-server-${CODE_SERVER_VERSION}`, 'node_modules', 'code-server', 'out', 'node', 'entry.js')
  );
}

export const CHROMIUM_PATH = process.env.GPU_ENV_E2E_CHROMIUM ?? '/usr/bin/chromium';

export function artifactsDir(): string {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  return ARTIFACTS_DIR;
}

/** A file-name-safe form of a journey name. */
export function safeName(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '') || 'journey';
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Rejects with `message` if `promise` does not settle within `ms`. */
export async function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${message} (timed out after ${ms} ms)`)), ms);
      }),
    ]);
  } finally {
    if (timer) clearTimeout(timer);
  }
}

/**
 * Records a throw-away directory so that run.sh can remove it if this process is killed before
 * its own cleanup runs (no-op outside run.sh).
 */
export function registerTempDir(dir: string): void {
  const pidDir = process.env.GPU_ENV_E2E_PID_DIR;
  if (!pidDir) return;
  try {
    appendFileSync(path.join(pidDir, 'tmpdirs'), `${dir}\n`);
  } catch {
    /* best effort */
  }
}
