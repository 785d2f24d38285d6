/**
 * A cluster's GPUs and idle stop on Slurm: `gpus` shows every GPU of the nodes from sinfo and which
 * job holds it (scontrol), and an environment with idle stop cancels its own job when nobody used
 * it for the window, but not while an SSH session into it is open.
 *
 * REAL: Slurm 24.11 (slurmctld, slurmd, sbatch, srun --overlap, scancel) in containers, its gres
 * accounting, the batch job, the idle watcher on the node, OpenSSH through the generated config.
 * STAND-IN: the nodes' GPUs are gres on stand-in device files (test/harness/slurm-cluster.sh), so
 * there is no GPU utilisation to see: only SSH sessions and runs can keep these environments.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, runCli, tempDir, waitFor, type CliResult } from './harness-env';
import { SLURM, SLURM_READY, SLURM_SKIP_REASON, cancelAllJobs, homeWithClusterAlias, onLogin, userJobs } from './slurm-harness';

const IDLE = 'slurm-idle';
const BUSY = 'slurm-busy';
const WINDOW_MS = 60_000;
const INTERVAL_MS = 10_000;

interface GpusJson {
  gpus: { node: string; index: number; free: boolean; holders: { environment: string | null; owner: string; container: string; kind: string }[] }[];
}

describe.skipIf(!SLURM_READY)(`GPUs and idle stop on a Slurm cluster${SLURM_READY ? '' : ` (skipped: ${SLURM_SKIP_REASON})`}`, () => {
  let home = '';
  let stateDir = '';
  let env: Record<string, string> = {};
  let session: ChildProcess | undefined;
  let idleUpAt = 0;
  const cli = (args: readonly string[], timeoutMs = 240_000): Promise<CliResult> => runCli([args[0]!, '--host', SLURM.host, ...args.slice(1)], env, timeoutMs);
  const jobOf = async (name: string): Promise<string | undefined> => (await userJobs()).find((line) => line.endsWith(` gpu-env-${name}`))?.split(' ')[0];

  beforeAll(async () => {
    home = homeWithClusterAlias(tempDir('slurm-idle-home'));
    stateDir = tempDir('slurm-idle-state');
    env = { HOME: home, GPU_ENV_STATE_DIR: stateDir, SSH_AUTH_SOCK: '' };
    await cancelAllJobs();
    await onLogin(`rm -rf ~/.gpu-env ~/gpu-env/${IDLE} ~/gpu-env/${BUSY}`);
  });

  afterAll(async () => {
    session?.kill('SIGKILL');
    if (SLURM_READY) {
      await cancelAllJobs();
      await onLogin(`rm -rf ~/.gpu-env ~/gpu-env/${IDLE} ~/gpu-env/${BUSY}`);
    }
    for (const dir of [home, stateDir]) removeDir(dir);
  });

  it('bad input exits 2: idle stop on several nodes, an unknown partition for gpus', async () => {
    const many = await cli(['up', '--name', IDLE, '--nodes', '2', '--idle-stop', '1m'], 60_000);
    expect(many.code).toBe(2);
    expect(many.stderr).toMatch(/--idle-stop: idle stop is for one-node jobs .* with --nodes 2/);
    const nope = await cli(['gpus', '--partition', 'nope'], 60_000);
    expect(nope.code).toBe(2);
    expect(nope.stderr).toMatch(/--partition: \S+ has no partition "nope"; it has gpu, debug/);
    expect(await userJobs()).toEqual([]);
  });

  it('gpus: every GPU of the nodes, each held by the job that has it (ours by environment, another by job)', async () => {
    const up = await cli(['up', '--name', IDLE, '--idle-stop', '1m', '--json']);
    expect(up.code, up.stderr).toBe(0);
    idleUpAt = Date.now();
    expect(JSON.parse(up.stdout)).toMatchObject({ idleStopMs: WINDOW_MS, job: { state: 'RUNNING' } });
    const other = await onLogin('sbatch --parsable --gres=gpu:2 --job-name=someone-else --wrap "sleep 300"');
    const otherId = other.stdout.trim();
    await waitFor('the other job to run', 60_000, async () => ((await userJobs()).some((line) => line.startsWith(`${otherId} RUNNING`)) ? true : undefined));
    const ownId = (await jobOf(IDLE))!;
    const result = await cli(['gpus', '--json'], 60_000);
    expect(result.code, result.stderr).toBe(0);
    const gpus = (JSON.parse(result.stdout) as GpusJson).gpus;
    expect(gpus.map((g) => `${g.node}/${g.index}`)).toEqual(['node1/0', 'node1/1', 'node2/0', 'node2/1']);
    const held = gpus.filter((g) => !g.free).map((g) => ({ at: `${g.node}/${g.index}`, by: g.holders.map((h) => h.container) }));
    expect(held).toHaveLength(3);
    expect(held.filter((h) => h.by.includes(`job ${ownId}`))).toHaveLength(1);
    expect(held.filter((h) => h.by.includes(`job ${otherId} (someone-else)`))).toHaveLength(2);
    expect(gpus.flatMap((g) => g.holders).find((h) => h.environment === IDLE)).toEqual({ environment: IDLE, owner: SLURM.user, container: `job ${ownId}`, kind: 'job' });
    const text = await cli(['gpus', '--partition', 'debug'], 60_000);
    expect(text.stdout).toMatch(new RegExp(`^node\\d +\\d +gpu +${SLURM.user}/${IDLE}$`, 'm'));
    await onLogin(`scancel ${otherId}`);
  });

  it('with an SSH session open the job stays; with none it cancels itself within the window plus one interval', async () => {
    const busy = await cli(['up', '--name', BUSY, '--idle-stop', '1m']);
    expect(busy.code, busy.stderr).toBe(0);
    const busyUpAt = Date.now();
    session = spawn('ssh', ['-F', join(stateDir, 'ssh_config'), '-o', 'BatchMode=yes', `gpu-env-${BUSY}`, 'sleep', '600'], { env: { ...process.env, ...env }, stdio: 'ignore' });
    const idleJob = (await jobOf(IDLE))!;
    await waitFor('the idle job to cancel itself', WINDOW_MS + INTERVAL_MS + 60_000, async () => ((await jobOf(IDLE)) === undefined ? true : undefined));
    const idleMs = Date.now() - idleUpAt;
    console.log(`slurm idle stop: job ${idleJob} gone from squeue ${idleMs} ms after up returned (window ${WINDOW_MS} ms, checked every ${INTERVAL_MS} ms, squeue polled every 1 s)`);
    expect(idleMs).toBeLessThanOrEqual(WINDOW_MS + INTERVAL_MS + 5_000);
    const status = await cli(['status', IDLE], 60_000);
    expect(status.stdout).toMatch(/idle stop: after 1m unused .*; stopped itself at .*: idle for \d+ s \(window 60 s\)/);
    // The busy one, its session open all along, is still there a window and two intervals after its up.
    const wait = busyUpAt + WINDOW_MS + 2 * INTERVAL_MS - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    expect(await jobOf(BUSY)).toBeDefined();
    const report = JSON.parse((await cli(['status', BUSY, '--json'], 60_000)).stdout) as { idle?: { state?: { busy: string[]; sshSessions: number } } };
    expect(report.idle?.state).toMatchObject({ busy: ['ssh'], sshSessions: 1 });
    const again = await cli(['up', '--name', IDLE]);
    expect(again.code, again.stderr).toBe(0);
    expect(await jobOf(IDLE)).toBeDefined();
  });
});
