/**
 * A shared GPU server: two people's environments hold GPUs 0 and 1 of four; who holds what, free
 * GPUs chosen by count, and a request that cannot be met.
 *
 * REAL: the Docker engine (its DeviceRequests, labels, the NVIDIA hook call), the containers, two
 * Unix users running the CLI as themselves, /proc of this machine, SSH into the environments.
 * STAND-IN: the GPUs. The engine's nvidia-container-runtime-hook is test/harness/nvidia-standin's,
 * which gives a container the stand-in device files and libnvidia-ml (test/python/fake_nvml.c) of the
 * GPUs it asked for; what those GPUs report is the state this test writes (gpu-harness.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir } from './harness-env';
import {
  GPU_HARNESS_READY, GPU_SKIP_REASON, STANDIN_UUID, ensureUser, gpuDocker, removeEnvironments, removeUser, runCliAs, userDir,
  writeStandinGpus, writeStandinProcesses, type TestUser,
} from './gpu-harness';

interface GpusJson {
  engine: string;
  probeMs: number;
  gpus: {
    index: number; uuid: string; utilizationGpuPercent: number; memoryUsedBytes: number; free: boolean;
    holders: { environment: string | null; owner: string | null; container: string }[];
    processes: { pid: number; usedMemoryBytes: number | null; environment: string | null; container: string | null }[] | null;
  }[];
}

const PREFIX = 'sg-';

describe.skipIf(!GPU_HARNESS_READY)(`shared GPU server${GPU_HARNESS_READY ? '' : ` (skipped: ${GPU_SKIP_REASON})`}`, () => {
  let alice: TestUser;
  let bob: TestUser;
  const dirs: string[] = [];
  const envOf = new Map<string, Record<string, string>>();

  const as = (user: TestUser): Record<string, string> => envOf.get(user.name)!;

  beforeAll(async () => {
    await removeEnvironments(PREFIX);
    alice = ensureUser('gpu-env-alice');
    bob = ensureUser('gpu-env-bob');
    for (const user of [alice, bob]) {
      const state = userDir(user, `${user.name}-state`);
      dirs.push(state);
      envOf.set(user.name, { GPU_ENV_STATE_DIR: state, HOME: state });
    }
    // GPUs 2 and 3 busier than 0 and 1, so "least used first" has something to order.
    writeStandinGpus([{ index: 0, utilPercent: 0, memUsedMiB: 0 }, { index: 1, utilPercent: 0, memUsedMiB: 0 }, { index: 2, utilPercent: 40, memUsedMiB: 2048 }, { index: 3, utilPercent: 10, memUsedMiB: 512 }]);
    writeStandinProcesses([]);
  });

  afterAll(async () => {
    await removeEnvironments(PREFIX);
    writeStandinProcesses([]);
    for (const dir of dirs) removeDir(dir);
    removeUser(alice);
    removeUser(bob);
  });

  async function up(user: TestUser, name: string, gpus: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
    const workspace = userDir(user, `${name}-ws`);
    dirs.push(workspace);
    return runCliAs(user, ['up', '--name', `${PREFIX}${name}`, '--workspace', workspace, '--gpus', gpus], as(user));
  }

  it('two people take GPU 0 and GPU 1 as themselves; their environments are labelled with their names', async () => {
    const a = await up(alice, 'alice-exp', 'device=0');
    expect(a.code, a.stderr).toBe(0);
    const b = await up(bob, 'bob-exp', 'device=1');
    expect(b.code, b.stderr).toBe(0);
    const labels = (await gpuDocker().getContainer(`gpu-env-${PREFIX}bob-exp`).inspect()).Config.Labels;
    expect(labels).toMatchObject({ 'dev.gpu-env.owner': 'gpu-env-bob', 'dev.gpu-env.gpus': '1' });
  });

  it('gpus --json lists each GPU with its use from a fresh sample, its holders, and the environment of its processes', async () => {
    // A real process of bob's container (its init, as this machine numbers it) "uses" GPU 1.
    const bobPid = (await gpuDocker().getContainer(`gpu-env-${PREFIX}bob-exp`).inspect()).State.Pid;
    writeStandinProcesses([{ gpu: 1, pid: bobPid, usedMiB: 1536 }]);
    const result = await runCliAs(alice, ['gpus', '--json'], as(alice));
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as GpusJson;
    console.log(`gpus: the probe (fresh sample of 4 stand-in GPUs) took ${report.probeMs} ms`);
    expect(report.gpus.map((gpu) => [gpu.index, gpu.uuid, gpu.free])).toEqual([
      [0, STANDIN_UUID(0), false], [1, STANDIN_UUID(1), false], [2, STANDIN_UUID(2), true], [3, STANDIN_UUID(3), true],
    ]);
    expect(report.gpus[0]!.holders).toEqual([{ environment: `${PREFIX}alice-exp`, container: `gpu-env-${PREFIX}alice-exp`, owner: 'gpu-env-alice' }]);
    expect(report.gpus[1]!.holders).toEqual([{ environment: `${PREFIX}bob-exp`, container: `gpu-env-${PREFIX}bob-exp`, owner: 'gpu-env-bob' }]);
    expect(report.gpus[2]!.utilizationGpuPercent).toBe(40);
    expect(report.gpus[3]!.memoryUsedBytes).toBe(512 * 1024 * 1024);
    expect(report.gpus[1]!.processes).toEqual([{ pid: bobPid, usedMemoryBytes: 1536 * 1024 * 1024, container: `gpu-env-${PREFIX}bob-exp`, environment: `${PREFIX}bob-exp` }]);
    const text = await runCliAs(bob, ['gpus'], as(bob));
    expect(text.stdout).toMatch(/^4 GPUs on this machine .*2 free/m);
    expect(text.stdout).toMatch(/^0 .*gpu-env-alice\/sg-alice-exp$/m);
    expect(text.stdout).toMatch(/^2 .*40%.*free$/m);
  });

  it('up --gpus 2 for a third environment gets the two free GPUs, records the choice and says it', async () => {
    const c = await up(alice, 'third', '2');
    expect(c.code, c.stderr).toBe(0);
    expect(c.stderr).toMatch(/Chose GPUs 2, 3 of 4: held by no running environment, least used first \(GPU 3 10%, GPU 2 40%\)/);
    expect(c.stdout).toMatch(/GPUs 2,3: chosen as 2 free GPUs/);
    const inspect = await gpuDocker().getContainer(`gpu-env-${PREFIX}third`).inspect();
    expect((inspect.HostConfig as { DeviceRequests?: unknown }).DeviceRequests).toMatchObject([{ Driver: 'nvidia', DeviceIDs: ['2', '3'], Capabilities: [['gpu']] }]);
    const status = await runCliAs(alice, ['status', `${PREFIX}third`, '--json'], as(alice));
    expect(JSON.parse(status.stdout)).toMatchObject({ gpus: '2,3', gpuCount: 2, owner: 'gpu-env-alice' });
    // Inside, the environment sees exactly those two GPUs (the hook gave it their device files).
    const seen = await runCliAs(alice, ['exec', `${PREFIX}third`, '--', 'sh', '-c', 'ls /dev/nvidia*'], as(alice));
    expect(seen.stdout.trim().split('\n')).toEqual(['/dev/nvidia2', '/dev/nvidia3']);
  });

  it('up --gpus 1 for a fourth exits 2 naming the holders of all four GPUs, and creates nothing', async () => {
    const d = await up(bob, 'fourth', '1');
    expect(d.code).toBe(2);
    expect(d.stderr).toMatch(/--gpus 1: this machine has 4 GPUs and none is free; held by running environments:/);
    expect(d.stderr).toMatch(/GPU 0: gpu-env-alice\/sg-alice-exp\n/);
    expect(d.stderr).toMatch(/GPU 1: gpu-env-bob\/sg-bob-exp\n/);
    expect(d.stderr).toMatch(/GPU 2: gpu-env-alice\/sg-third\n/);
    expect(d.stderr).toMatch(/GPU 3: gpu-env-alice\/sg-third\n/);
    await expect(gpuDocker().getContainer(`gpu-env-${PREFIX}fourth`).inspect()).rejects.toThrow(/no such container/i);
  });

  it('GPUs named explicitly still work, with a warning naming who else holds them', async () => {
    const e = await up(bob, 'explicit', 'device=0');
    expect(e.code, e.stderr).toBe(0);
    expect(e.stderr).toMatch(/GPU 0 is held by gpu-env-alice\/sg-alice-exp too: the environments will share its memory and time/);
  });
});
