#!/usr/bin/env node
// Dashboard chart benchmark: headless Chromium, 100k points per series, a live line every 100 ms.
//
// The host side is the real one: a metrics.jsonl on disk, MetricsTail over a real `tail -F`,
// DashboardFeed, a Coalescer at 10 messages/s, the same messages the extension posts. The page is
// the real bundle under its real CSP. Measured in the page (performance.now, requestAnimationFrame):
//   frame ms     render work of one animation frame: decimate + uPlot setData + draw of all charts
//   handle ms    work per incoming message: validate + model + incremental table append
//   latency ms   line written (its `time` field, set just before the write) → frame with it drawn
// Baseline, same run: "naive" hands uPlot every point on every append (full table rebuild, no
// decimation). Also: ingestion lines/s of parse + feed, and of the whole tail path.
//
// Usage: node bench/chart.mjs [--seconds 20] [--points 100000]    (from the repository root)
// Needs /usr/bin/chromium (or CHROMIUM_PATH). Prints a table and JSON; JSON also goes to
// test-artifacts/bench/chart.json.
import { build } from 'esbuild';
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const SECONDS = option('seconds', 20);
const POINTS = option('points', 100_000);
const ROOT = resolve(process.cwd());
const RUN = 'bench-run';

// The TypeScript host pieces, bundled for Node next to node_modules so their imports resolve.
const cacheDir = join(ROOT, 'node_modules', '.cache', 'gpu-env-bench');
mkdirSync(cacheDir, { recursive: true });
const hostBundle = join(cacheDir, 'chart-host.mjs');
await build({
  stdin: {
    contents: `
      export * from './test/webview/harness';
      export { DashboardFeed } from './src/vscode/dashboard/dashboard-feed';
      export { MetricsTail } from './src/core/metrics/metrics-tail';
      export { Coalescer } from './src/vscode/webview/coalescer';
      export { parseMetricsLine } from './src/core/metrics/parse-metrics-line';
      export { LocalSession, waitFor } from './test/support/local-process-session';
      export { dashboardInit } from './test/support/webview-labels';
    `,
    resolveDir: ROOT,
    loader: 'ts',
  },
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  outfile: hostBundle,
  logLevel: 'warning',
});
const host = await import(pathToFileURL(hostBundle).href);

const percentile = (values, p) => {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
};
const stats = (values) => ({ n: values.length, p50: percentile(values, 50), p95: percentile(values, 95), max: values.length ? Math.max(...values) : NaN });

function trainLine(step, time) {
  const loss = 2 * Math.exp(-step / 40_000) + 0.05 * Math.random();
  return JSON.stringify({ v: 1, time, step, epoch: step / 1000, split: 'train', loss, accuracy: 1 - loss / 2.2, lr: 0.05 * Math.cos(step / 1e5), images_per_s: 24_000 + 2000 * Math.random() });
}

function gpuReading(time) {
  return {
    time,
    env: 'bench',
    devices: [{ index: 0, name: 'GPU', utilPct: 80 + 20 * Math.random(), memUsedMiB: 40_000, memTotalMiB: 80_000, tempC: 60, powerW: 300, powerLimitW: 700, runId: RUN }],
    cpuPct: 100,
    memUsedMiB: 1,
    memTotalMiB: 2,
    noGpuReason: null,
  };
}

/** parse + feed, in memory: the host's cost per metrics line. */
function measureIngestion() {
  const lines = Array.from({ length: 200_000 }, (_, i) => trainLine(i, 1.7e9 + i * 0.1));
  const feed = new host.DashboardFeed();
  const started = performance.now();
  for (const l of lines) feed.ingest(RUN, host.parseMetricsLine(l));
  return Math.round(lines.length / ((performance.now() - started) / 1000));
}

/** The whole tail path: a 200k-line file through `tail -F`, the splitter, the parser and the feed. */
async function measureTailIngestion(dir) {
  const file = join(dir, 'ingest.jsonl');
  writeFileSync(file, Array.from({ length: 200_000 }, (_, i) => trainLine(i, 1.7e9 + i * 0.1)).join('\n') + '\n');
  const feed = new host.DashboardFeed();
  const session = new host.LocalSession();
  const tail = new host.MetricsTail({ path: file, onLine: (l) => feed.ingest(RUN, l) });
  const started = performance.now();
  void tail.attach(session);
  await host.waitFor(() => tail.offset === statSync(file).size, 'tail ingestion', 120_000);
  const rate = Math.round(200_000 / ((performance.now() - started) / 1000));
  session.close();
  return rate;
}

async function runMode(browser, origin, dir, mode) {
  const page = await host.openWebview(browser, origin, 'dashboard', { width: 1600, height: 1000 });
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.waitForFunction(() => window.__posted.length > 0);
  // The host answers ready with the page's labels; the page is built from them.
  await host.postToWebview(page, host.dashboardInit('en'));

  // 100k points per series, ending now: 10 lines/s history for metrics and GPU alike.
  const feed = new host.DashboardFeed({ seriesLimits: { recent: POINTS + 50_000, old: 10_000 }, gpuGapSeconds: 5, maxEvents: 1000 });
  const now = Date.now() / 1000;
  for (let i = 0; i < POINTS; i++) {
    const t = now - (POINTS - i) * 0.1;
    feed.ingest(RUN, host.parseMetricsLine(trainLine(i, t)));
    feed.ingestGpu(gpuReading(t));
  }
  feed.setRuns([{ id: RUN, label: 'bench run', state: 'running', startTime: now - POINTS * 0.1, env: 'bench' }]);

  let cursor;
  let seq = 0;
  let sending = Promise.resolve();
  const send = (message) => {
    sending = sending.then(() => host.postToWebview(page, message)).catch((e) => errors.push(String(e)));
  };
  // The coalescer sends the first snapshot itself, as the extension's controller does.
  const coalescer = new host.Coalescer(
    {
      sendSnapshot: () => {
        const read = feed.snapshot([RUN]);
        cursor = read.cursor;
        seq = 0;
        send({ type: 'snapshot', seq, runs: feed.runs(), selectedRuns: [RUN], series: read.series, events: read.events, stats: read.stats });
      },
      sendDelta: () => {
        const read = feed.changesSince(cursor, [RUN]);
        if (!read) return false;
        cursor = read.cursor;
        if (read.series.length > 0) send({ type: 'append', seq: ++seq, series: read.series, events: read.events, stats: read.stats });
        return true;
      },
    },
    { maxPerSecond: 10, visible: false },
  );
  const snapshotStarted = performance.now();
  coalescer.setVisible(true);
  await new Promise((r) => setTimeout(r, 50));
  await sending;
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  const snapshotMs = performance.now() - snapshotStarted;
  const snapshotPage = await page.evaluate(() => ({ handle: window.__gpuEnvDashboard.perf.handling.at(-1), frame: window.__gpuEnvDashboard.perf.frames.at(-1) }));
  await page.evaluate((m) => window.__gpuEnvDashboard.setRenderMode(m), mode);
  const rowsAfterSnapshot = await page.evaluate(() => window.__gpuEnvDashboard.charts().map((c) => [c.id, c.rows]));
  await page.evaluate(() => window.__gpuEnvDashboard.perf.clear());

  // Live: a line every 100 ms into a real file, tailed, fed, coalesced to ≤ 10 messages/s.
  const file = join(dir, `live-${mode}.jsonl`);
  writeFileSync(file, '');
  const session = new host.LocalSession();
  const tail = new host.MetricsTail({ path: file, onLine: (l) => feed.ingest(RUN, l) });
  void tail.attach(session);
  const subscription = feed.onDidChange(() => coalescer.markDirty());
  let step = POINTS;
  const writer = setInterval(() => {
    const t = Date.now() / 1000;
    appendFileSync(file, trainLine(step++, t) + '\n');
    feed.ingestGpu(gpuReading(t));
  }, 100);
  await new Promise((r) => setTimeout(r, SECONDS * 1000));
  clearInterval(writer);
  await new Promise((r) => setTimeout(r, 500));
  coalescer.dispose();
  subscription.dispose();
  session.close();
  await sending;
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));

  const perf = await page.evaluate(() => ({ ...window.__gpuEnvDashboard.perf }));
  const rows = await page.evaluate(() => window.__gpuEnvDashboard.charts().map((c) => [c.id, c.rows]));
  if (mode === 'incremental') await page.screenshot({ path: join(ROOT, 'test-artifacts', 'bench', 'chart-100k.png') });
  await page.close();
  return {
    mode,
    linesWritten: step - POINTS,
    appendsSent: seq,
    snapshotMs: Math.round(snapshotMs),
    snapshotInPage: { handleMs: snapshotPage.handle, firstFrameMs: snapshotPage.frame },
    rowsAfterSnapshot: Object.fromEntries(rowsAfterSnapshot),
    drawnRows: Object.fromEntries(rows),
    frameMs: stats(perf.frames),
    handleMs: stats(perf.handling),
    latencyMs: stats(perf.latencies),
    errors,
  };
}

const dir = mkdtempSync(join(tmpdir(), 'gpu-env-bench-'));
mkdirSync(join(ROOT, 'test-artifacts', 'bench'), { recursive: true });
const bundle = await host.bundleWebviews(['dashboard'], join(dir, 'bundle'));
const server = await host.serveWebviews(bundle);
const browser = await host.launchChromium();
try {
  const ingestLinesPerS = measureIngestion();
  const tailLinesPerS = await measureTailIngestion(dir);
  const incremental = await runMode(browser, server.origin, dir, 'incremental');
  const naive = await runMode(browser, server.origin, dir, 'naive');
  const result = {
    setup: { pointsPerSeries: POINTS, series: 'loss, accuracy, lr, images_per_s, GPU util, GPU mem', appendHz: 10, seconds: SECONDS, cpus: (await import('node:os')).cpus().length },
    ingestion: { parseAndFeedLinesPerS: ingestLinesPerS, tailPathLinesPerS: tailLinesPerS },
    incremental,
    naive,
    targets: { frameMs: 4, latencyP95Ms: 250 },
  };
  const fmt = (x) => (Number.isFinite(x) ? x.toFixed(2) : 'n/a');
  const row = (name, r) => `${name.padEnd(12)} ${fmt(r.frameMs.p50).padStart(9)} ${fmt(r.frameMs.p95).padStart(9)} ${fmt(r.handleMs.p50).padStart(10)} ${fmt(r.handleMs.p95).padStart(10)} ${fmt(r.latencyMs.p50).padStart(12)} ${fmt(r.latencyMs.p95).padStart(12)} ${String(r.latencyMs.n).padStart(7)}`;
  console.log(`\nDashboard chart bench: ${POINTS.toLocaleString('en-US')} points per series, a line every 100 ms for ${SECONDS} s\n`);
  console.log(`${'mode'.padEnd(12)} ${'frame p50'.padStart(9)} ${'frame p95'.padStart(9)} ${'handle p50'.padStart(10)} ${'handle p95'.padStart(10)} ${'latency p50'.padStart(12)} ${'latency p95'.padStart(12)} ${'samples'.padStart(7)}`);
  console.log(row('incremental', incremental));
  console.log(row('naive', naive));
  console.log(`\ningestion: parse + feed ${ingestLinesPerS.toLocaleString('en-US')} lines/s; whole tail path ${tailLinesPerS.toLocaleString('en-US')} lines/s`);
  console.log(`targets: frame ≤ 4 ms, latency p95 ≤ 250 ms → incremental frame p95 ${fmt(incremental.frameMs.p95)} ms, latency p95 ${fmt(incremental.latencyMs.p95)} ms\n`);
  console.log(JSON.stringify(result, null, 2));
  writeFileSync(join(ROOT, 'test-artifacts', 'bench', 'chart.json'), JSON.stringify(result, null, 2));
  if (incremental.errors.length || naive.errors.length) process.exitCode = 1;
} finally {
  await browser.close();
  await server.close();
  rmSync(dir, { recursive: true, force: true });
}
