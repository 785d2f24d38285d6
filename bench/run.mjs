// `npm run bench`: every benchmark, each next to its baseline in the same run; prints tables and
// writes bench/results.json. `--quick` runs fewer repetitions (CI keeps the suite working with it;
// the figures in BENCHMARKS.md come from the full mode).
import { existsSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { resolve } from 'node:path';
import { loadAverage } from './lib.mjs';
import { slurmDistributed } from './slurm-distributed.mjs';
import { slurmTimeToReady } from './slurm-time-to-ready.mjs';
import { timeToReady } from './time-to-ready.mjs';

const quick = process.argv.includes('--quick');
const only = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length).split(',');
const baseImage = process.env.GPU_ENV_TEST_BASE_IMAGE;
const results = {
  date: new Date().toISOString(),
  mode: quick ? 'quick' : 'full',
  machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version },
  sections: {},
};

async function section(name, fn) {
  if (only && !only.includes(name)) return;
  // The machine may be shared: the load average before and after each section goes beside its figures.
  const loadBefore = loadAverage();
  try {
    results.sections[name] = await fn();
  } catch (error) {
    console.error(`bench ${name} failed: ${error.stack ?? error}`);
    results.sections[name] = { error: String(error.message ?? error) };
    process.exitCode = 1;
  }
  const loadAfter = loadAverage();
  results.sections[name].loadAverage = { before: loadBefore, after: loadAfter };
  console.log(`  [${name}] load average (1/5/15 min) before ${loadBefore}, after ${loadAfter}`);
}

const optional = async (file) => (existsSync(resolve(import.meta.dirname, file)) ? import(`./${file}`) : undefined);

await section('timeToReady', () => {
  if (!baseImage) throw new Error('GPU_ENV_TEST_BASE_IMAGE is not set: run through bench/run.sh');
  // Five alternating rounds (new, stopped, floor): the measure is the medians of five pairs.
  return timeToReady({ baseImage, repetitions: quick ? 2 : 5 });
});
await section('slurmTimeToReady', () => slurmTimeToReady({ repetitions: quick ? 2 : 7 }));
await section('slurmDistributed', () => slurmDistributed({ quick }));
for (const [name, file, fn] of [
  ['cliStart', 'cli-start.mjs', 'cliStart'],
  ['activation', 'activation.mjs', 'activation'],
  ['sampling', 'sampling.mjs', 'sampling'],
  ['chart', 'external.mjs', 'chart'],
  ['ingestion', 'ingestion.mjs', 'ingestion'],
  ['training', 'external.mjs', 'training'],
]) {
  const module = await optional(file);
  if (module?.[fn]) await section(name, () => module[fn]({ quick, baseImage }));
}

const out = resolve(import.meta.dirname, 'results.json');
writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
console.log(`\nresults written to ${out}`);
