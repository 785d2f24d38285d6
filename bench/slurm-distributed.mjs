// Distributed training on the Slurm test cluster: images/s of `gpu-env train --nodes 2
// --nproc-per-node 1` (one rank on each compute node, gloo between the containers) next to
// `--nodes 1` (one rank, the same batch-job path), one full epoch of Fashion-MNIST each, alternating.
// Both compute nodes are containers on this one machine: two ranks share its cores, so this measures
// the launch path and gloo's cost, not what a second real node would add.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { printTable, row, run, stats } from './lib.mjs';

const root = resolve(import.meta.dirname, '..');
const cli = join(root, 'dist', 'cli.js');
const NAME = 'bench-dist';

export async function slurmDistributed({ quick }) {
  const host = process.env.GPU_ENV_TEST_SLURM_HOST;
  const sshConfig = process.env.GPU_ENV_TEST_SLURM_SSH_CONFIG;
  if (!host || !sshConfig) throw new Error('GPU_ENV_TEST_SLURM_HOST is not set: run through bench/run.sh (it starts the Slurm test cluster)');
  const repetitions = quick ? 1 : 3;
  const alias = host.replace(/^slurm:\/\//, '');
  const work = mkdtempSync(join(tmpdir(), 'gpu-env-bench-dist-'));
  const home = join(work, 'home');
  mkdirSync(join(home, '.ssh'), { recursive: true, mode: 0o700 });
  writeFileSync(join(home, '.ssh', 'config'), `Include ${sshConfig}\n`, { mode: 0o600 });
  const env = { HOME: home, GPU_ENV_STATE_DIR: join(work, 'state'), SSH_AUTH_SOCK: '' };
  const login = (command, timeoutMs = 120_000) => run('ssh', ['-F', sshConfig, '-o', 'BatchMode=yes', alias, command], { timeoutMs });
  const gpuEnv = (args, timeoutMs = 900_000) => run(process.execPath, [cli, ...args, '--host', host], { env, timeoutMs });
  const results = { twoNodes: [], oneNode: [] };
  const epoch = async (nodes) => {
    const started = await gpuEnv(['train', NAME, '--nodes', String(nodes), '--nproc-per-node', '1', '--epochs', '1', '--json']);
    const { id } = JSON.parse(started.stdout);
    await gpuEnv(['logs', NAME, id, '--follow']);
    const metrics = (await login(`cat ~/gpu-env/${NAME}/.gpu-env/runs/${id}/metrics.jsonl`)).stdout;
    const end = metrics.split('\n').filter(Boolean).map((line) => JSON.parse(line)).find((record) => record.event === 'end');
    if (!end) throw new Error(`run ${id} (${nodes} node(s)) has no end line`);
    return { imagesPerSecond: end.train_images_per_s, accuracy: end.test_accuracy };
  };
  try {
    await login('scancel -u "$(id -un)"');
    await gpuEnv(['up', '--name', NAME, '--gpus-per-node', '0']);
    for (let i = 0; i < repetitions; i++) {
      results.twoNodes.push(await epoch(2));
      results.oneNode.push(await epoch(1));
    }
  } finally {
    await gpuEnv(['rm', NAME, '--purge']).catch(() => {});
    await login(`scancel -u "$(id -un)"; rm -rf ~/gpu-env/${NAME}`).catch(() => {});
    rmSync(work, { recursive: true, force: true });
  }
  const images = (list) => stats(list.map((r) => r.imagesPerSecond));
  const rows = [row('Slurm: training images/s, 2 nodes × 1 rank (gloo) vs 1 node × 1 rank, 1 epoch', images(results.twoNodes), images(results.oneNode), 'img/s')];
  printTable(`Distributed training on the Slurm test cluster (${repetitions} runs each, alternating; both nodes are containers on this machine)`, rows);
  return { rows: rows.map(({ name, value, baseline }) => ({ name, value, baseline, ratio: value.median / baseline.median })), raw: results };
}
