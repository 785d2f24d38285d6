/**
 * Issue 16 defect 18: a run the kernel's OOM killer ends is reported as a host-memory problem with
 * its fix, as CUDA OOM is. Real engine, real kernel: an environment made with a small --memory runs
 * Python that allocates past it; the memory cgroup's OOM killer (not the test) kills it.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BASE_IMAGE, HARNESS_READY, SKIP_REASON, docker, removeDir, runCli, tempDir, userWorkspace } from './harness-env';

const NAME = 'itest-oom';
/** Where gpu-env installs its runner; the test copies the shipped one there so this case does not depend on `train`. */
const RUNNER = '/workspace/.gpu-env/runner/gpu_env_run.py';
const HOST_OOM = /run (\S+) failed: The environment ran out of host memory — reduce --batch-size .*--memory 32g --recreate/;

interface ListedRun {
  id: string;
  state: string;
  status: { state: string; signal: string | null; exitCode: number | null } | null;
}

describe.skipIf(!HARNESS_READY)(`a run killed by the kernel OOM killer is reported as host memory${HARNESS_READY ? '' : ` (skipped: ${SKIP_REASON})`}`, () => {
  let workspace = '';
  let stateDir = '';
  let env: Record<string, string> = {};

  beforeAll(async () => {
    workspace = userWorkspace('oom');
    stateDir = tempDir('oom-state');
    env = { DOCKER_HOST: process.env.DOCKER_HOST ?? '', GPU_ENV_STATE_DIR: stateDir };
    const up = await runCli(['up', '--name', NAME, '--workspace', workspace, '--base-image', BASE_IMAGE, '--memory', '768m'], env);
    expect(up.code, up.stderr).toBe(0);
  });
  afterAll(async () => {
    await docker().getContainer(`gpu-env-${NAME}`).remove({ force: true }).catch(() => undefined);
    if (stateDir) removeDir(stateDir);
    if (workspace) removeDir(workspace);
  });

  const listed = async (id: string): Promise<ListedRun | undefined> => {
    const runs = await runCli(['runs', NAME, '--json'], env, 60_000);
    expect(runs.code, runs.stderr).toBe(0);
    return (JSON.parse(runs.stdout) as ListedRun[]).find((r) => r.id === id);
  };
  const oomKills = async (): Promise<number> => {
    const inspect = await docker().getContainer(`gpu-env-${NAME}`).inspect();
    expect(inspect.State.Running).toBe(true); // the kernel killed the run, not the environment
    const counter = await runCli(['exec', NAME, '--', 'sh', '-c', 'cat /sys/fs/cgroup/memory.events /sys/fs/cgroup/memory/memory.oom_control 2>/dev/null | grep "^oom_kill "'], env, 60_000);
    expect(counter.code, counter.stderr).toBe(0);
    return Number(counter.stdout.trim().split(/\s+/)[1]);
  };

  it('the CNN template with a batch far too big for 768 MiB: `train --follow` says host memory ran out and how to fix it', async () => {
    const before = await oomKills();
    const started = Date.now();
    const train = await runCli(['train', NAME, '--epochs', '1', '--batch-size', '60000', '--no-auto-resume', '--follow'], env, 600_000);
    console.log(`template OOM: train --follow ended after ${((Date.now() - started) / 1000).toFixed(1)} s with exit ${train.code}`);
    expect(train.code, train.stderr).toBe(1);
    const id = HOST_OOM.exec(train.stderr)?.[1];
    expect(id, train.stderr).toBeDefined();
    expect(train.stdout).toMatch(/the kernel's out-of-memory killer killed \d+ process/);
    expect(await oomKills()).toBeGreaterThan(before);
    // Failed, not "stopped": nobody asked it to stop.
    expect((await listed(id!))?.status).toMatchObject({ state: 'failed', signal: 'SIGKILL' });
  });

  it('a Python script that allocates 2 GiB under the runner; a shell that reports exit 137 counts too', async () => {
    const copy = await runCli(['exec', NAME, '--', 'sh', '-c', `mkdir -p ${RUNNER.replace(/\/[^/]+$/, '')} && cat > ${RUNNER} && chmod 755 ${RUNNER}`], env, 60_000, readFileSync(resolve(__dirname, '../../media/runner/gpu_env_run.py')));
    expect(copy.code, copy.stderr).toBe(0);
    for (const [id, command] of [
      ['20261203-140000-00a1', ['python3', '-c', 'b = bytearray(2 << 30); print("not reached")']],
      ['20261203-140000-00a2', ['sh', '-c', 'python3 -c "b = bytearray(2 << 30)"; exit $?']],
    ] as const) {
      const before = await oomKills();
      const start = await runCli(['exec', NAME, '--', 'python3', RUNNER, 'start', `/workspace/.gpu-env/runs/${id}`, '--id', id, '--label', 'allocates 2 GiB', '--', ...command], env, 120_000);
      expect(start.code, start.stderr).toBe(0);
      const follow = await runCli(['logs', NAME, id, '--follow'], env, 300_000);
      expect(follow.code, follow.stderr).toBe(1);
      expect(follow.stderr).toMatch(HOST_OOM);
      expect(follow.stdout).not.toMatch(/^not reached$/m); // (the command line with those words is logged)
      expect(await oomKills()).toBeGreaterThan(before);
      const run = await listed(id);
      expect(run?.status?.state, JSON.stringify(run)).toBe('failed');
      if (command[0] === 'sh') expect(run?.status).toMatchObject({ exitCode: 137, signal: null });
      else expect(run?.status).toMatchObject({ exitCode: null, signal: 'SIGKILL' });
    }
  });
});
