// Metrics ingestion: lines/s through the host's path (byte splitter → parseMetricsLine → the
// dashboard feed), and the replay of a 1M-line metrics.jsonl on re-attach, two ways:
// - every line oldest first in this process (read in 256 KB chunks as a tail delivers them, then
//   the full snapshot a revealed panel gets);
// - as a reload re-attaches: MetricsTail newest first over real `tail -F` and `head -c` processes
//   (the session runs them locally instead of over SSH), timing the first snapshot (the file's
//   last MiB) and the moment the whole history is merged in.
// Baseline, same run and file, alternating: split on newlines and JSON.parse only, the least any
// reader must do. Wall time is printed with CPU time beside it: on a shared machine CPU time is the
// steadier of the two.
import { build } from 'esbuild';
import { closeSync, mkdirSync, mkdtempSync, openSync, readSync, rmSync, statSync, writeFileSync } from 'node:fs';
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
      contents: `export { DashboardFeed } from './src/vscode/dashboard/dashboard-feed';
        export { LineSplitter } from './src/core/metrics/line-splitter';
        export { MetricsTail, DEFAULT_WINDOW_BYTES } from './src/core/metrics/metrics-tail';
        export { parseMetricsLine } from './src/core/metrics/parse-metrics-line';
        export { LocalSession } from './test/support/local-process-session';`,
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

const cpuMs = (since) => {
  const { user, system } = process.cpuUsage(since);
  return (user + system) / 1000;
};

function productReplay(host, path) {
  const feed = new host.DashboardFeed();
  let lines = 0;
  const cpu = process.cpuUsage();
  const started = performance.now();
  let batch = [];
  const splitter = new host.LineSplitter(0, 64 * 1024, {
    line: (text) => {
      lines++;
      batch.push(host.parseMetricsLine(text));
    },
    oversized: () => {},
  });
  readChunks(path, (chunk) => {
    splitter.push(chunk);
    feed.ingestLines('run', batch);
    batch = [];
  });
  const ingested = performance.now();
  const snapshot = feed.snapshot(['run']);
  const done = performance.now();
  const points = snapshot.series.reduce((sum, s) => sum + s.t.length, 0);
  return { lines, ingestMs: ingested - started, snapshotMs: done - ingested, totalMs: done - started, cpuMs: cpuMs(cpu), snapshotPoints: points };
}

/** Newest first, as after a reload: resolves with the time of the first snapshot and of the full one. */
async function newestFirstReplay(host, path, size, expectedLines) {
  const feed = new host.DashboardFeed();
  const session = new host.LocalSession();
  const controller = new AbortController();
  const cpu = process.cpuUsage();
  const started = performance.now();
  let firstMs;
  let firstPoints = 0;
  let fullMs;
  let historyFailed = false;
  const finished = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('newest-first replay did not finish within 120 s')), 120_000);
    const tail = new host.MetricsTail({
      path,
      onLines: (lines, endOffset) => {
        feed.ingestLines('run', lines);
        if (firstMs === undefined && endOffset === size) {
          const first = feed.snapshot(['run']);
          firstMs = performance.now() - started;
          firstPoints = first.series.reduce((sum, s) => sum + s.t.length, 0);
        }
      },
      newestFirst: {
        windowBytes: host.DEFAULT_WINDOW_BYTES,
        history: () => {
          const fill = feed.beginHistory('run');
          return {
            ingest: (lines) => fill.ingest(lines),
            abandon: () => {
              historyFailed = true;
              fill.abandon();
            },
            complete: () => {
              fill.complete();
              const full = feed.snapshot(['run']);
              fullMs = performance.now() - started;
              clearTimeout(timer);
              resolve(full);
            },
          };
        },
      },
    });
    tail.attach(session, controller.signal).catch(reject);
  });
  try {
    const full = await finished;
    if (historyFailed || full.stats.lines !== expectedLines) throw new Error(`newest-first replay saw ${full.stats.lines} of ${expectedLines} lines`);
    return { firstMs, firstPoints, totalMs: fullMs, cpuMs: cpuMs(cpu) };
  } finally {
    controller.abort();
    session.close();
  }
}

function baselineReplay(path) {
  let lines = 0;
  let pending = '';
  const cpu = process.cpuUsage();
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
  return { lines, totalMs: performance.now() - started, cpuMs: cpuMs(cpu) };
}

export async function ingestion({ quick }) {
  const host = await hostPieces();
  const dir = mkdtempSync(join(tmpdir(), 'gpu-env-ingest-'));
  const lines = quick ? 100_000 : 1_000_000;
  const path = join(dir, 'metrics.jsonl');
  writeMetrics(path, lines);
  const size = statSync(path).size;
  const repetitions = quick ? 2 : 7;
  const product = [];
  const baseline = [];
  const newest = [];
  try {
    for (let i = 0; i < repetitions; i++) {
      product.push(productReplay(host, path));
      baseline.push(baselineReplay(path));
      newest.push(await newestFirstReplay(host, path, size, lines));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const of = (runs, field) => stats(runs.map((r) => r[field]));
  const linesPerSecond = (runs) => stats(runs.map((r) => (r.lines / r.totalMs) * 1000));
  const label = `${lines.toLocaleString('en')}-line metrics.jsonl`;
  const rows = [
    row(`replay of a ${label}, oldest first (ingest + snapshot), wall`, of(product, 'totalMs'), of(baseline, 'totalMs')),
    row('  same, CPU time', of(product, 'cpuMs'), of(baseline, 'cpuMs')),
    row(`re-attach newest first (tail + head processes): first snapshot`, of(newest, 'firstMs'), of(baseline, 'totalMs')),
    row('re-attach newest first: whole history merged + snapshot, wall', of(newest, 'totalMs'), of(baseline, 'totalMs')),
    row('  same, CPU time of this process', of(newest, 'cpuMs'), of(baseline, 'cpuMs')),
    row('lines/s through splitter → parse → feed', linesPerSecond(product.map((r) => ({ lines: r.lines, totalMs: r.ingestMs }))), linesPerSecond(baseline), 'lines/s'),
  ];
  printTable(`Metrics ingestion (${repetitions} runs each, alternating; baseline: split + JSON.parse only)`, rows);
  // Each replay next to the baseline of the same round: steadier than a ratio of medians when the load moves.
  const paired = (runs, field) => stats(runs.map((r, i) => r[field] / baseline[i][field]));
  const pairedRatios = {
    oldestFirstWall: paired(product, 'totalMs'), oldestFirstCpu: paired(product, 'cpuMs'),
    newestFirstWall: paired(newest, 'totalMs'), newestFirstCpu: paired(newest, 'cpuMs'),
  };
  const range = (s) => `${s.median.toFixed(2)}× [${s.min.toFixed(2)}–${s.max.toFixed(2)}]`;
  console.log(`  median of the per-round ratios: oldest first ${range(pairedRatios.oldestFirstWall)} wall, ${range(pairedRatios.oldestFirstCpu)} CPU; newest first (whole history) ${range(pairedRatios.newestFirstWall)} wall, ${range(pairedRatios.newestFirstCpu)} CPU`);
  console.log(`  snapshot after replay: ${of(product, 'snapshotMs').median.toFixed(1)} ms, ${product[0].snapshotPoints} points (bounded store); first snapshot of a re-attach: ${newest[0].firstPoints} points`);
  return {
    lines,
    rows: rows.map(({ name, value, baseline: b, unit }) => ({ name, value, baseline: b, unit })),
    pairedRatios,
    snapshotMs: of(product, 'snapshotMs'),
    snapshotPoints: product[0].snapshotPoints,
    firstSnapshotPoints: newest[0].firstPoints,
  };
}
