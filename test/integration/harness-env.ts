import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, expect } from 'vitest';
import Docker from 'dockerode';

/** Set by test/run-all.sh after it started the private engine and built the stand-in base. */
export const BASE_IMAGE = process.env.GPU_ENV_TEST_BASE_IMAGE ?? '';
/** The stand-in made like the real pytorch/pytorch runtime image (test/harness/base-image.sh bare). */
export const BARE_BASE_IMAGE = process.env.GPU_ENV_TEST_BARE_BASE_IMAGE ?? '';
export const DOCKER_HOST = process.env.DOCKER_HOST ?? '';
export const HARNESS_READY = BASE_IMAGE !== '' && DOCKER_HOST.startsWith('unix://');
export const SKIP_REASON = 'integration tests need the harness engine: run `npm test` (sets DOCKER_HOST and GPU_ENV_TEST_BASE_IMAGE)';

export const CLI = resolve(__dirname, '../../dist/cli.js');
/** A non-root owner for test workspaces, as a user's home folder would have. */
export const WORKSPACE_UID = 1234;

export function docker(): Docker {
  return new Docker({ socketPath: DOCKER_HOST.replace(/^unix:\/\//, '') });
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `gpu-env-${prefix}-`));
}

/** A workspace folder owned by WORKSPACE_UID (when the tests run as root, as in CI). */
export function userWorkspace(prefix: string): string {
  const dir = tempDir(prefix);
  if (process.getuid?.() === 0) chownSync(dir, WORKSPACE_UID, WORKSPACE_UID);
  return dir;
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the built CLI with the harness engine and the given state dir, bounded in time. */
export function runCli(args: readonly string[], env: Record<string, string>, timeoutMs = 240_000, input?: string | Buffer | null): Promise<CliResult> {
  return runProcess(process.execPath, [CLI, ...args], env, timeoutMs, input);
}

export interface EnvironmentFixture {
  workspace: string;
  stateDir: string;
  /** DOCKER_HOST and GPU_ENV_STATE_DIR for runCli. */
  env: Record<string, string>;
}

/**
 * An environment NAME made with `gpu-env up` before the calling file's tests (workspace owned by
 * WORKSPACE_UID, its own state folder) and removed after them, with its folders.
 */
export function environmentFixture(name: string, prefix: string): EnvironmentFixture {
  const fixture: EnvironmentFixture = { workspace: '', stateDir: '', env: {} };
  beforeAll(async () => {
    fixture.workspace = userWorkspace(prefix);
    fixture.stateDir = tempDir(`${prefix}-state`);
    fixture.env = { DOCKER_HOST, GPU_ENV_STATE_DIR: fixture.stateDir };
    const up = await runCli(['up', '--name', name, '--workspace', fixture.workspace, '--base-image', BASE_IMAGE], fixture.env);
    expect(up.code, up.stderr).toBe(0);
  });
  afterAll(async () => {
    await docker().getContainer(`gpu-env-${name}`).remove({ force: true }).catch(() => undefined);
    if (fixture.stateDir) removeDir(fixture.stateDir);
    if (fixture.workspace) removeDir(fixture.workspace);
  });
  return fixture;
}

/**
 * Runs a process bounded in time. `input`: written to its standard input, which is then closed;
 * null: a pipe left open; absent: no standard input at all.
 */
export function runProcess(command: string, args: readonly string[], env: Record<string, string>, timeoutMs = 60_000, input?: string | Buffer | null): Promise<CliResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, [...args], { env: { ...process.env, ...env }, stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    if (child.stdin) {
      child.stdin.on('error', () => undefined);
      if (input !== null && input !== undefined) child.stdin.end(input);
    }
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${command} ${args.join(' ')} timed out after ${timeoutMs} ms\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ code, stdout, stderr });
    });
  });
}

/** Names of containers carrying the product's label. */
export async function productContainers(): Promise<string[]> {
  const list = await docker().listContainers({ all: true, filters: { label: ['dev.gpu-env.name'] } });
  return list.flatMap((c) => c.Names.map((n) => n.replace(/^\//, '')));
}

/** Runs `command` (sh -c) as root in a container through the engine, not SSH; its output and exit code. Bounded. */
export async function execAsRoot(container: string, command: string, timeoutMs = 60_000): Promise<{ code: number | null; output: string }> {
  const exec = await docker().getContainer(container).exec({ Cmd: ['sh', '-c', command], User: 'root', AttachStdout: true, AttachStderr: true });
  const stream = await exec.start({});
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${command} in ${container} did not end within ${timeoutMs} ms`)), timeoutMs);
    const done = (): void => {
      clearTimeout(timer);
      resolve();
    };
    stream.once('end', done).once('close', done);
  });
  // Multiplexed frames (8-byte headers) for a container without a TTY.
  const raw = Buffer.concat(chunks);
  const parts: Buffer[] = [];
  for (let offset = 0; offset + 8 <= raw.length;) {
    const size = raw.readUInt32BE(offset + 4);
    parts.push(raw.subarray(offset + 8, offset + 8 + size));
    offset += 8 + size;
  }
  return { code: (await exec.inspect()).ExitCode, output: Buffer.concat(parts).toString() };
}

/** Polls `check` every second until it returns a value, at most `timeoutMs`. */
export async function waitFor<T>(what: string, timeoutMs: number, check: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 0; Date.now() < deadline && attempt < 10_000; attempt++) {
    const value = await check();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 1000));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}
