import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LIMITS } from '../../../../src/shared/protocol/common';
import {
  MONITOR_LIMITS,
  parseMonitorHostMessage,
  parseMonitorWebviewMessage,
  type GpuPanelSnapshot,
  type MonitorHostMessage,
  type MonitorWebviewMessage,
} from '../../../../src/shared/protocol/monitor';
import { DELETE, mutate, XSS } from '../../../support/message-mutation';
import { monitorInit } from '../../../support/webview-labels';

const validWebview: MonitorWebviewMessage[] = [
  { type: 'ready', view: 'monitor', protocol: 1 },
  { type: 'openDashboard', run: 'run-1' },
  { type: 'openDashboard', run: null },
];

const gpuSnapshot: GpuPanelSnapshot = {
  time: 1700000000.5,
  env: 'demo',
  cards: [
    {
      index: 0,
      name: 'NVIDIA H100',
      utilPct: 97,
      memUsedMiB: 40000,
      memTotalMiB: 81559,
      tempC: 61,
      powerW: 350.2,
      powerLimitW: 700,
      spark: { t: [1, 2, 3], util: [90, null, 97], mem: [40, null, 49] },
      run: { id: 'run-1', label: XSS },
      holders: [
        { environment: 'demo', owner: 'alice', container: 'gpu-env-demo', self: true },
        { environment: null, owner: null, container: XSS, self: false },
      ],
    },
  ],
  usage: { cpuPct: 180, memUsedMiB: 1000, memTotalMiB: 64000 },
  noGpuReason: null,
  stale: false,
};

const validHost: MonitorHostMessage[] = [
  monitorInit('zh-cn'),
  monitorInit('en'),
  { type: 'gpu', snapshot: gpuSnapshot },
  { type: 'gpu', snapshot: { time: null, env: null, cards: [], usage: null, noGpuReason: 'No NVIDIA runtime in Docker', stale: true } },
  { type: 'gpu', snapshot: { ...gpuSnapshot, cards: [{ ...gpuSnapshot.cards[0]!, utilPct: null, memUsedMiB: null, memTotalMiB: null, tempC: null, powerW: null, powerLimitW: null, run: null }] } },
];

describe('parseMonitorWebviewMessage', () => {
  it.each(validWebview)('accepts $type', (message) => {
    expect(parseMonitorWebviewMessage(message)).toEqual(message);
  });

  it.each([
    ['not an object', 'ready'],
    ['unknown type', { type: 'rm -rf' }],
    ['prototype key as type', { type: 'constructor' }],
    ['ready without view', mutate(validWebview[0], ['view'], DELETE)],
    ["the dashboard's ready", { type: 'ready', view: 'dashboard', protocol: 1 }],
    ['ready with fractional protocol', mutate(validWebview[0], ['protocol'], 1.5)],
    ['openDashboard without run', { type: 'openDashboard' }],
    ['openDashboard with an empty run', { type: 'openDashboard', run: '' }],
    ['openDashboard with an over-long run', { type: 'openDashboard', run: 'r'.repeat(LIMITS.idChars + 1) }],
    ["the dashboard's selectRuns", { type: 'selectRuns', runs: ['a'] }],
    ["the dashboard's exportCsv", { type: 'exportCsv' }],
  ])('rejects %s', (_name, message) => {
    expect(parseMonitorWebviewMessage(message)).toBeUndefined();
  });

  it('never throws and never accepts an object without a known type (fuzz)', () => {
    fc.assert(
      fc.property(fc.anything(), (x) => {
        const parsed = parseMonitorWebviewMessage(x);
        if (parsed !== undefined) expect(validWebview.map((m) => m.type)).toContain(parsed.type);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('parseMonitorHostMessage', () => {
  it.each(validHost)('accepts $type', (message) => {
    expect(parseMonitorHostMessage(message)).toEqual(message);
  });

  it.each([
    ['utilisation above 100', ['snapshot', 'cards', 0, 'utilPct'], 101],
    ['negative memory', ['snapshot', 'cards', 0, 'memUsedMiB'], -1],
    ['temperature below -100', ['snapshot', 'cards', 0, 'tempC'], -101],
    ['power as string', ['snapshot', 'cards', 0, 'powerW'], '300'],
    ['GPU index out of range', ['snapshot', 'cards', 0, 'index'], LIMITS.gpus],
    ['spark of unequal lengths', ['snapshot', 'cards', 0, 'spark', 'util'], [1]],
    ['spark longer than the bound', ['snapshot', 'cards', 0, 'spark'], { t: Array.from({ length: MONITOR_LIMITS.sparkPoints + 1 }, (_, i) => i), util: new Array(MONITOR_LIMITS.sparkPoints + 1).fill(0), mem: new Array(MONITOR_LIMITS.sparkPoints + 1).fill(0) }],
    ['stale as string', ['snapshot', 'stale'], 'no'],
    ['run without id', ['snapshot', 'cards', 0, 'run'], { label: 'x' }],
    ['negative CPU', ['snapshot', 'usage', 'cpuPct'], -1],
    ['reason with a control character', ['snapshot', 'noGpuReason'], 'no\u0007GPU'],
    ['holders missing', ['snapshot', 'cards', 0, 'holders'], DELETE],
    ['a holder without its container', ['snapshot', 'cards', 0, 'holders', 0, 'container'], DELETE],
    ['a holder whose self is a string', ['snapshot', 'cards', 0, 'holders', 0, 'self'], 'yes'],
    ['more holders than the bound', ['snapshot', 'cards', 0, 'holders'], new Array(MONITOR_LIMITS.holdersPerGpu + 1).fill({ environment: null, owner: null, container: 'c', self: false })],
  ])('rejects a gpu snapshot with %s', (_name, path, replacement) => {
    expect(parseMonitorHostMessage(mutate(validHost[2], path as (string | number)[], replacement))).toBeUndefined();
  });

  it.each([
    ['a missing label', ['labels', 'waiting'], DELETE],
    ["a dashboard label", ['labels', 'exportPng'], 'Export PNG'],
    ['a label with a line break', ['labels', 'waiting'], 'a\nb'],
    ['a bad locale', ['locale'], ''],
  ])('rejects an init with %s', (_name, path, replacement) => {
    expect(parseMonitorHostMessage(mutate(validHost[0], path as (string | number)[], replacement))).toBeUndefined();
  });

  it("rejects the dashboard's messages", () => {
    expect(parseMonitorHostMessage({ type: 'runs', runs: [], selectedRuns: [] })).toBeUndefined();
    expect(parseMonitorHostMessage({ type: 'append', seq: 1, series: [], events: [], stats: { lines: 0, rejected: 0, oversized: 0 } })).toBeUndefined();
  });

  it('never throws on arbitrary JSON (fuzz)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.constantFrom(...validHost.map((m) => m.type)), (value, type) => {
        const candidate = typeof value === 'object' && value !== null && !Array.isArray(value) ? { ...value, type } : { type, value };
        expect(() => parseMonitorHostMessage(candidate)).not.toThrow();
      }),
      { numRuns: 2000 },
    );
  });
});
