import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LIMITS } from '../../../../src/shared/protocol/common';
import {
  DASHBOARD_LIMITS,
  parseDashboardHostMessage,
  parseDashboardWebviewMessage,
  seriesId,
  type DashboardHostMessage,
  type DashboardWebviewMessage,
} from '../../../../src/shared/protocol/dashboard';
import { DELETE, mutate, XSS } from '../../../support/message-mutation';
import { dashboardInit } from '../../../support/webview-labels';

const PNG = 'data:image/png;base64,iVBORw0KGgo=';

const validWebview: DashboardWebviewMessage[] = [
  { type: 'ready', view: 'dashboard', protocol: 1, selectedRuns: ['run-1'] },
  { type: 'ready', view: 'dashboard', protocol: 1 },
  { type: 'selectRuns', runs: ['a', 'b'] },
  { type: 'selectRuns', runs: [] },
  { type: 'setSmoothing', value: 0.6 },
  { type: 'setScale', scale: 'log' },
  { type: 'exportCsv' },
  { type: 'exportPng', dataUrl: PNG, suggestedName: 'loss chart.png' },
  { type: 'requestSnapshot', reason: 'seq-gap' },
];

const validHost: DashboardHostMessage[] = [
  {
    type: 'snapshot',
    seq: 0,
    runs: [{ id: 'run-1', label: XSS, state: 'running', startTime: 1700000000, env: 'demo' }],
    selectedRuns: ['run-1'],
    series: [
      { key: { kind: 'metric', run: 'run-1', split: 'train', metric: XSS }, t: [1, 2, 2, 3], v: [0.5, null, 0.4, 0.3], nonFinite: 1 },
      { key: { kind: 'gpu', gpu: 0, name: 'H100', metric: 'util' }, t: [1, 2], v: [50, 60], nonFinite: 0 },
    ],
    events: [{ run: 'run-1', time: 1, event: 'resume' }],
    stats: { lines: 10, rejected: 1, oversized: 0, overSeriesLimit: 0 },
    thinned: { series: 0, points: 0 },
  },
  { type: 'append', seq: 5, series: [], events: [], stats: { lines: 0, rejected: 0, oversized: 0, overSeriesLimit: 0 } },
  { type: 'runs', runs: [], selectedRuns: [] },
  dashboardInit('zh-cn', { smoothing: 0, scale: 'linear' }),
  dashboardInit('en', { smoothing: 0.999, scale: 'log' }),
];

describe('parseDashboardWebviewMessage', () => {
  it.each(validWebview)('accepts $type', (message) => {
    expect(parseDashboardWebviewMessage(message)).toEqual(message);
  });

  it.each([
    ['not an object', 'ready'],
    ['null', null],
    ['array', [{ type: 'ready' }]],
    ['unknown type', { type: 'rm -rf' }],
    ['prototype key as type', { type: 'toString' }],
    ['ready without view', mutate(validWebview[0], ['view'], DELETE)],
    ['ready with wrong view', mutate(validWebview[0], ['view'], 'panel')],
    ["the monitor's ready", { type: 'ready', view: 'monitor', protocol: 1 }],
    ["the monitor's openDashboard", { type: 'openDashboard', run: null }],
    ['ready with fractional protocol', mutate(validWebview[0], ['protocol'], 1.5)],
    ['selectRuns with a number', { type: 'selectRuns', runs: [1] }],
    ['selectRuns with an empty id', { type: 'selectRuns', runs: [''] }],
    ['selectRuns with a control character', { type: 'selectRuns', runs: ['a\nb'] }],
    ['selectRuns with an over-long id', { type: 'selectRuns', runs: ['x'.repeat(LIMITS.idChars + 1)] }],
    ['selectRuns with too many runs', { type: 'selectRuns', runs: Array.from({ length: DASHBOARD_LIMITS.runs + 1 }, (_, i) => `r${i}`) }],
    ['selectRuns not an array', { type: 'selectRuns', runs: 'a' }],
    ['smoothing above the maximum', { type: 'setSmoothing', value: 1 }],
    ['smoothing negative', { type: 'setSmoothing', value: -0.1 }],
    ['smoothing NaN', { type: 'setSmoothing', value: NaN }],
    ['smoothing as string', { type: 'setSmoothing', value: '0.5' }],
    ['unknown scale', { type: 'setScale', scale: 'symlog' }],
    ['png of another type', { type: 'exportPng', dataUrl: 'data:image/svg+xml;base64,PHN2Zz4=', suggestedName: 'a.png' }],
    ['png with script payload', { type: 'exportPng', dataUrl: 'javascript:alert(1)', suggestedName: 'a.png' }],
    ['png with bad base64', { type: 'exportPng', dataUrl: 'data:image/png;base64,@@@', suggestedName: 'a.png' }],
    ['png too large', { type: 'exportPng', dataUrl: PNG.padEnd(DASHBOARD_LIMITS.dataUrlChars + 1, 'A'), suggestedName: 'a.png' }],
    ['png name with a path', { type: 'exportPng', dataUrl: PNG, suggestedName: '../../.bashrc' }],
    ['png name hidden file', { type: 'exportPng', dataUrl: PNG, suggestedName: '.bashrc' }],
    ['png without name', { type: 'exportPng', dataUrl: PNG }],
    ['snapshot reason unknown', { type: 'requestSnapshot', reason: 'because' }],
  ])('rejects %s', (_name, message) => {
    expect(parseDashboardWebviewMessage(message)).toBeUndefined();
  });

  it('never throws and never accepts an object without a known type (fuzz)', () => {
    fc.assert(
      fc.property(fc.anything(), (x) => {
        const parsed = parseDashboardWebviewMessage(x);
        if (parsed !== undefined) expect(validWebview.map((m) => m.type)).toContain(parsed.type);
      }),
      { numRuns: 2000 },
    );
  });

  it('rejects any single field replaced by a value of another type (fuzz)', () => {
    const withFields = validWebview.filter((m) => Object.keys(m).length > 1);
    const wrong = fc.oneof(fc.constant(null), fc.integer(), fc.constant({}), fc.constant([{}]), fc.constant(true), fc.constant(undefined));
    fc.assert(
      fc.property(fc.constantFrom(...withFields), wrong, fc.nat(), (message, replacement, pick) => {
        const fields = Object.keys(message).filter((k) => k !== 'type');
        const field = fields[pick % fields.length]!;
        const original = (message as unknown as Record<string, unknown>)[field];
        // Skip replacements the schema allows for that field (absent optional selection).
        fc.pre(!(field === 'selectedRuns' && replacement === undefined));
        fc.pre(!(field === 'protocol' && typeof replacement === 'number' && replacement >= 0));
        fc.pre(!(field === 'value' && replacement === 0));
        fc.pre(JSON.stringify(original) !== JSON.stringify(replacement));
        expect(parseDashboardWebviewMessage(mutate(message, [field], replacement))).toBeUndefined();
      }),
      { numRuns: 1000 },
    );
  });

  it('keeps markup in names as data (the webview must insert it as text)', () => {
    expect(parseDashboardWebviewMessage({ type: 'selectRuns', runs: [XSS] })).toEqual({ type: 'selectRuns', runs: [XSS] });
  });
});

describe('parseDashboardHostMessage', () => {
  it.each(validHost)('accepts $type', (message) => {
    expect(parseDashboardHostMessage(message)).toEqual(message);
  });

  const snapshot = validHost[0]!;
  it.each([
    ['negative seq', ['seq'], -1],
    ['fractional seq', ['seq'], 0.5],
    ['unknown run state', ['runs', 0, 'state'], 'exploded'],
    ['run without label', ['runs', 0, 'label'], DELETE],
    ['start time as string', ['runs', 0, 'startTime'], '2024'],
    ['unknown split', ['series', 0, 'key', 'split'], 'holdout'],
    ['unknown key kind', ['series', 0, 'key', 'kind'], 'other'],
    ['empty metric name', ['series', 0, 'key', 'metric'], ''],
    ['over-long metric name', ['series', 0, 'key', 'metric'], 'm'.repeat(DASHBOARD_LIMITS.metricNameChars + 1)],
    ['t and v of different length', ['series', 0, 'v'], [1, 2]],
    ['time going backwards', ['series', 0, 't'], [1, 3, 2, 4]],
    ['NaN in values', ['series', 0, 'v'], [1, NaN, 2, 3]],
    ['string in values', ['series', 0, 'v'], [1, 'NaN', 2, 3]],
    ['Infinity in times', ['series', 0, 't'], [1, 2, 3, Infinity]],
    ['GPU index out of range', ['series', 1, 'key', 'gpu'], LIMITS.gpus],
    ['unknown GPU metric', ['series', 1, 'key', 'metric'], 'fan'],
    ['unknown event', ['events', 0, 'event'], 'crash'],
    ['missing stats', ['stats'], DELETE],
    ['negative counter', ['stats', 'rejected'], -1],
  ])('rejects a snapshot with %s', (_name, path, replacement) => {
    expect(parseDashboardHostMessage(mutate(snapshot, path as (string | number)[], replacement))).toBeUndefined();
  });

  const init = dashboardInit('zh-cn');
  it.each([
    ['a missing label', ['labels', 'exportPng'], DELETE],
    ['an unknown label', ['labels', 'madeUp'], 'x'],
    ['an empty label', ['labels', 'runs'], ''],
    ['a label with a control character', ['labels', 'runs'], 'Runs\u001b[31m'],
    ['an over-long label', ['labels', 'runs'], 'x'.repeat(LIMITS.textChars + 1)],
    ['a label that is not text', ['labels', 'runs'], 7],
    ['labels as an array', ['labels'], ['Runs']],
    ['no locale', ['locale'], DELETE],
    ['a locale that is not a language tag', ['locale'], 'zh cn"><script>'],
    ['smoothing above the maximum', ['config', 'smoothing'], 1],
    ['no config', ['config'], DELETE],
  ])('rejects an init with %s', (_name, path, replacement) => {
    expect(parseDashboardHostMessage(mutate(init, path as (string | number)[], replacement))).toBeUndefined();
  });

  it('rejects series longer than the bound', () => {
    const n = DASHBOARD_LIMITS.pointsPerSeries + 1;
    const long = { ...snapshot, series: [{ key: { kind: 'gpu', gpu: 0, name: '', metric: 'util' }, t: Array.from({ length: n }, (_, i) => i), v: new Array(n).fill(0), nonFinite: 0 }] };
    expect(parseDashboardHostMessage(long)).toBeUndefined();
  });

  it("rejects the monitor's gpu message", () => {
    expect(parseDashboardHostMessage({ type: 'gpu', snapshot: { time: null, env: null, cards: [], usage: null, noGpuReason: null, stale: false } })).toBeUndefined();
  });

  it('round-trips generated snapshots through JSON (fuzz)', () => {
    // eslint-disable-next-line no-control-regex -- names with control characters are what the validator refuses
    const name = fc.string({ minLength: 1, maxLength: 40 }).filter((s) => !/[\u0000-\u001f\u007f-\u009f]/.test(s) || s.includes('\t'));
    const points = fc.array(fc.tuple(fc.double({ min: 0, max: 2e9, noNaN: true }), fc.option(fc.double({ noNaN: true, noDefaultInfinity: true }))), { maxLength: 50 });
    const series = fc.record({
      run: name,
      split: fc.constantFrom('train' as const, 'val' as const, 'test' as const),
      metric: name,
      points,
    });
    fc.assert(
      fc.property(fc.array(series, { maxLength: 5 }), fc.nat(), (list, seq) => {
        // eslint-disable-next-line no-control-regex -- as above: such names do not round-trip, by design
        fc.pre(list.every((s) => !/[\u0000-\u0008\u000a-\u001f\u007f-\u009f]/.test(s.run + s.metric)));
        const message: DashboardHostMessage = {
          type: 'append',
          seq,
          series: list.map((s) => {
            const sorted = [...s.points].sort((a, b) => a[0] - b[0]);
            return { key: { kind: 'metric', run: s.run, split: s.split, metric: s.metric }, t: sorted.map((p) => p[0]), v: sorted.map((p) => (p[1] === 0 ? 0 : p[1])) /* -0 becomes 0 */, nonFinite: 0 };
          }),
          events: [],
          stats: { lines: 0, rejected: 0, oversized: 0, overSeriesLimit: 0 },
        };
        expect(parseDashboardHostMessage(JSON.parse(JSON.stringify(message)) as unknown)).toEqual(JSON.parse(JSON.stringify(message)));
      }),
      { numRuns: 300 },
    );
  });

  it('never throws on arbitrary JSON (fuzz)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.constantFrom(...validHost.map((m) => m.type)), (value, type) => {
        const candidate = typeof value === 'object' && value !== null && !Array.isArray(value) ? { ...value, type } : { type, value };
        expect(() => parseDashboardHostMessage(candidate)).not.toThrow();
      }),
      { numRuns: 2000 },
    );
  });
});

describe('seriesId', () => {
  it('tells apart keys that would collide when joined naively', () => {
    const a = seriesId({ kind: 'metric', run: 'a', split: 'train', metric: 'b\u0000val' });
    const b = seriesId({ kind: 'metric', run: 'a', split: 'train', metric: 'b' });
    expect(a).not.toBe(b);
    expect(seriesId({ kind: 'gpu', gpu: 0, name: 'x', metric: 'util' })).toBe(seriesId({ kind: 'gpu', gpu: 0, name: 'y', metric: 'util' }));
  });
});
