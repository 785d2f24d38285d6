// CLI start: how long `gpu-env` takes before it does anything, next to a bare `node -e 0` (the
// floor every Node program pays), alternating. `--help` loads only the command table; `up` with a
// flag it refuses (exit 2) loads everything `up` needs and parses its arguments, then stops before
// contacting any engine: once with the V8 code cache a previous run left (every run but the first
// after an install or upgrade), once without (a fresh cache folder each time).
// GPU_ENV_BENCH_CLI=path/to/cli.js measures another build (e.g. an older one, for before/after).
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { printTable, row, stats, timed } from './lib.mjs';

const root = resolve(import.meta.dirname, '..');
const cli = process.env.GPU_ENV_BENCH_CLI ?? join(root, 'dist', 'cli.js');
const refusedUp = ['up', '--gpus', 'not-a-gpu-list'];

async function exitTime(args, expectedCode, cacheDir) {
  return (await timed(process.execPath, args, { okCodes: [expectedCode], env: { GPU_ENV_CACHE_DIR: cacheDir } })).ms;
}

export async function cliStart({ quick }) {
  const repetitions = quick ? 3 : 21;
  const work = mkdtempSync(join(tmpdir(), 'gpu-env-cli-start-'));
  const warm = join(work, 'warm');
  const results = { help: [], up: [], upCold: [], floor: [] };
  try {
    await exitTime([cli, ...refusedUp], 2, warm); // leaves the code cache
    for (let i = 0; i < repetitions; i++) {
      results.help.push(await exitTime([cli, '--help'], 0, warm));
      results.floor.push(await exitTime(['-e', '0'], 0, warm));
      results.up.push(await exitTime([cli, ...refusedUp], 2, warm));
      results.upCold.push(await exitTime([cli, ...refusedUp], 2, join(work, `cold-${i}`)));
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const floor = stats(results.floor);
  const rows = [
    row('gpu-env --help', stats(results.help), floor),
    row('gpu-env up to its first decision (a refused flag, exit 2)', stats(results.up), floor),
    row('  same, first run after an install (no code cache yet)', stats(results.upCold), floor),
  ];
  printTable(`CLI start (${repetitions} runs each, alternating; baseline: node -e 0)`, rows);
  const size = statSync(cli).size;
  console.log(`  ${cli}: ${(size / 1024).toFixed(0)} KB`);
  return { rows: rows.map(({ name, value, baseline }) => ({ name, value, baseline, ratio: value.median / baseline.median })), raw: results, cliBytes: size };
}
