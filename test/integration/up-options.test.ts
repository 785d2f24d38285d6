/**
 * Issue 16 defect 17: `up` on an existing environment with other options returned 0 and silently
 * kept the old ones. On the real engine: it names each difference (running and asked) and how to
 * apply it; `up --recreate` makes a new container with them and keeps keys, workspace and runs.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { environmentPaths } from '../../src/core/state/paths';
import { BASE_IMAGE, HARNESS_READY, SKIP_REASON, docker, environmentFixture, runCli } from './harness-env';

const NAME = 'itest-up-options';
const CONTAINER = `gpu-env-${NAME}`;

describe.skipIf(!HARNESS_READY)(`up with other options than the environment has${HARNESS_READY ? '' : ` (skipped: ${SKIP_REASON})`}`, () => {
  const fx = environmentFixture(NAME, 'up-options');
  const up = (...flags: string[]) => runCli(['up', '--name', NAME, '--workspace', fx.workspace, '--base-image', BASE_IMAGE, ...flags], fx.env);

  it('says which options differ, with running and asked values and how to apply them, and changes nothing', async () => {
    const before = await docker().getContainer(CONTAINER).inspect();
    const again = await up('--memory', '1g', '--shm-size', '2g', '--cpus', '1.5');
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/gpu-env-itest-up-options exists and keeps the options it was made with \(--memory: runs with no limit, asked 1g; --cpus: runs with no limit, asked 1\.5; --shm-size: runs with 8g, asked 2g\)\. To apply them, recreate it .*keys, workspace files and runs stay.*: run the same `gpu-env up` with --recreate/);
    const after = await docker().getContainer(CONTAINER).inspect();
    expect(after.Id).toBe(before.Id);
    expect([after.HostConfig.Memory, after.HostConfig.ShmSize]).toEqual([before.HostConfig.Memory, before.HostConfig.ShmSize]);
    const same = await up();
    expect(same.stderr).not.toMatch(/keeps the options/);
  });

  it('up --recreate applies them and keeps the keys, the workspace files and the runs', async () => {
    const keyBefore = readFileSync(environmentPaths(fx.stateDir, NAME).userKey, 'utf8');
    const idBefore = (await docker().getContainer(CONTAINER).inspect()).Id;
    writeFileSync(join(fx.workspace, 'notes.txt'), 'mine\n');
    mkdirSync(join(fx.workspace, '.gpu-env', 'runs', '20260101-000000-abcd'), { recursive: true });
    const recreated = await up('--memory', '1g', '--shm-size', '2g', '--cpus', '1.5', '--recreate');
    expect(recreated.code, recreated.stderr).toBe(0);
    expect(recreated.stdout).toMatch(/gpu-env-itest-up-options recreated/);
    const after = await docker().getContainer(CONTAINER).inspect();
    expect(after.Id).not.toBe(idBefore);
    expect([after.HostConfig.Memory, after.HostConfig.ShmSize, after.HostConfig.NanoCpus]).toEqual([1024 ** 3, 2 * 1024 ** 3, 1.5e9]);
    expect(readFileSync(environmentPaths(fx.stateDir, NAME).userKey, 'utf8')).toBe(keyBefore);
    const inside = await runCli(['exec', NAME, '--', 'sh', '-c', 'cat /workspace/notes.txt; ls /workspace/.gpu-env/runs'], fx.env, 60_000);
    expect(inside.code, inside.stderr).toBe(0);
    expect(inside.stdout).toBe('mine\n20260101-000000-abcd\n');
    expect((await up('--memory', '1g', '--shm-size', '2g', '--cpus', '1.5')).stderr).not.toMatch(/keeps the options/);
  });
});
