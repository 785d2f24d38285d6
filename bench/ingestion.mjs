// Metrics ingestion: lines/s through the host's path (byte splitter → parseMetricsLine → the
// dashboard feed), and the replay of a 1M-line metrics.jsonl on re-attach (read in 256 KB chunks as
// the tail delivers them, then the full snapshot a revealed panel gets). Baseline, same run and
// file: split on newlines and JSON.parse only, the least any reader must do.
import { build } from 'esbuild';
import { closeSync, mkdirSync, mkdtempSync, openSync, readSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { printTable, row, stats } from './lib.mjs';

const root = resolve(import.meta.dirname, '..');
const CHUNK = 256 * 1024;

async function hostPieces() {
  const cacheDir = join(root, 'node_modules', '.cache', 'gpu-env-bench');
  mkdirSync(cacheDir, { recursive: true });
  const outfile = join(cacheDir, 'ingestion-host.mjs');
  await build({
    stdin: {
      contents: `export { DashboardFeed } from './src/core/metrics/dashboard-feed';
        export { LineSplitter } from './src/core/metrics/line-splitter';
        export { parseMetricsLine } from './src/core/metrics/parse-metrics-line';`,
      resolveDir: root,
      loader: 'ts',
    },
    bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', outfile, logLevel: 'warning',
  });
  return import(pathToFileURL(outfile).href);
}

/** A metrics file like a long run writes: train lines every step, an eval line every 500. */
function writeMetrics(path, lines) {
  const parts = [];
  const t0 = 1_795_000_000;
  for (let step = 0; step < lines; step++) {
    const time = t0 + step * 0.05;
    parts.push(step % 500 === 499
      ? JSON.stringify({ v: 1, time, step, epoch: step / 1000, split: 'test', loss: 0.3 + 1 / (step + 10), accuracy: 0.9 - 1 / (step + 20) })
      : JSON.stringify({ v: 1, time, step, epoch: step / 1000, split: 'train', loss: 0.3 + 2 / (step + 10), accuracy: 0.9 - 2 / (step + 20), lr: 0.001, images_per_s: 20000 + (step % 97) }));
  }
  writeFileSync(path, `${parts.join('\n')}\n`);
}

function readChunks(path, onChunk) {
  const fd = openSync(path, 'r');
  const buffer = Buffer.alloc(CHUNK);
  try {
    for (let offset = 0; ; ) {
      const n = readSync(fd, buffer, 0, CHUNK, offset);
      if (n === 0) break;
      onChunk(Buffer.from(buffer.subarray(0, n)));
      offset += n;
    }
  } finally {
    closeSync(fd);
  }
}

function productReplay(host, path) {
  const feed = new host.DashboardFeed();
  let lines = 0;
  const started = performance.now();
  const splitter = new host.LineSplitter(0, 64 * 1024, {
    line: (text) => {
      lines++;
      feed.ingest('run', host.parseMetricsLine(text));
    },
    oversized: () => {},
  });
  readChunks(path, (chunk) => splitter.push(chunk));
  const ingested = performance.now();
  const snapshot = feed.snapshot(['run']);
  const done = performance.now();
  const points = snapshot.series.reduce((sum, s) => sum + s.t.length, 0);
  return { lines, ingestMs: ingested - started, snapshotMs: done - ingested, totalMs: done - started, snapshotPoints: points };
}

function baselineReplay(path) {
  let lines = 0;
  let pending = '';
  const started = performance.now();
  readChunks(path, (chunk) => {
    const text = pending + chunk.toString('utf8');
    const parts = text.split('\n');
    pending = parts.pop();
    for (const line of parts) {
      if (line !== '') {
        JSON.parse(line);
        lines++;
      }
    }
  });
  return { lines, totalMs: performance.now() - started };
}

export async function ingestion({ quick }) {
  const host = await hostPieces();
  const dir = mkdtempSync(join(tmpdir(), 'gpu-env-ingest-'));
  const lines = quick ? 100_000 : 1_000_000;
  const path = join(dir, 'metrics.jsonl');
  writeMetrics(path, lines);
  const repetitions = quick ? 2 : 5;
  const product = [];
  const baseline = [];
  try {
    for (let i = 0; i < repetitions; i++) {
      product.push(productReplay(host, path));
      baseline.push(baselineReplay(path));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const linesPerSecond = (runs) => stats(runs.map((r) => (r.lines / r.totalMs) * 1000));
  const rows = [
    row(`replay of a ${lines.toLocaleString('en')}-line metrics.jsonl (ingest + snapshot)`, stats(product.map((r) => r.totalMs)), stats(baseline.map((r) => r.totalMs))),
    row('lines/s through splitter → parse → feed', linesPerSecond(product.map((r) => ({ lines: r.lines, totalMs: r.ingestMs }))), linesPerSecond(baseline), 'lines/s'),
  ];
  printTable(`Metrics ingestion (${repetitions} runs each, alternating; baseline: split + JSON.parse only)`, rows);
  console.log(`  snapshot after replay: ${stats(product.map((r) => r.snapshotMs)).median.toFixed(1)} ms, ${product[0].snapshotPoints} points (bounded store)`);
  return {
    lines,
    rows: rows.map(({ name, value, baseline: b, unit }) => ({ name, value, baseline: b, unit })),
    snapshotMs: stats(product.map((r) => r.snapshotMs)),
    snapshotPoints: product[0].snapshotPoints,
  };
}
