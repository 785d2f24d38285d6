/**
 * `gpu-env exec` and `gpu-env logs --follow` against a real environment (issue 16 defects 6, 7, 16):
 * the command's own flags after "--" reach it, standard input is forwarded and its end closes the
 * remote input, and following a log survives a dropped SSH connection.
 */
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultContext, openEnvironmentSession } from '../../src/core/api';
import { readShippedAssets } from '../../src/core/runs/index';
import { startScriptRun } from '../../src/core/scripts/script-run';
import { BASE_IMAGE, CLI, DOCKER_HOST, HARNESS_READY, SKIP_REASON, docker, execAsRoot, removeDir, runCli, tempDir, userWorkspace, type CliResult } from './harness-env';

const NAME = 'itest-exec';

/** The CLI with `input` on its standard input (a pipe closed after it), bounded in time. */
function runCliWithInput(args: readonly string[], env: Record<string, string>, input: Buffer | string | null, timeoutMs = 60_000): Promise<CliResult & { ms: number }> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`gpu-env ${args.join(' ')} timed out after ${timeoutMs} ms\nstdout: ${stdout.slice(-2000)}\nstderr: ${stderr.slice(-2000)}`));
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: Date.now() - started });
    });
    child.stdin.on('error', () => undefined);
    if (input !== null) child.stdin.end(input);
  });
}

describe.skipIf(!HARNESS_READY)(`gpu-env exec and logs --follow on a real environment${HARNESS_READY ? '' : ` (skipped: ${SKIP_REASON})`}`, () => {
  let workspace = '';
  let stateDir = '';
  let env: Record<string, string> = {};

  beforeAll(async () => {
    workspace = userWorkspace('exec');
    stateDir = tempDir('exec-state');
    env = { DOCKER_HOST, GPU_ENV_STATE_DIR: stateDir };
    const up = await runCli(['up', '--name', NAME, '--workspace', workspace, '--base-image', BASE_IMAGE], env);
    expect(up.code, up.stderr).toBe(0);
  });

  afterAll(async () => {
    await docker().getContainer(`gpu-env-${NAME}`).remove({ force: true }).catch(() => undefined);
    removeDir(stateDir);
    removeDir(workspace);
  });

  it('runs `df -h` rather than printing gpu-env\'s usage (the -h after "--" is the command\'s)', async () => {
    const result = await runCliWithInput(['exec', NAME, '--', 'df', '-h', '/workspace'], env, '');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^Filesystem\s+Size\s+Used/m);
    expect(result.stdout).not.toMatch(/usage:/);
  });

  it('forwards standard input: `python3 - < script.py` runs the script and returns its exit code', async () => {
    const script = 'import sys\nprint("from stdin", sum(range(10)))\nsys.exit(3)\n';
    const result = await runCliWithInput(['exec', NAME, '--', 'python3', '-'], env, script);
    expect(result.stdout).toBe('from stdin 45\n');
    expect(result.code, result.stderr).toBe(3);
  });

  it('passes 4 MiB of binary input through unchanged and closes the remote input at its end', async () => {
    const input = randomBytes(4 * 1024 * 1024);
    const result = await runCliWithInput(['exec', NAME, '--', 'sha256sum'], env, input, 120_000);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.split(' ')[0]).toBe(createHash('sha256').update(input).digest('hex'));
  });

  it('a command that never reads its input does not wait for ours to end', async () => {
    // Our stdin stays open (never ended): `true` exits, and so must gpu-env.
    const result = await runCliWithInput(['exec', NAME, '--', 'true'], env, null, 60_000);
    expect(result.code, result.stderr).toBe(0);
  });

  it('logs --follow reconnects after its SSH connection is killed and prints every line once, to the last', async () => {
    const script = join(workspace, 'count.py');
    writeFileSync(script, 'import time\nfor i in range(12):\n    print(f"line {i}", flush=True)\n    time.sleep(0.5)\nprint("the last line", flush=True)\n');
    const session = await openEnvironmentSession(NAME, { context: defaultContext({ stateDir, env: { ...process.env, DOCKER_HOST } }) });
    let runId = '';
    try {
      runId = (await startScriptRun(session, readShippedAssets(join(__dirname, '..', '..')), { script: '/workspace/count.py', environment: NAME })).id;
    } finally {
      session.close();
    }
    const follow = runCliWithInput(['logs', NAME, runId, '--follow'], env, '', 60_000);
    // Once the follower has printed something, kill every SSH session of the user in the container:
    // the run goes on (it is detached), the follower's connection is gone.
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    const killed = await execAsRoot(`gpu-env-${NAME}`, 'pkill -KILL -e -f "^sshd(-session)?: dev"');
    expect(killed.output).toMatch(/killed/);
    const result = await follow;
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/lost the connection while following run .*reconnecting/);
    const expected = [...Array.from({ length: 12 }, (_, i) => `line ${i}`), 'the last line'];
    const lines = result.stdout.trim().split('\n');
    expect(lines.filter((line) => !line.startsWith('[gpu-env-run '))).toEqual(expected);
    // The runner's own last line, written after the script exited, is there too.
    expect(lines.at(-1)).toMatch(/^\[gpu-env-run .*\] attempt 1 ended: succeeded/);
  }, 180_000);
});
