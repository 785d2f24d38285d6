// Time to ready on a Slurm cluster (the harness's test cluster, idle): `gpu-env up --host slurm://…`
// until its first SSH command ran on the compute node, next to the floor measured in the same run:
// `ssh login sbatch --wrap 'sleep 600'`, wait until squeue says RUNNING, then
// `ssh login srun --overlap --jobid J true`. Runs alternate so both see the same machine state.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { printTable, row, run, stats, timed } from './lib.mjs';

const root = resolve(import.meta.dirname, '..');
const cli = join(root, 'dist', 'cli.js');

export async function slurmTimeToReady({ repetitions }) {
  const host = process.env.GPU_ENV_TEST_SLURM_HOST;
  const sshConfig = process.env.GPU_ENV_TEST_SLURM_SSH_CONFIG;
  if (!host || !sshConfig) throw new Error('GPU_ENV_TEST_SLURM_HOST is not set: run through bench/run.sh (it starts the Slurm test cluster)');
  const alias = host.replace(/^slurm:\/\//, '');
  const work = mkdtempSync(join(tmpdir(), 'gpu-env-bench-slurm-'));
  const home = join(work, 'home');
  mkdirSync(join(home, '.ssh'), { recursive: true, mode: 0o700 });
  writeFileSync(join(home, '.ssh', 'config'), `Include ${sshConfig}\n`, { mode: 0o600 });
  const env = { HOME: home, GPU_ENV_STATE_DIR: join(work, 'state'), SSH_AUTH_SOCK: '' };
  const login = (command, timeoutMs = 120_000) => run('ssh', ['-F', sshConfig, '-o', 'BatchMode=yes', alias, command], { timeoutMs });
  const gpuEnv = (args, timeoutMs = 300_000) => run(process.execPath, [cli, ...args, '--host', host], { env, timeoutMs });
  const results = { up: [], floor: [] };
  try {
    await login('scancel -u "$(id -un)"');
    // Warm-up: the login connection's first use, file caches on the nodes.
    await gpuEnv(['up', '--name', 'bench']);
    await gpuEnv(['rm', 'bench']);
    for (let i = 0; i < repetitions; i++) {
      results.up.push((await timed(process.execPath, [cli, 'up', '--name', 'bench', '--host', host], { env, timeoutMs: 300_000 })).ms);
      await gpuEnv(['rm', 'bench']);
      results.floor.push(await floorRun(login));
    }
  } finally {
    await gpuEnv(['rm', 'bench', '--purge']).catch(() => {});
    await login('scancel -u "$(id -un)"').catch(() => {});
    rmSync(work, { recursive: true, force: true });
  }
  const rows = [row('Slurm: up (new job) → first SSH command on the node', stats(results.up), stats(results.floor))];
  printTable(`Time to ready on the Slurm test cluster (${repetitions} runs each, alternating; baseline: sbatch + wait RUNNING + ssh login srun --overlap true)`, rows);
  return { rows: rows.map(({ name, value, baseline }) => ({ name, value, baseline, ratio: value.median / baseline.median })), raw: results };
}

/** The least any tool must do: submit, wait until RUNNING, run one step in the allocation. */
async function floorRun(login) {
  const started = performance.now();
  const submitted = await login("sbatch --parsable --job-name=floor --wrap 'sleep 600'");
  const job = submitted.stdout.trim().split(';')[0];
  if (!/^\d+$/.test(job)) throw new Error(`sbatch printed no job id: ${submitted.stdout}`);
  // Polled on the login node itself (every 0.1 s, at most 60 s), so the wait costs no extra SSH handshakes.
  await login(`for i in $(seq 1 600); do [ "$(squeue -h -j ${job} -o %T)" = RUNNING ] && exit 0; sleep 0.1; done; exit 1`);
  await login(`srun --overlap --jobid=${job} true`);
  const ms = performance.now() - started;
  await login(`scancel ${job}`);
  await login(`for i in $(seq 1 300); do [ -z "$(squeue -h -j ${job} -o %T 2>/dev/null)" ] && exit 0; sleep 0.1; done; exit 0`);
  return ms;
}
