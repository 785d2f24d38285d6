/**
 * A reload re-attaching to a long run, in headless Chromium, through the real path: a long
 * metrics.jsonl → MetricsTail newest first over real `tail -F` and `head -c` processes →
 * DashboardFeed → DashboardController (its coalescer on the real clock) → the dashboard page.
 * The first snapshot the page gets holds the newest points only; the whole history follows in a
 * later snapshot. The time to the first drawn chart is printed, never asserted.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DashboardFeed } from '../../src/vscode/dashboard/dashboard-feed';
import { DEFAULT_WINDOW_BYTES, MetricsTail } from '../../src/core/metrics/metrics-tail';
import type { DashboardHostMessage as HostMessage, SeriesData } from '../../src/shared/protocol/dashboard';
import { DashboardController } from '../../src/vscode/dashboard/dashboard-controller';
import { MemoryStore } from '../support/extension-fakes';
import { LocalSession, waitFor } from '../support/local-process-session';
import { openWebview, postedByWebview, startWebviewStage, type WebviewStage } from './harness';
import { DEFAULT_RUN, generateMetrics } from './metrics-generator';
import { dashboardLabels } from '../support/webview-labels';

const RUN = 'run-long';
// About 25 MB: far more than the window, so the history takes a while to read behind it.
const LONG_RUN = { ...DEFAULT_RUN, epochs: 40, stepsPerEpoch: 4000 };

let stage: WebviewStage;

beforeAll(async () => {
  stage = await startWebviewStage('gpu-env-reattach-', ['dashboard']);
}, 120_000);

afterAll(async () => {
  await stage?.close();
});

/** The training loss in a data message (a snapshot, or an append to an empty one). */
const lossOf = (m: HostMessage): SeriesData | undefined =>
  m.type === 'snapshot' || m.type === 'append' ? m.series.find((s) => s.key.kind === 'metric' && s.key.metric === 'loss' && s.key.split === 'train') : undefined;

/** Polls an asynchronous condition every 20 ms, up to `timeoutMs`. */
async function waitUntil(condition: () => Promise<boolean>, what: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function lossChart(page: Page): Promise<{ rows: number; xMin: number | null; xMax: number | null } | undefined> {
  return page.evaluate(() => (window as unknown as { __gpuEnvDashboard: { charts(): { id: string; rows: number; xMin: number | null; xMax: number | null }[] } }).__gpuEnvDashboard.charts().find((c) => c.id === 'loss'));
}

describe('dashboard re-attach to a long run', () => {
  it('draws the newest points first and fills the history in behind', async () => {
    const file = join(stage.dir, 'metrics.jsonl');
    writeFileSync(file, generateMetrics(LONG_RUN));
    const page = await openWebview(stage.browser, stage.origin, 'dashboard');
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(String(error)));
    await page.waitForFunction(() => (window as unknown as { __posted: unknown[] }).__posted.length > 0);
    const [ready] = await postedByWebview(page);
    // When the page itself first drew training-loss points: after the animation frame that gave the
    // chart its data, and after uPlot's drawing (a microtask queued within that frame). The polling
    // below sees it later, by as long as this test process is busy reading the history.
    await page.evaluate(() => {
      const w = window as unknown as { __firstDrawnAt?: number; __gpuEnvDashboard: { charts(): { id: string; rows: number }[] } };
      const frame = window.requestAnimationFrame.bind(window);
      window.requestAnimationFrame = (callback) =>
        frame((time) => {
          callback(time);
          queueMicrotask(() => {
            if (w.__firstDrawnAt === undefined && (w.__gpuEnvDashboard.charts().find((c) => c.id === 'loss')?.rows ?? 0) > 0) w.__firstDrawnAt = Date.now();
          });
        });
    });

    const feed = new DashboardFeed();
    feed.setRuns([{ id: RUN, label: 'long run', state: 'running', startTime: LONG_RUN.startTime, env: 'demo' }]);
    const posted: { at: number; message: HostMessage }[] = [];
    let receive: (m: unknown) => void = () => undefined;
    const controller = new DashboardController({
      source: feed,
      port: {
        postMessage: async (message) => {
          posted.push({ at: performance.now(), message });
          // As one JSON string, as VS Code carries it: Playwright's own argument encoding of a big
          // message costs seconds, which would be the harness's time, not the dashboard's.
          return page.evaluate((json) => (window as unknown as { __host(m: unknown): void }).__host(JSON.parse(json)), JSON.stringify(message)).then(
            () => true,
            () => false,
          );
        },
        onDidReceiveMessage: (listener) => {
          receive = listener;
          return { dispose: () => (receive = () => undefined) };
        },
      },
      preferences: new MemoryStore(),
      exporter: { save: async () => undefined },
      visible: true,
      initialRuns: [RUN],
      labels: dashboardLabels(),
      locale: 'en',
    });
    receive(ready);

    const session = new LocalSession();
    let historyDone = false;
    const started = performance.now();
    const startedAt = Date.now();
    const tail = new MetricsTail({
      path: file,
      onLines: (lines) => feed.ingestLines(RUN, lines),
      newestFirst: {
        windowBytes: DEFAULT_WINDOW_BYTES,
        history: () => {
          const fill = feed.beginHistory(RUN);
          return { ingest: (lines) => fill.ingest(lines), abandon: () => fill.abandon(), complete: () => ((historyDone = true), fill.complete()) };
        },
      },
    });
    const attached = tail.attach(session);
    try {
      await waitFor(() => posted.some((p) => (lossOf(p.message)?.t.length ?? 0) > 0), 'the first points', 30_000);
      await waitUntil(async () => ((await lossChart(page))?.rows ?? 0) > 0, 'the loss chart to be drawn', 30_000);
      const seenMs = performance.now() - started;
      const drawnMs = (await page.evaluate(() => (window as unknown as { __firstDrawnAt?: number }).__firstDrawnAt ?? NaN)) - startedAt;
      expect(drawnMs).toBeGreaterThan(0);
      await waitFor(() => historyDone, 'the history to be read', 120_000);
      const total = LONG_RUN.epochs * LONG_RUN.stepsPerEpoch;
      await waitFor(() => posted.some((p) => p.message.type === 'snapshot' && p.message.stats.lines >= total), 'a snapshot with the whole history', 30_000);
      const historyMs = performance.now() - started;

      const withPoints = posted.filter((p) => (lossOf(p.message)?.t.length ?? 0) > 0);
      const first = lossOf(withPoints[0]!.message)!;
      const full = withPoints.find((p) => p.message.type === 'snapshot' && p.message.stats.lines >= total)!;
      const fullLoss = lossOf(full.message)!;
      const runStart = fullLoss.t[0]!;
      const runEnd = fullLoss.t[fullLoss.t.length - 1]!;
      // The first points shown are the newest: they end where the file ends, and start well after the run did.
      expect(first.t[first.t.length - 1]).toBe(runEnd);
      expect(first.t[0]!).toBeGreaterThan(runStart + (runEnd - runStart) * 0.9);
      // The whole run, its start within one compacted bucket (the store keeps old points as min/max pairs).
      expect(runStart).toBeLessThan(LONG_RUN.startTime + (runEnd - LONG_RUN.startTime) * 0.001);
      expect(full.at).toBeGreaterThan(withPoints[0]!.at);
      // The chart spans the validation loss too, so its ends may lie a little beyond the training loss's.
      await waitUntil(async () => ((await lossChart(page))?.xMin ?? Infinity) <= runStart, 'the chart to show the whole run', 30_000);
      expect((await lossChart(page))!.xMax).toBeGreaterThanOrEqual(runEnd);
      expect(errors).toEqual([]);
      console.info(`re-attach to ${total.toLocaleString('en')} lines: first points posted after ${(withPoints[0]!.at - started).toFixed(0)} ms, first chart drawn after ${drawnMs.toFixed(0)} ms (${first.t.length} points; this test's polling saw it after ${seenMs.toFixed(0)} ms), whole history shown after ${historyMs.toFixed(0)} ms`);
    } finally {
      controller.dispose();
      session.close();
      await attached;
      await page.close();
    }
  });
});
