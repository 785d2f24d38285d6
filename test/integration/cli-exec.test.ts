/**
 * `gpu-env exec` and `gpu-env logs --follow` against a real environment (issue 16 defects 6, 7, 16):
 * the command's own flags after "--" reach it, standard input is forwarded and its end closes the
 * remote input, and following a log survives a dropped SSH connection.
 */
import { createHash, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultContext, openEnvironmentSession } from '../../src/core/api';
import { readShippedAssets } from '../../src/core/runs/index';
import { startScriptRun } from '../../src/core/scripts/script-run';
import { DOCKER_HOST, HARNESS_READY, SKIP_REASON, environmentFixture, execAsRoot, runCli } from './harness-env';

const NAME = 'itest-exec';

describe.skipIf(!HARNESS_READY)(`gpu-env exec and logs --follow on a real environment${HARNESS_READY ? '' : ` (skipped: ${SKIP_REASON})`}`, () => {
  const fx = environmentFixture(NAME, 'exec');

  it('runs `df -h` rather than printing gpu-env\'s usage (the -h after "--" is the command\'s)', async () => {
    const result = await runCli(['exec', NAME, '--', 'df', '-h', '/workspace'], fx.env, 60_000, '');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^Filesystem\s+Size\s+Used/m);
    expect(result.stdout).not.toMatch(/usage:/);
  });

  it('forwards standard input: `python3 - < script.py` runs the script and returns its exit code', async () => {
    const script = 'import sys\nprint("from stdin", sum(range(10)))\nsys.exit(3)\n';
    const result = await runCli(['exec', NAME, '--', 'python3', '-'], fx.env, 60_000, script);
    expect(result.stdout).toBe('from stdin 45\n');
    expect(result.code, result.stderr).toBe(3);
  });

  it('passes 4 MiB of binary input through unchanged and closes the remote input at its end', async () => {
    const input = randomBytes(4 * 1024 * 1024);
    const result = await runCli(['exec', NAME, '--', 'sha256sum'], fx.env, 120_000, input);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.split(' ')[0]).toBe(createHash('sha256').update(input).digest('hex'));
  });

  it('a command that never reads its input does not wait for ours to end', async () => {
    // Our stdin stays open (never ended): `true` exits, and so must gpu-env.
    const result = await runCli(['exec', NAME, '--', 'true'], fx.env, 60_000, null);
    expect(result.code, result.stderr).toBe(0);
  });

  it('logs --follow reconnects after its SSH connection is killed and prints every line once, to the last', async () => {
    const script = join(fx.workspace, 'count.py');
    writeFileSync(script, 'import time\nfor i in range(12):\n    print(f"line {i}", flush=True)\n    time.sleep(0.5)\nprint("the last line", flush=True)\n');
    const session = await openEnvironmentSession(NAME, { context: defaultContext({ stateDir: fx.stateDir, env: { ...process.env, DOCKER_HOST } }) });
    let runId: string;
    try {
      runId = (await startScriptRun(session, readShippedAssets(join(__dirname, '..', '..')), { script: '/workspace/count.py', environment: NAME })).id;
    } finally {
      session.close();
    }
    const follow = runCli(['logs', NAME, runId, '--follow'], fx.env, 60_000, '');
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
