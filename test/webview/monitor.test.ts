/**
 * The sidebar GPU monitor in headless Chromium under its real CSP, fed snapshots built by the real
 * GpuPanelModel. Screenshots go to test-artifacts/webview/.
 *
 * Run: npx vitest run --project webview test/webview/monitor.test.ts
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GpuAttribution } from '../../src/core/gpu/gpu-attribution';
import { gpuClaimOf } from '../../src/core/gpu/gpu-claims';
import { toGpuReading } from '../../src/core/gpu/to-gpu-reading';
import type { GpuDevice, GpuSample } from '../../src/core/gpu/types';
import { GpuPanelModel } from '../../src/vscode/monitor/gpu-panel-model';
import type { GpuDeviceReading, GpuReading } from '../../src/shared/gpu-reading';
import { parseMonitorWebviewMessage } from '../../src/shared/protocol/monitor';
import { monitorInit } from '../support/webview-labels';
import { ARTIFACTS, latinWords, openWebview, pageTexts, postedByWebview, postToWebview, startWebviewStage, type WebviewStage } from './harness';

const XSS = '<img src=x onerror=alert(1)>';
let stage: WebviewStage;
let page: Page;
const pageErrors: string[] = [];

function device(index: number, util: number | null, runId: string | null): GpuDeviceReading {
  return { index, name: index === 0 ? 'NVIDIA H100 80GB HBM3' : 'NVIDIA A10', utilPct: util, memUsedMiB: index === 0 ? 41_000 : 3_000, memTotalMiB: index === 0 ? 81_559 : 23_028, tempC: 60 + index, powerW: index === 0 ? 412 : null, powerLimitW: 700, runId };
}

function reading(time: number, devices: GpuDeviceReading[], noGpuReason: string | null = null): GpuReading {
  return { time, env: 'demo-env', devices, cpuPct: 230, memUsedMiB: 12_288, memTotalMiB: 65_536, noGpuReason };
}

async function settle(): Promise<void> {
  await page.evaluate(() => new Promise((r) => setTimeout(() => requestAnimationFrame(r), 50)));
  expect(pageErrors).toEqual([]);
}

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  stage = await startWebviewStage('gpu-env-monitor-', ['monitor']);
}, 120_000);

afterAll(async () => {
  await stage?.close();
});

describe('GPU monitor webview', () => {
  it('shows one card per GPU with bars, figures, the run, and a sparkline with its gap', async () => {
    page = await openWebview(stage.browser, stage.origin, 'monitor', { width: 320, height: 640 });
    page.on('pageerror', (e) => pageErrors.push(String(e)));
    page.on('console', (m) => m.type() === 'error' && pageErrors.push(m.text()));
    await page.waitForFunction(() => (window as unknown as { __posted: unknown[] }).__posted.length > 0);
    expect(parseMonitorWebviewMessage((await postedByWebview(page))[0])).toEqual({ type: 'ready', view: 'monitor', protocol: 1 });
    expect(await page.evaluate(() => document.body.innerText.trim())).toBe('');
    await postToWebview(page, monitorInit('en'));
    await expect.poll(() => page.locator('.no-gpu').textContent()).toBe('Waiting for the first GPU sample…');

    const model = new GpuPanelModel((id) => (id === 'run-7' ? `resnet ${XSS}` : undefined));
    const now = 1_717_000_300;
    for (let t = now - 300; t <= now; t++) {
      if (t > now - 200 && t < now - 170) continue; // the sampler was away for 30 s
      model.update(reading(t, [device(0, 50 + 45 * Math.sin(t / 20), 'run-7'), device(1, t % 60 < 30 ? 0 : null, null)]));
    }
    await postToWebview(page, { type: 'gpu', snapshot: model.snapshot(now) });
    await settle();

    expect(await page.locator('.gpu-card').count()).toBe(2);
    expect(await page.locator('.env-line').textContent()).toBe('demo-env · CPU 230 % · RAM 12.0 / 64 GiB');
    const first = page.locator('.gpu-card').first();
    expect(await first.locator('.gpu-index').textContent()).toBe('GPU 0');
    expect(await first.locator('.bar-row.mem .bar-value').textContent()).toBe('40 / 80 GiB');
    expect(await first.locator('.figures').textContent()).toBe('Temp 60 °C · Power 412 / 700 W');
    expect(await first.locator('.run-link').textContent()).toBe(`resnet ${XSS}`);
    const memWidth = await first.locator('.bar-row.mem .bar-fill').evaluate((e) => (e as HTMLElement).style.width);
    expect(Number.parseFloat(memWidth)).toBeCloseTo((41_000 / 81_559) * 100, 1);
    const second = page.locator('.gpu-card').nth(1);
    expect(await second.locator('.bar-row.util .bar-value').textContent()).toBe('n/a');
    expect(await second.locator('.figures').textContent()).toContain('Power n/a');
    expect(await second.locator('.run-row').isHidden()).toBe(true);

    // The sparkline drew: pixels of the utilisation colour, and none in the 30 s gap.
    const sparkPixels = await first.locator('canvas.sparkline').evaluate((canvas: HTMLCanvasElement) => {
      const colour = getComputedStyle(document.documentElement).getPropertyValue('--vscode-charts-blue').trim();
      const probe = document.createElement('canvas').getContext('2d')!;
      probe.fillStyle = colour;
      probe.fillRect(0, 0, 1, 1);
      const [r, g, b] = probe.getImageData(0, 0, 1, 1).data;
      const ctx = canvas.getContext('2d')!;
      const count = (x0: number, x1: number): number => {
        const d = ctx.getImageData(x0, 0, Math.max(1, x1 - x0), canvas.height).data;
        let n = 0;
        for (let i = 0; i < d.length; i += 4) if (Math.abs(d[i]! - r!) + Math.abs(d[i + 1]! - g!) + Math.abs(d[i + 2]! - b!) < 60) n++;
        return n;
      };
      const w = canvas.width;
      // Gap: seconds now-198 … now-172 of a 300 s window.
      return { total: count(0, w), inGap: count(Math.ceil((w * 104) / 300), Math.floor((w * 126) / 300)) };
    });
    expect(sparkPixels.total).toBeGreaterThan(100);
    expect(sparkPixels.inGap).toBe(0);
    expect(await page.evaluate(() => document.querySelectorAll('img').length)).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __cspViolations: string[] }).__cspViolations)).toEqual([]);
    await page.screenshot({ path: join(ARTIFACTS, 'monitor-dark.png'), fullPage: true });

    await first.locator('.run-link').click();
    await expect.poll(async () => (await postedByWebview(page)).at(-1)).toEqual({ type: 'openDashboard', run: 'run-7' });

    await page.evaluate(() => (window as unknown as { __setTheme(n: string): void }).__setTheme('light'));
    await settle();
    await page.screenshot({ path: join(ARTIFACTS, 'monitor-light.png'), fullPage: true });
  });

  it('says why there is no GPU, and marks stale figures', async () => {
    const model = new GpuPanelModel();
    model.update(reading(1000, [], 'Docker reports no NVIDIA runtime (docker info: Runtimes: runc). Install the NVIDIA Container Toolkit, or use a host with GPUs.'));
    await postToWebview(page, { type: 'gpu', snapshot: model.snapshot(1030) });
    await settle();
    expect(await page.locator('.gpu-card').count()).toBe(0);
    expect(await page.locator('.no-gpu').textContent()).toMatch(/no NVIDIA runtime/);
    expect(await page.locator('.stale-line').isVisible()).toBe(true);
    await page.evaluate(() => (window as unknown as { __setTheme(n: string): void }).__setTheme('dark'));
    await page.screenshot({ path: join(ARTIFACTS, 'monitor-no-gpu.png'), fullPage: true });

    await page.locator('.open-dashboard').click();
    await expect.poll(async () => (await postedByWebview(page)).at(-1)).toEqual({ type: 'openDashboard', run: null });
  });

  it('speaks the display language: Chinese labels from the zh-cn bundle, and no English of its own', async () => {
    const zh = await openWebview(stage.browser, stage.origin, 'monitor', { width: 320, height: 640, locale: 'zh-CN' });
    const errors: string[] = [];
    zh.on('pageerror', (e) => errors.push(String(e)));
    await zh.waitForFunction(() => (window as unknown as { __posted: unknown[] }).__posted.length > 0);
    await postToWebview(zh, monitorInit('zh-cn'));
    await expect.poll(() => zh.locator('.no-gpu').textContent()).toBe('正在等待第一个 GPU 采样…');
    const model = new GpuPanelModel((id) => (id === 'run-7' ? 'resnet' : undefined));
    for (let t = 1000; t <= 1060; t++) model.update(reading(t, [device(0, 70, 'run-7'), device(1, null, null)]));
    await postToWebview(zh, { type: 'gpu', snapshot: model.snapshot(1090) });
    await zh.evaluate(() => new Promise((r) => setTimeout(() => requestAnimationFrame(r), 50)));

    expect(await zh.evaluate(() => document.documentElement.lang)).toBe('zh-cn');
    expect(await zh.locator('.env-line').textContent()).toBe('demo-env · CPU 230 % · 内存 12.0 / 64 GiB');
    const first = zh.locator('.gpu-card').first();
    expect(await first.locator('.bar-row .label').allTextContents()).toEqual(['利用率', '显存']);
    expect(await first.locator('.figures').textContent()).toBe('温度 60 °C · 功率 412 / 700 W');
    expect(await first.locator('.run-row').textContent()).toBe('运行 resnet');
    expect(await first.locator('.spark-legend').textContent()).toBe('利用率显存5 分钟');
    expect(await zh.locator('.gpu-card').nth(1).locator('.bar-row.util .bar-value').textContent()).toBe('不可用');
    expect(await zh.locator('.stale-line').textContent()).toMatch(/^自 .+ 起没有新采样；数据已过时。$/);
    expect(await zh.locator('.open-dashboard').textContent()).toBe('打开训练仪表板');

    const texts = await pageTexts(zh);
    expect(latinWords(texts.own, ['demo-env', 'NVIDIA H100 80GB HBM3', 'NVIDIA A10', 'resnet']).filter((w) => !['GPU', 'CPU', 'GiB', 'MiB'].includes(w))).toEqual([]);
    expect(texts.library).toEqual([]);
    await zh.screenshot({ path: join(ARTIFACTS, 'monitor-zh-cn.png'), fullPage: true });
    expect(errors).toEqual([]);
    await zh.close();
  });

  it('shows who holds each GPU on its own card: this environment, another person\'s, a foreign container', async () => {
    // What the engine says (docker inspect): "demo" asked for host GPUs 1 and 3, alice's exp1 for 0
    // and 1, and a container gpu-env did not make for all of them. Claims and holders are computed
    // by the real core (gpu-claims, gpu-attribution, to-gpu-reading) from these.
    const inspect = (id: string, name: string, request: object, labels: Record<string, string>) =>
      ({ Id: id, Name: `/${name}`, Config: { Env: [], Labels: labels }, HostConfig: { DeviceRequests: [request] }, State: { Running: true } }) as never;
    const demo = gpuClaimOf(inspect('d', 'gpu-env-demo-env', { Driver: 'nvidia', DeviceIDs: ['3', '1'], Capabilities: [['gpu']] }, { 'dev.gpu-env.name': 'demo-env', 'dev.gpu-env.owner': 'me' }))!;
    const alice = gpuClaimOf(inspect('a', 'gpu-env-exp1', { Driver: 'nvidia', DeviceIDs: ['0', '1'], Capabilities: [['gpu']] }, { 'dev.gpu-env.name': 'exp1', 'dev.gpu-env.owner': `alice ${XSS}` }))!;
    const foreign = gpuClaimOf(inspect('w', 'web-1', { Driver: 'nvidia', Count: -1, Capabilities: [['gpu']] }, {}))!;
    const attribution = new GpuAttribution({
      processLookup: async () => ({ kind: 'none', reason: 'not looked up here' }),
      runPids: async () => [],
      claims: async () => ({ own: demo, running: [demo, alice, foreign] }),
    }, 'demo-env');
    const gpu = (index: number, uuid: string): GpuDevice => ({
      index, uuid, name: 'Stand-in GPU', utilizationGpuPercent: 10, utilizationMemoryPercent: 1, memoryUsedBytes: 2 ** 30, memoryTotalBytes: 24 * 2 ** 30,
      temperatureC: 40, powerDrawW: 60, powerLimitW: 350, smClockMHz: 1800, fanPercent: 30, pstate: 'P0', migEnabled: null, processes: [], errors: {},
    });
    // Inside the environment its two GPUs are numbered 0 and 1 (host 1 and 3).
    const sample: GpuSample = { seq: 1, timeMs: 1_717_000_400_000, warnings: [], gpu: { available: true, source: 'nvml', devices: [gpu(0, 'GPU-b'), gpu(1, 'GPU-d')] },
      container: { cpuPercent: 5, cpuLimitCores: null, cpuCount: 2, memoryUsedBytes: 2 ** 30, memoryLimitBytes: 8 * 2 ** 30, memoryLimited: false } };
    attribution.observe(sample);
    await attribution.settled();
    const model = new GpuPanelModel();
    model.update(toGpuReading(sample, { env: 'demo-env', holdersFor: (d, i) => attribution.holdersFor(d, i) }));
    await postToWebview(page, { type: 'gpu', snapshot: model.snapshot(1_717_000_400) });
    await settle();

    const cards = page.locator('.gpu-card');
    expect(await cards.count()).toBe(2);
    expect(await cards.nth(0).locator('.holders').textContent()).toBe(`me/demo-env (this one), alice ${XSS}/exp1, container web-1`);
    expect(await cards.nth(1).locator('.holders').textContent()).toBe('me/demo-env (this one), container web-1');
    expect(await cards.nth(0).locator('.holders-row').evaluate((e) => e.classList.contains('shared'))).toBe(true);
    expect(await page.evaluate(() => document.querySelectorAll('img').length)).toBe(0);
    await page.screenshot({ path: join(ARTIFACTS, 'monitor-holders.png'), fullPage: true });
  });
});
