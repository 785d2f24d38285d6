// Time to ready: `gpu-env up` on a cached image until its first SSH command ran, for a new and for a
// stopped container, next to the floor: a bare `docker run -d` of the same image running sshd and a
// loop of `ssh true` until it succeeds. Runs alternate so both see the same machine state.
import { chmodSync, chownSync, mkdtempSync, mkdirSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadAverage, printTable, row, run, stats, timed } from './lib.mjs';

const root = resolve(import.meta.dirname, '..');
const cli = join(root, 'dist', 'cli.js');

export async function timeToReady({ baseImage, repetitions }) {
  const work = mkdtempSync(join(tmpdir(), 'gpu-env-bench-'));
  const workspace = join(work, 'ws');
  mkdirSync(workspace);
  if (process.getuid?.() === 0) chownSync(workspace, 1234, 1234);
  const env = { GPU_ENV_STATE_DIR: join(work, 'state') };
  const up = ['up', '--name', 'bench', '--workspace', workspace, '--base-image', baseImage, '--json'];
  // Warm-up: builds (or finds) the recipe image, so both sides start from a cached image.
  const { stdout } = await run(process.execPath, [cli, ...up], { env, timeoutMs: 600_000 });
  const image = JSON.parse(stdout).image;
  await run(process.execPath, [cli, 'rm', 'bench'], { env });
  const floor = prepareFloor(work);
  const results = { create: [], restart: [], floor: [] };
  try {
    for (let i = 0; i < repetitions; i++) {
      results.create.push((await timed(process.execPath, [cli, ...up], { env })).ms);
      await run(process.execPath, [cli, 'down', 'bench'], { env });
      results.restart.push((await timed(process.execPath, [cli, ...up], { env })).ms);
      await run(process.execPath, [cli, 'rm', 'bench'], { env });
      results.floor.push(await floorRun(image, floor));
    }
  } finally {
    await run(process.execPath, [cli, 'rm', 'bench', '--purge'], { env }).catch(() => {});
    await run('docker', ['rm', '-f', 'gpu-env-bench-floor']).catch(() => {});
    rmSync(work, { recursive: true, force: true });
  }
  const floorStats = stats(results.floor);
  const rows = [
    row('up, new container → first SSH command', stats(results.create), floorStats),
    row('up, stopped container → first SSH command', stats(results.restart), floorStats),
  ];
  printTable(`Time to ready (${repetitions} runs each, alternating; baseline: docker run -d + ssh true loop)`, rows);
  // Each run next to the floor run of the same round: steadier than a ratio of medians when the machine's load moves.
  const paired = (runs) => stats(runs.map((ms, i) => ms / results.floor[i]));
  const pairedRatios = { create: paired(results.create), restart: paired(results.restart) };
  console.log(`  median of the per-round ratios: new ${pairedRatios.create.median.toFixed(2)}× [${pairedRatios.create.min.toFixed(2)}–${pairedRatios.create.max.toFixed(2)}], stopped ${pairedRatios.restart.median.toFixed(2)}× [${pairedRatios.restart.min.toFixed(2)}–${pairedRatios.restart.max.toFixed(2)}]; load average ${loadAverage()}`);
  return { rows: rows.map(({ name, value, baseline }) => ({ name, value, baseline, ratio: value.median / baseline.median })), pairedRatios, loadAverage: loadavg(), raw: results, image };
}

/** Keys and an sshd config for the floor container, made once. */
function prepareFloor(work) {
  const dir = join(work, 'floor');
  mkdirSync(dir);
  const key = join(dir, 'id');
  const hostKey = join(dir, 'host');
  return (async () => {
    await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', key]);
    await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', hostKey]);
    writeFileSync(join(dir, 'authorized_keys'), readFileSync(`${key}.pub`));
    writeFileSync(join(dir, 'sshd_config'), [
      'HostKey /floor/host', 'AuthorizedKeysFile /floor/authorized_keys', 'PermitRootLogin prohibit-password',
      'PasswordAuthentication no', 'UsePAM no', 'StrictModes no', '',
    ].join('\n'));
    chmodSync(hostKey, 0o600);
    return { dir, key };
  })();
}

async function floorRun(image, floorPromise) {
  const { dir, key } = await floorPromise;
  const started = performance.now();
  await run('docker', ['run', '-d', '--name', 'gpu-env-bench-floor', '-p', '127.0.0.1::22', '-v', `${dir}:/floor:ro`, '--entrypoint', 'sh', image,
    '-c', 'mkdir -p /run/sshd && exec /usr/sbin/sshd -D -e -f /floor/sshd_config']);
  const port = (await run('docker', ['port', 'gpu-env-bench-floor', '22/tcp'])).stdout.trim().split('\n')[0].split(':').pop();
  for (let attempt = 0; attempt < 600; attempt++) {
    try {
      await run('ssh', ['-i', key, '-p', port, '-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'LogLevel=ERROR', 'root@127.0.0.1', 'true'], { timeoutMs: 10_000 });
      const ms = performance.now() - started;
      await run('docker', ['rm', '-f', 'gpu-env-bench-floor']);
      return ms;
    } catch {
      await new Promise((r) => setTimeout(r, 20));
    }
  }
  throw new Error('floor container never answered ssh');
}
