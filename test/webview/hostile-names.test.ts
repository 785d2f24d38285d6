/**
 * Issue 16, case "Webview": a run name and metric names made to break out of HTML (`"><img …>`,
 * `</script>`) are shown as text in the dashboard and the GPU monitor, in headless Chromium, on
 * the pages the panels build (webview-pages.ts: CSP meta, fresh nonce) fed by the real host-side
 * models (DashboardFeed from metrics.jsonl lines, GpuPanelModel). Nothing runs: no element is
 * injected, alert() is never called, the CSP reports no violation.
 *
 * Run: npx vitest run --project webview test/webview/hostile-names.test.ts
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseMetricsLine } from '../../src/core/metrics/parse-metrics-line';
import type { GpuReading } from '../../src/shared/gpu-reading';
import { DashboardFeed } from '../../src/vscode/dashboard/dashboard-feed';
import { GpuPanelModel } from '../../src/vscode/monitor/gpu-panel-model';
import { dashboardInit, monitorInit } from '../support/webview-labels';
import { openWebview, postToWebview, startWebviewStage, type WebviewStage } from './harness';

const IMG = '"><img src=x onerror=alert(1)>';
const SCRIPT = '</script><script>alert(2)</script>';
const RUN_NAME = `${IMG} ${SCRIPT}`;
const RUN = 'run-hostile';

let stage: WebviewStage;

beforeAll(async () => {
  stage = await startWebviewStage('gpu-env-hostile-names-', ['dashboard', 'monitor']);
}, 120_000);

afterAll(async () => {
  await stage?.close();
});

async function open(name: 'dashboard' | 'monitor'): Promise<{ page: Page; errors: string[] }> {
  const page = await openWebview(stage.browser, stage.origin, name, { width: 1000, height: 800 });
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(String(error.stack ?? error)));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('dialog', (dialog) => {
    errors.push(`dialog: ${dialog.message()}`);
    void dialog.dismiss();
  });
  await page.waitForFunction(() => (window as unknown as { __posted: unknown[] }).__posted.length > 0);
  return { page, errors };
}

async function settle(page: Page): Promise<void> {
  await page.evaluate(() => new Promise((r) => setTimeout(() => requestAnimationFrame(() => requestAnimationFrame(r)), 50)));
}

/** Nothing the names carried became markup or ran. */
async function expectInert(page: Page, errors: readonly string[]): Promise<void> {
  expect(await page.evaluate(() => document.querySelectorAll('img').length)).toBe(0);
  // The stub and the page's bundle, both with the nonce; no script element from the names.
  expect(await page.evaluate(() => [...document.querySelectorAll('script')].map((s) => s.getAttribute('src')?.replace(/^.*\//, '') ?? 'inline'))).toEqual(['stub.js', expect.stringMatching(/^(dashboard|monitor)\.js$/)]);
  expect(await page.evaluate(() => (window as unknown as { __alerted: boolean }).__alerted)).toBe(false);
  expect(await page.evaluate(() => (window as unknown as { __cspViolations: string[] }).__cspViolations)).toEqual([]);
  expect(errors).toEqual([]);
}

describe('hostile run and metric names are text in the webviews (issue 16, case Webview)', () => {
  it('dashboard: the run picker, the legends and the other-metric picker and title show them as written', async () => {
    const feed = new DashboardFeed();
    feed.setRuns([{ id: RUN, label: RUN_NAME, state: 'running', startTime: 1_000, env: SCRIPT }]);
    feed.ingestLines(
      RUN,
      Array.from({ length: 20 }, (_, i) => parseMetricsLine(JSON.stringify({ v: 1, time: 1_000 + i, step: i, split: 'train', loss: 1 / (i + 1), [IMG]: i, [SCRIPT]: 2 * i }))),
    );
    const read = feed.snapshot([RUN]);
    const { page, errors } = await open('dashboard');
    await postToWebview(page, dashboardInit('en'));
    await postToWebview(page, { type: 'snapshot', seq: 0, runs: feed.runs(), selectedRuns: [RUN], series: read.series, events: read.events, stats: read.stats, thinned: read.thinned });
    await settle(page);

    expect(await page.locator('vscode-multi-select vscode-option').allTextContents()).toEqual([`${RUN_NAME} (running)`]);
    await expect.poll(() => page.locator('[data-chart="loss"] .u-legend').textContent()).toContain(`${RUN_NAME} · train`);
    const metrics = await page.locator('vscode-single-select.extra-picker vscode-option').allTextContents();
    expect([...metrics].sort()).toEqual([IMG, SCRIPT].sort());
    expect(await page.locator('[data-chart="extra"] .chart-title').textContent()).toBe(`Other metric: ${metrics[0]}`);
    expect(await page.evaluate(() => document.body.innerText)).toContain(RUN_NAME);
    await expectInert(page, errors);
    await page.close();
  });

  it('GPU monitor: the run on a GPU and the environment name show as written', async () => {
    const model = new GpuPanelModel((id) => (id === RUN ? RUN_NAME : undefined));
    const reading = (time: number): GpuReading => ({
      time,
      env: SCRIPT,
      devices: [{ index: 0, name: IMG, utilPct: 70, memUsedMiB: 1_000, memTotalMiB: 81_559, tempC: 60, powerW: 300, powerLimitW: 700, runId: RUN }],
      cpuPct: 100,
      memUsedMiB: 1_024,
      memTotalMiB: 65_536,
      noGpuReason: null,
    });
    for (let t = 1_000; t <= 1_030; t++) model.update(reading(t));
    const { page, errors } = await open('monitor');
    await postToWebview(page, monitorInit('en'));
    await postToWebview(page, { type: 'gpu', snapshot: model.snapshot(1_030) });
    await settle(page);

    await expect.poll(() => page.locator('.gpu-card .run-link').textContent()).toBe(RUN_NAME);
    expect(await page.locator('.env-line').textContent()).toMatch(new RegExp(`^${SCRIPT.replace(/[()/]/g, '\\$&')} · CPU`));
    expect(await page.locator('.gpu-card').textContent()).toContain(IMG);
    await expectInert(page, errors);
    await page.close();
  });
});
