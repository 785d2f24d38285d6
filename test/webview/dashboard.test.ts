/**
 * The training dashboard in headless Chromium, fed by the real data path: a metrics.jsonl on
 * disk → MetricsTail over a real `tail -F` → DashboardFeed → the same messages the host posts →
 * the bundled webview under its real CSP. Asserts that the charts drew the points (uPlot data and
 * canvas pixels), that names are text, and saves screenshots to test-artifacts/webview/.
 *
 * Metrics file: $GPU_ENV_METRICS_FIXTURE, else test/fixtures/metrics/real-run.jsonl when present,
 * else a generated development run (metrics-generator.ts).
 *
 * Run: npx vitest run --project webview test/webview/dashboard.test.ts
 */
import { appendFileSync, copyFileSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DashboardFeed, DEFAULT_FEED_OPTIONS, type FeedCursor } from '../../src/vscode/dashboard/dashboard-feed';
import { parseMetricsLine } from '../../src/core/metrics/parse-metrics-line';
import type { GpuReading } from '../../src/shared/gpu-reading';
import { MetricsTail } from '../../src/core/metrics/metrics-tail';
import { parseDashboardHostMessage, parseDashboardWebviewMessage, type DashboardHostMessage, type RunInfo, type SeriesData } from '../../src/shared/protocol/dashboard';
import { LocalSession, waitFor } from '../support/local-process-session';
import { dashboardInit } from '../support/webview-labels';
import { ARTIFACTS, latinWords, openWebview, pageTexts, postedByWebview, postToWebview, startWebviewStage, type WebviewStage } from './harness';
import { generateMetrics } from './metrics-generator';

const XSS = '<img src=x onerror=alert(1)>';
const RUN = 'run-a';

interface ChartSummary {
  id: string;
  title: string;
  rows: number;
  series: string[];
  strokes: string[];
  xMin: number | null;
  xMax: number | null;
  hasGap: boolean;
}

let stage: WebviewStage;
let file: string;
let page: Page;
let session: LocalSession;
let tail: MetricsTail;
let feed: DashboardFeed;
let cursor: FeedCursor;
let seq = 0;
let runInfo: RunInfo;
const pageErrors: string[] = [];

function fixturePath(): { path: string; source: string } {
  const fromEnv = process.env.GPU_ENV_METRICS_FIXTURE;
  if (fromEnv) return { path: fromEnv, source: `GPU_ENV_METRICS_FIXTURE=${fromEnv}` };
  const real = join('test', 'fixtures', 'metrics', 'real-run.jsonl');
  if (existsSync(real)) return { path: real, source: real };
  const generated = join(stage.dir, 'generated.jsonl');
  writeFileSync(generated, generateMetrics());
  return { path: generated, source: 'generated development run' };
}

async function waitForTail(): Promise<void> {
  await waitFor(() => tail.offset === statSync(file).size, 'the tail to reach the end of the file', 20_000);
}

function gpuReading(time: number, util: number): GpuReading {
  return {
    time,
    env: 'demo',
    devices: [{ index: 0, name: 'NVIDIA H100 80GB HBM3', utilPct: util, memUsedMiB: 30_000 + util * 100, memTotalMiB: 81_559, tempC: 60, powerW: 300, powerLimitW: 700, runId: RUN }],
    cpuPct: 150,
    memUsedMiB: 10_000,
    memTotalMiB: 64_000,
    noGpuReason: null,
  };
}

async function charts(): Promise<ChartSummary[]> {
  return page.evaluate(() => (window as unknown as { __gpuEnvDashboard: { charts(): ChartSummary[] } }).__gpuEnvDashboard.charts());
}

async function chart(id: string): Promise<ChartSummary> {
  const found = (await charts()).find((c) => c.id === id);
  if (!found) throw new Error(`no chart ${id}`);
  return found;
}

/** Lets posted messages be handled and the frame they requested be drawn. */
async function settle(): Promise<void> {
  await page.evaluate(() => new Promise((r) => setTimeout(() => requestAnimationFrame(() => requestAnimationFrame(r)), 50)));
  expect(pageErrors).toEqual([]);
}

function snapshotMessage(): DashboardHostMessage {
  const read = feed.snapshot([RUN]);
  cursor = read.cursor;
  seq = 0;
  return { type: 'snapshot', seq, runs: feed.runs(), selectedRuns: [RUN], series: read.series, events: read.events, stats: read.stats, thinned: read.thinned };
}

function appendMessage(): DashboardHostMessage {
  const read = feed.changesSince(cursor, [RUN]);
  if (!read) throw new Error('expected a delta');
  cursor = read.cursor;
  return { type: 'append', seq: ++seq, series: read.series, events: read.events, stats: read.stats };
}

/** Rows uPlot gets when these series are aligned: one per distinct x, more where a series repeats an x. */
function alignedRows(series: readonly SeriesData[]): number {
  const perX = new Map<number, Map<number, number>>();
  series.forEach((s, i) => {
    for (const t of s.t) {
      const counts = perX.get(t) ?? new Map<number, number>();
      counts.set(i, (counts.get(i) ?? 0) + 1);
      perX.set(t, counts);
    }
  });
  let rows = 0;
  for (const counts of perX.values()) rows += Math.max(...counts.values());
  return rows;
}

/** Pixels of the chart's canvas close to a colour: proof that lines were drawn, not just axes. */
async function pixelsOfColour(chartId: string, colour: string): Promise<number> {
  return page.evaluate(
    ({ chartId, colour }) => {
      const canvas = document.querySelector<HTMLCanvasElement>(`[data-chart="${chartId}"] canvas`);
      const ctx = canvas?.getContext('2d');
      if (!canvas || !ctx) return -1;
      const probe = document.createElement('canvas').getContext('2d')!;
      probe.fillStyle = colour;
      probe.fillRect(0, 0, 1, 1);
      const [r, g, b] = probe.getImageData(0, 0, 1, 1).data;
      const data = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
      let n = 0;
      for (let i = 0; i < data.length; i += 4) if (Math.abs(data[i]! - r!) + Math.abs(data[i + 1]! - g!) + Math.abs(data[i + 2]! - b!) < 60) n++;
      return n;
    },
    { chartId, colour },
  );
}

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  stage = await startWebviewStage('gpu-env-dashboard-', ['dashboard']);
  const fixture = fixturePath();
  console.info(`metrics fixture: ${fixture.source}`);
  file = join(stage.dir, 'metrics.jsonl');
  copyFileSync(fixture.path, file);

  feed = new DashboardFeed();
  session = new LocalSession();
  tail = new MetricsTail({ path: file, onLines: (lines) => feed.ingestLines(RUN, lines), onReset: () => feed.resetRun(RUN) });
  void tail.attach(session);
  await waitForTail();
  const times = feed.snapshot([RUN]).series.flatMap((s) => [s.t[0] ?? Infinity]);
  const start = Math.min(...times);
  runInfo = { id: RUN, label: 'ResNet-18 <b>cifar</b>', state: 'running', startTime: Number.isFinite(start) ? start : null, env: 'demo' };
  feed.setRuns([runInfo, { id: 'run-b', label: 'older run', state: 'succeeded', startTime: 1, env: 'demo' }]);
  // GPU samples every second over the run, with a 30 s hole where the sampler was away.
  const end = Math.max(...feed.snapshot([RUN]).series.map((s) => s.t[s.t.length - 1] ?? -Infinity));
  const span = Math.max(60, end - start);
  for (let t = start; t <= start + span; t += Math.max(1, span / 600)) {
    if (t > start + span / 2 && t < start + span / 2 + Math.max(30, span / 20)) continue;
    feed.ingestGpu(gpuReading(t, 80 + 15 * Math.sin(t / 7)));
  }
}, 120_000);

afterAll(async () => {
  session?.drop();
  await stage?.close();
});

describe('training dashboard webview', () => {
  it('says ready with a valid message, then draws every point of the metrics file on one time axis', async () => {
    page = await openWebview(stage.browser, stage.origin, 'dashboard');
    page.on('pageerror', (error) => pageErrors.push(String(error.stack ?? error)));
    page.on('console', (m) => m.type() === 'error' && pageErrors.push(m.text()));
    await page.waitForFunction(() => (window as unknown as { __posted: unknown[] }).__posted.length > 0);
    const [ready] = await postedByWebview(page);
    expect(parseDashboardWebviewMessage(ready)).toMatchObject({ type: 'ready', view: 'dashboard', protocol: 1 });
    // Nothing is shown before the host's labels arrive: the page has no text of its own.
    expect(await page.evaluate(() => document.body.innerText.trim())).toBe('');
    await postToWebview(page, dashboardInit('en'));

    const snapshot = snapshotMessage();
    await postToWebview(page, snapshot);
    await settle();

    if (snapshot.type !== 'snapshot') throw new Error('expected a snapshot');
    const lossSeries = snapshot.series.filter((s) => s.key.kind === 'metric' && s.key.metric === 'loss');
    expect(lossSeries.length).toBeGreaterThan(0);
    const loss = await chart('loss');
    const expected = alignedRows(lossSeries);
    const pixels = 1280; // an upper bound for the plot width: below 3 rows per pixel nothing is decimated
    if (expected <= 3 * 400) expect(loss.rows).toBe(expected);
    else expect(loss.rows).toBeGreaterThan(Math.min(expected, 400));
    expect(loss.rows).toBeLessThanOrEqual(Math.max(expected, 4 * pixels));
    expect(loss.series[0]).toBe('ResNet-18 <b>cifar</b> · train (raw)');

    const colour = await page.evaluate(() => getComputedStyle(document.documentElement).getPropertyValue('--vscode-charts-blue').trim());
    expect(loss.strokes[0]).toBe(colour);
    expect(await pixelsOfColour('loss', colour)).toBeGreaterThan(300);

    const all = await charts();
    for (const id of ['loss', 'accuracy', 'lr', 'throughput', 'gpu']) expect(all.find((c) => c.id === id)!.rows, id).toBeGreaterThan(0);
    const drawn = all.filter((c) => c.rows > 0);
    // One time axis: every drawn chart shows exactly the same x range.
    for (const c of drawn) expect([c.xMin, c.xMax], c.id).toEqual([drawn[0]!.xMin, drawn[0]!.xMax]);
    expect((await chart('gpu')).hasGap).toBe(true);
    expect(await page.evaluate(() => (window as unknown as { __cspViolations: string[] }).__cspViolations)).toEqual([]);
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-dark.png'), fullPage: true });
  });

  it('appends new lines incrementally, shows non-finite values as a note, and names as literal text', async () => {
    const before = await chart('loss');
    const lastTime = Math.max(...feed.snapshot([RUN]).series.filter((s) => s.key.kind === 'metric').map((s) => s.t[s.t.length - 1]!));
    const lines = [1, 2, 3].map((i) => JSON.stringify({ v: 1, time: lastTime + i, step: 1_000_000 + i, split: 'train', loss: i === 2 ? 'NaN' : 0.05, [XSS]: i }));
    appendFileSync(file, lines.join('\n') + '\n');
    await waitForTail();
    await postToWebview(page, appendMessage());
    await settle();

    const loss = await chart('loss');
    expect(loss.rows).toBeGreaterThan(before.rows);
    await expect.poll(() => page.locator('[data-chart="loss"] .chart-note').textContent()).toMatch(/1 non-finite value/);

    const extra = await chart('extra');
    expect(extra.title).toBe(`Other metric: ${XSS}`);
    expect(extra.rows).toBe(3);
    expect(await page.locator('vscode-single-select.extra-picker vscode-option').first().textContent()).toBe(XSS);
    expect(await page.locator('[data-chart="loss"] .u-legend').textContent()).toContain('ResNet-18 <b>cifar</b> · train');
    expect(await page.evaluate(() => document.querySelectorAll('img, b').length)).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __alerted: boolean }).__alerted)).toBe(false);
  });

  it('asks for a snapshot when an append was lost, and ignores invalid messages', async () => {
    const postedBefore = (await postedByWebview(page)).length;
    await postToWebview(page, { type: 'append', seq: seq + 5, series: [], events: [], stats: { lines: 0, rejected: 0, oversized: 0, overSeriesLimit: 0 } });
    await postToWebview(page, { type: 'snapshot', seq: -1 });
    await expect.poll(async () => (await postedByWebview(page)).slice(postedBefore)).toContainEqual({ type: 'requestSnapshot', reason: 'seq-gap' });
    await expect.poll(() => page.locator('.status').textContent()).toMatch(/1 invalid messages ignored/);
    await postToWebview(page, snapshotMessage());
    await settle();
    expect((await chart('loss')).rows).toBeGreaterThan(0);
  });

  it('zooms every chart together on a drag and resets on double-click', async () => {
    const full = await chart('loss');
    const box = (await page.locator('[data-chart="loss"] .u-over').boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.3, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.6, box.y + box.height / 2, { steps: 5 });
    await page.mouse.up();
    await settle();
    const zoomed = await charts();
    const loss = zoomed.find((c) => c.id === 'loss')!;
    expect(loss.xMax! - loss.xMin!).toBeLessThan((full.xMax! - full.xMin!) * 0.5);
    for (const c of zoomed.filter((c) => c.rows > 0)) expect([c.xMin, c.xMax], c.id).toEqual([loss.xMin, loss.xMax]);
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-zoomed.png'), fullPage: true });

    await page.mouse.dblclick(box.x + box.width / 2, box.y + box.height / 2);
    await settle();
    const reset = await chart('loss');
    expect([reset.xMin, reset.xMax]).toEqual([full.xMin, full.xMax]);
  });

  it('exports a PNG of the charts through the host', async () => {
    const postedBefore = (await postedByWebview(page)).length;
    await page.locator('vscode-button', { hasText: 'Export PNG' }).click();
    await expect.poll(async () => (await postedByWebview(page)).length).toBeGreaterThan(postedBefore);
    const message = parseDashboardWebviewMessage((await postedByWebview(page)).at(-1));
    if (message?.type !== 'exportPng') throw new Error(`expected exportPng, got ${JSON.stringify(message)?.slice(0, 100)}`);
    const png = Buffer.from(message.dataUrl.slice('data:image/png;base64,'.length), 'base64');
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect(png.length).toBeGreaterThan(20_000);
    writeFileSync(join(ARTIFACTS, 'dashboard-export.png'), png);
    expect(message.suggestedName).toMatch(/^gpu-env-dashboard-\d{8}-\d{6}\.png$/);

    await page.locator('vscode-button', { hasText: 'Export CSV' }).click();
    await expect.poll(async () => (await postedByWebview(page)).at(-1)).toEqual({ type: 'exportCsv' });
  });

  it('posts control changes, keeps them in its state, and restores them after a reload', async () => {
    await page.locator('vscode-checkbox').click();
    await expect.poll(async () => (await postedByWebview(page)).at(-1)).toEqual({ type: 'setScale', scale: 'log' });
    await page.locator('input.smoothing').fill('0.9');
    await page.locator('input.smoothing').dispatchEvent('change');
    await expect.poll(async () => (await postedByWebview(page)).at(-1)).toEqual({ type: 'setSmoothing', value: 0.9 });
    await settle();
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-log-smoothed.png'), fullPage: true });

    await page.reload();
    await page.waitForFunction(() => (window as unknown as { __posted: unknown[] }).__posted.length > 0);
    expect(parseDashboardWebviewMessage((await postedByWebview(page))[0])).toEqual({ type: 'ready', view: 'dashboard', protocol: 1, selectedRuns: [RUN] });
    // What the host remembered from the setSmoothing and setScale above.
    await postToWebview(page, dashboardInit('en', { smoothing: 0.9, scale: 'log' }));
    await expect.poll(() => page.locator('input.smoothing').inputValue()).toBe('0.9');
    expect(await page.locator('vscode-checkbox').evaluate((c) => (c as HTMLElement & { checked: boolean }).checked)).toBe(true);
    await postToWebview(page, snapshotMessage());
    await settle();
    expect((await chart('loss')).rows).toBeGreaterThan(0);
  });

  it('overlays several runs in their own colours, aligned at their start in "since run start" mode', async () => {
    // A second, shorter run that started an hour before the first one.
    const shift = 3600;
    for (const s of feed.snapshot([RUN]).series) {
      if (s.key.kind !== 'metric' || s.key.metric !== 'loss') continue;
      s.t.forEach((t, i) => {
        if (i % 2 === 0) feed.ingest('run-b', { kind: 'point', time: t - shift, step: i, epoch: null, split: s.key.kind === 'metric' ? s.key.split : 'train', values: new Map([['loss', (s.v[i] ?? 1) * 1.3]]) });
      });
    }
    feed.setRuns([runInfo, { id: 'run-b', label: 'older run', state: 'succeeded', startTime: (runInfo.startTime ?? 0) - shift, env: 'demo' }]);
    const read = feed.snapshot([RUN, 'run-b']);
    cursor = read.cursor;
    seq = 0;
    await postToWebview(page, { type: 'snapshot', seq, runs: feed.runs(), selectedRuns: [RUN, 'run-b'], series: read.series, events: read.events, stats: read.stats, thinned: read.thinned });
    await page.evaluate(() => {
      const select = document.querySelector('vscode-single-select:not(.extra-picker)') as HTMLElement & { value: string };
      select.value = 'elapsed';
      select.dispatchEvent(new Event('change'));
    });
    await settle();
    const loss = await chart('loss');
    // The evaluation split is whatever the metrics file uses ('val' or 'test').
    const splits = [...new Set(read.series.filter((s) => s.key.kind === 'metric' && s.key.metric === 'loss').map((s) => (s.key.kind === 'metric' ? s.key.split : '')))];
    expect(splits.length).toBe(2);
    expect(loss.series.filter((s) => !s.endsWith('(raw)'))).toEqual(['ResNet-18 <b>cifar</b>', 'older run'].flatMap((run) => splits.map((split) => `${run} · ${split}`)));
    expect(new Set(loss.strokes).size).toBe(2);
    await expect.poll(() => page.evaluate(() => (document.querySelector('vscode-multi-select') as HTMLElement & { value: string[] }).value)).toEqual([RUN, 'run-b']);
    // Elapsed mode: both runs start near 0, so the range is about one run long, not an hour more.
    expect(loss.xMin!).toBeLessThan(60);
    expect(loss.xMax! - loss.xMin!).toBeLessThan(shift);
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-overlay-elapsed.png'), fullPage: true });
  });

  it('follows a theme change with the new colours', async () => {
    await page.evaluate(() => (window as unknown as { __setTheme(n: string): void }).__setTheme('light'));
    await settle();
    const light = await page.evaluate(() => getComputedStyle(document.documentElement).getPropertyValue('--vscode-charts-blue').trim());
    expect((await chart('loss')).strokes[0]).toBe(light);
    expect(await pixelsOfColour('loss', light)).toBeGreaterThan(300);
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-light.png'), fullPage: true });
    expect(await page.evaluate(() => (window as unknown as { __cspViolations: string[] }).__cspViolations)).toEqual([]);
    expect(readFileSync(join(ARTIFACTS, 'dashboard-light.png')).length).toBeGreaterThan(10_000);
  });

  it('speaks the display language: Chinese labels from the zh-cn bundle, and no English of its own', async () => {
    const zh = await openWebview(stage.browser, stage.origin, 'dashboard', { locale: 'zh-CN' });
    const errors: string[] = [];
    zh.on('pageerror', (error) => errors.push(String(error.stack ?? error)));
    await zh.waitForFunction(() => (window as unknown as { __posted: unknown[] }).__posted.length > 0);
    const init = dashboardInit('zh-cn');
    await postToWebview(zh, init);
    const read = feed.snapshot([RUN, 'run-b']);
    await postToWebview(zh, { type: 'snapshot', seq: 0, runs: feed.runs(), selectedRuns: [RUN, 'run-b'], series: read.series, events: read.events, stats: read.stats, thinned: read.thinned });
    await zh.evaluate(() => new Promise((r) => setTimeout(() => requestAnimationFrame(() => requestAnimationFrame(r)), 50)));

    expect(await zh.evaluate(() => document.documentElement.lang)).toBe('zh-cn');
    const toolbar = {
      groups: await zh.locator('.toolbar .group-label').allTextContents(),
      checkbox: await zh.locator('vscode-checkbox').textContent(),
      buttons: await zh.locator('.toolbar vscode-button').allTextContents(),
      timeAxis: await zh.locator('vscode-single-select:not(.extra-picker) vscode-option').allTextContents(),
      runs: await zh.locator('vscode-multi-select vscode-option').allTextContents(),
    };
    expect(toolbar).toEqual({
      groups: ['训练运行', '平滑', '时间轴', '其他指标'],
      checkbox: '对数刻度',
      buttons: ['重置缩放', '导出 PNG', '导出 CSV'],
      timeAxis: ['实际时间', '自运行开始'],
      runs: ['ResNet-18 <b>cifar</b>（运行中）', 'older run（已成功）'],
    });
    // The same texts as the labels the host translated from the bundle.
    expect(toolbar.groups).toEqual([init.labels.runs, init.labels.smoothing, init.labels.timeAxis, init.labels.otherMetric]);
    const titles = await zh.locator('.chart-title').allTextContents();
    expect(titles.slice(0, 5)).toEqual(['损失', '准确率', '学习率', '图像/秒', 'GPU 利用率和显存 (%)']);
    expect(titles[5]).toMatch(/^其他指标/);
    await expect.poll(() => zh.locator('.status').textContent()).toMatch(/^已选 2\/2 个运行 · [\d,]+ 行/);

    // Every text on the page is Chinese, user data (run labels, metric and split names, the GPU's
    // model) or an acronym kept in Chinese; English is left only inside vscode-elements' own
    // shadow DOM (its multi-select writes "N Selected" and has no way to translate it).
    const data = [
      ...feed.runs().map((r) => r.label),
      ...read.series.flatMap((s) => (s.key.kind === 'metric' ? [s.key.metric, s.key.split] : [s.key.name])),
    ];
    const texts = await pageTexts(zh);
    expect(texts.own.length).toBeGreaterThan(30);
    expect(latinWords(texts.own, data).filter((w) => !['GPU', 'PNG', 'CSV', 'NaN', 'Inf'].includes(w))).toEqual([]);
    expect(new Set(latinWords(texts.library, data))).toEqual(new Set(['Selected']));
    await zh.screenshot({ path: join(ARTIFACTS, 'dashboard-zh-cn.png'), fullPage: true });
    expect(errors).toEqual([]);
    await zh.close();
  });

  it('says what the host left out: values of metrics over the series limit, series and points a snapshot thinned (issue 16 defect 14)', async () => {
    const bounded = new DashboardFeed({ ...DEFAULT_FEED_OPTIONS, maxMetricSeriesPerRun: 3, snapshotPoints: 600 });
    bounded.setRuns([{ id: RUN, label: 'flood', state: 'running', startTime: 0, env: 'demo' }]);
    bounded.ingestLines(RUN, Array.from({ length: 2000 }, (_, step) => parseMetricsLine(JSON.stringify({ v: 1, time: step, step, split: 'train', loss: 1 / (step + 1), accuracy: step / 2000, lr: 0.1, [`layer_${step}`]: 1 }))));
    const flood = await openWebview(stage.browser, stage.origin, 'dashboard');
    const errors: string[] = [];
    flood.on('pageerror', (error) => errors.push(String(error.stack ?? error)));
    await flood.waitForFunction(() => (window as unknown as { __posted: unknown[] }).__posted.length > 0);
    await postToWebview(flood, dashboardInit('en'));
    const read = bounded.snapshot([RUN]);
    const message: DashboardHostMessage = { type: 'snapshot', seq: 0, runs: bounded.runs(), selectedRuns: [RUN], series: read.series, events: read.events, stats: read.stats, thinned: read.thinned };
    expect(parseDashboardHostMessage(JSON.parse(JSON.stringify(message)))).toBeDefined();
    await postToWebview(flood, message);
    expect(read.stats.overSeriesLimit).toBe(2000);
    expect(read.thinned.points).toBe(3 * 2000 - read.series.reduce((sum, s) => sum + s.t.length, 0));
    const status = flood.locator('.status');
    await expect.poll(() => status.textContent()).toBe(`1 of 1 runs · 2,000 lines · 2,000 values of further metrics not kept (series limit) · ${read.thinned.points.toLocaleString('en-US')} points thinned out to fit (peaks kept)`);
    expect(await status.getAttribute('class')).toContain('warn');
    // The charts still draw what was kept.
    const loss = await flood.evaluate(() => (window as unknown as { __gpuEnvDashboard: { charts(): { id: string; rows: number }[] } }).__gpuEnvDashboard.charts().find((c) => c.id === 'loss')?.rows ?? 0);
    expect(loss).toBeGreaterThan(100);
    await flood.screenshot({ path: join(ARTIFACTS, 'dashboard-bounded.png'), fullPage: true });
    expect(errors).toEqual([]);
    await flood.close();
  });
});

