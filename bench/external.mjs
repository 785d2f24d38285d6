// Benchmarks that run as their own programs (the chart in Chromium, training in the container):
// run them, then read the JSON they write.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { run } from './lib.mjs';

const root = resolve(import.meta.dirname, '..');

export async function chart({ quick }) {
  const args = quick ? ['--seconds', '5', '--points', '20000'] : ['--seconds', '20', '--points', '100000'];
  const { stdout } = await run(process.execPath, [resolve(root, 'bench', 'chart.mjs'), ...args], { timeoutMs: 600_000 });
  process.stdout.write(stdout);
  return JSON.parse(readFileSync(resolve(root, 'test-artifacts', 'bench', 'chart.json'), 'utf8'));
}

export async function training({ quick, baseImage }) {
  if (!baseImage) throw new Error('GPU_ENV_TEST_BASE_IMAGE is not set: run through bench/run.sh');
  const json = '/src/test-artifacts/bench-training.json';
  // Full mode also runs as CPUs without AMX (AVX-512 only) and without AVX-512 (AVX2), by limiting oneDNN.
  const isa = quick ? [] : ['--isa', 'AVX512_CORE', '--isa', 'AVX2', '--ranks'];
  const { stdout } = await run('docker', [
    'run', '--rm', '--shm-size', '2g', '-v', `${root}:/src`, '-w', '/src', '-e', 'PYTHONDONTWRITEBYTECODE=1', baseImage,
    'python3', 'bench/training/compare.py', '--reps', quick ? '1' : '3', ...isa, '--json', json,
  ], { timeoutMs: 3_600_000 });
  process.stdout.write(`\nTraining: time to target accuracy, then images/s (template vs classic tutorial loop, CPU, in the stand-in container)\n${stdout}`);
  return JSON.parse(readFileSync(resolve(root, 'test-artifacts', 'bench-training.json'), 'utf8'));
}
