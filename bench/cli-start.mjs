// CLI start: how long `gpu-env` takes before it does anything, next to a bare `node -e 0` (the
// floor every Node program pays), alternating. `--help` loads only the command table; `up` with a
// flag it refuses (exit 2) loads everything `up` needs and parses its arguments, then stops before
// contacting any engine: once with the V8 code cache a previous run left (every run but the first
// after an install or upgrade), once without (a fresh cache folder each time).
// GPU_ENV_BENCH_CLI=path/to/cli.js measures another build instead of dist/cli.js.
// GPU_ENV_BENCH_CLI_BEFORE=path/to/cli.js also measures an older build (bench/cli-before.sh makes
// one) in the same rounds, for before/after figures taken side by side.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { printTable, row, stats, timed } from './lib.mjs';

const root = resolve(import.meta.dirname, '..');
const cli = process.env.GPU_ENV_BENCH_CLI ?? join(root, 'dist', 'cli.js');
const before = process.env.GPU_ENV_BENCH_CLI_BEFORE || undefined;
const refusedUp = ['up', '--gpus', 'not-a-gpu-list'];

async function exitTime(args, expectedCode, cacheDir) {
  return (await timed(process.execPath, args, { okCodes: [expectedCode], env: { GPU_ENV_CACHE_DIR: cacheDir } })).ms;
}

export async function cliStart({ quick }) {
  const repetitions = quick ? 3 : 21;
  const work = mkdtempSync(join(tmpdir(), 'gpu-env-cli-start-'));
  const warm = join(work, 'warm');
  const results = { help: [], up: [], upCold: [], floor: [], beforeHelp: [], beforeUp: [] };
  try {
    await exitTime([cli, ...refusedUp], 2, warm); // leaves the code cache
    if (before) await exitTime([before, ...refusedUp], 2, join(work, 'before')); // its own cache, if it has one
    for (let i = 0; i < repetitions; i++) {
      results.help.push(await exitTime([cli, '--help'], 0, warm));
      results.floor.push(await exitTime(['-e', '0'], 0, warm));
      results.up.push(await exitTime([cli, ...refusedUp], 2, warm));
      results.upCold.push(await exitTime([cli, ...refusedUp], 2, join(work, `cold-${i}`)));
      if (before) {
        results.beforeHelp.push(await exitTime([before, '--help'], 0, join(work, 'before')));
        results.beforeUp.push(await exitTime([before, ...refusedUp], 2, join(work, 'before')));
      }
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
  if (before) {
    rows.push(
      row('before (GPU_ENV_BENCH_CLI_BEFORE): gpu-env --help', stats(results.beforeHelp), floor),
      row('before: gpu-env up to its first decision', stats(results.beforeUp), floor),
    );
  }
  printTable(`CLI start (${repetitions} runs each, alternating; baseline: node -e 0)`, rows);
  const size = statSync(cli).size;
  console.log(`  ${cli}: ${(size / 1024).toFixed(0)} KB${before ? `; before: ${before}: ${(statSync(before).size / 1024).toFixed(0)} KB` : ''}`);
  return {
    rows: rows.map(({ name, value, baseline }) => ({ name, value, baseline, ratio: value.median / baseline.median })),
    raw: results,
    cliBytes: size,
    before,
  };
}
