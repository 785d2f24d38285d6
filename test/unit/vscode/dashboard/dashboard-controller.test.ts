import { describe, expect, it } from 'vitest';
import { DashboardFeed } from '../../../../src/vscode/dashboard/dashboard-feed';
import { parseMetricsLine } from '../../../../src/core/metrics/parse-metrics-line';
import { parseDashboardHostMessage, type DashboardHostMessage } from '../../../../src/shared/protocol/dashboard';
import { DashboardController, defaultSelection, PREFERENCES_KEY, type ExportTarget } from '../../../../src/vscode/dashboard/dashboard-controller';
import type { KeyValueStore } from '../../../../src/vscode/ui';
import type { WebviewPort } from '../../../../src/vscode/webview/webview-port';
import { FakeClock } from '../../../support/fake-clock';
import { MemoryStore } from '../../../support/extension-fakes';
import { dashboardLabels } from '../../../support/webview-labels';

const line = (step: number): string => `{"v":1,"time":${1000 + step},"step":${step},"split":"train","loss":${1 / (step + 1)}}`;
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);

function setup(options: { visible?: boolean; delivered?: boolean } = {}) {
  const clock = new FakeClock();
  const feed = new DashboardFeed();
  feed.setRuns([
    { id: 'old', label: 'old', state: 'succeeded', startTime: 10, env: null },
    { id: 'live', label: 'live', state: 'running', startTime: 5, env: null },
  ]);
  const sent: DashboardHostMessage[] = [];
  let receive: (m: unknown) => unknown = () => undefined;
  const port: WebviewPort<DashboardHostMessage> = {
    postMessage: (m) => {
      // Everything the host posts must pass the webview's validator, through JSON.
      expect(parseDashboardHostMessage(JSON.parse(JSON.stringify(m)))).toBeDefined();
      sent.push(m);
      return Promise.resolve(options.delivered ?? true);
    },
    onDidReceiveMessage: (listener) => {
      receive = listener;
      return { dispose: () => (receive = () => undefined) };
    },
  };
  const stored = new Map<string, unknown>();
  const preferences: KeyValueStore = { get: (k) => stored.get(k), update: async (k, v) => void stored.set(k, v) };
  const saved: { kind: string; name: string; data: Uint8Array }[] = [];
  const exporter: ExportTarget = { save: async (kind, name, data) => (saved.push({ kind, name, data }), `/tmp/${name}`) };
  const errors: string[] = [];
  const labels = dashboardLabels('zh-cn');
  const controller = new DashboardController({ source: feed, port, preferences, exporter, labels, locale: 'zh-cn', visible: options.visible ?? true, clock, onError: (e) => errors.push(e) });
  const post = async (m: unknown): Promise<void> => {
    receive(m);
    await new Promise((r) => setTimeout(r, 0));
  };
  return { clock, feed, sent, post, stored, saved, errors, controller, labels };
}

describe('DashboardController', () => {
  it('sends nothing before the webview is ready, then its labels and settings, and a snapshot of the default run', async () => {
    const { clock, feed, sent, post, stored, labels } = setup();
    stored.set(PREFERENCES_KEY, { smoothing: 0.3, scale: 'log' });
    feed.ingest('live', parseMetricsLine(line(0)));
    clock.advance(1000);
    expect(sent).toEqual([]);
    await post({ type: 'ready', view: 'dashboard', protocol: 1 });
    clock.advance(0);
    expect(sent.map((m) => m.type)).toEqual(['init', 'snapshot']);
    expect(sent[0]).toEqual({ type: 'init', locale: 'zh-cn', labels, config: { smoothing: 0.3, scale: 'log' } });
    expect(sent[1]).toMatchObject({ type: 'snapshot', seq: 0, selectedRuns: ['live'] });
  });

  it('streams appends with consecutive sequence numbers, at most 10 per second', async () => {
    const { clock, feed, sent, post } = setup();
    await post({ type: 'ready', view: 'dashboard', protocol: 1, selectedRuns: ['live'] });
    clock.advance(0);
    for (let step = 1; step <= 100; step++) {
      feed.ingest('live', parseMetricsLine(line(step)));
      clock.advance(10);
    }
    clock.advance(200);
    const appends = sent.filter((m) => m.type === 'append');
    expect(appends.length).toBeLessThanOrEqual(11);
    expect(appends.map((m) => m.seq)).toEqual(appends.map((_, i) => i + 1));
    const points = appends.flatMap((m) => (m.type === 'append' ? m.series.flatMap((s) => s.t) : []));
    expect(points).toEqual(Array.from({ length: 100 }, (_, i) => 1001 + i));
  });

  it('while hidden sends nothing; shown again, the new page gets one snapshot after ready', async () => {
    const { clock, feed, sent, post, controller } = setup();
    await post({ type: 'ready', view: 'dashboard', protocol: 1 });
    clock.advance(0);
    controller.setVisible(false);
    const before = sent.length;
    for (let step = 0; step < 50; step++) feed.ingest('live', parseMetricsLine(line(step)));
    clock.advance(5000);
    expect(sent.length).toBe(before);
    controller.setVisible(true);
    clock.advance(1000);
    expect(sent.length).toBe(before); // the page was discarded: wait for it to load
    await post({ type: 'ready', view: 'dashboard', protocol: 1 });
    clock.advance(0);
    expect(sent.slice(before).map((m) => m.type)).toEqual(['init', 'snapshot']);
    const snapshot = sent.at(-1)!;
    expect(snapshot.type === 'snapshot' && snapshot.series[0]!.t).toHaveLength(50);
  });

  it('answers selectRuns and requestSnapshot with a snapshot, and remembers smoothing and scale', async () => {
    const { clock, sent, post, stored } = setup();
    await post({ type: 'ready', view: 'dashboard', protocol: 1 });
    clock.advance(0);
    await post({ type: 'selectRuns', runs: ['old', 'live', 'old'] });
    clock.advance(200);
    expect(sent.at(-1)).toMatchObject({ type: 'snapshot', selectedRuns: ['old', 'live'] });
    await post({ type: 'requestSnapshot', reason: 'seq-gap' });
    clock.advance(200);
    expect(sent.at(-1)!.type).toBe('snapshot');
    await post({ type: 'setSmoothing', value: 0.8 });
    await post({ type: 'setScale', scale: 'log' });
    expect(stored.get(PREFERENCES_KEY)).toEqual({ smoothing: 0.8, scale: 'log' });
  });

  it('ignores and reports invalid messages', async () => {
    const { sent, post, errors, controller, stored } = setup();
    await post({ type: 'setSmoothing', value: 7 });
    await post({ type: 'exportPng', dataUrl: 'javascript:alert(1)', suggestedName: 'x.png' });
    await post('ready');
    expect(controller.rejectedMessages).toBe(3);
    expect(errors).toHaveLength(3);
    expect(sent).toEqual([]);
    expect(stored.size).toBe(0);
  });

  it('exports PNG bytes and CSV text through the export target', async () => {
    const { feed, post, saved, errors } = setup();
    feed.ingest('live', parseMetricsLine(line(0)));
    await post({ type: 'ready', view: 'dashboard', protocol: 1, selectedRuns: ['live'] });
    await post({ type: 'exportPng', dataUrl: `data:image/png;base64,${PNG.toString('base64')}`, suggestedName: 'charts' });
    await post({ type: 'exportCsv' });
    await post({ type: 'exportPng', dataUrl: `data:image/png;base64,${Buffer.from('GIF89a').toString('base64')}`, suggestedName: 'fake.png' });
    expect(saved.map((s) => [s.kind, s.name])).toEqual([
      ['png', 'charts.png'],
      ['csv', 'gpu-env-metrics-live.csv'],
    ]);
    expect(Buffer.from(saved[0]!.data)).toEqual(PNG);
    expect(Buffer.from(saved[1]!.data).toString()).toContain('live,train,loss,0,1000');
    expect(errors).toEqual(['dashboard: the exported image is not a PNG']);
  });

  it('sends a snapshot next when a message was not delivered', async () => {
    const { clock, feed, sent, post } = setup({ delivered: false });
    await post({ type: 'ready', view: 'dashboard', protocol: 1 });
    clock.advance(0);
    await new Promise((r) => setTimeout(r, 0));
    feed.ingest('live', parseMetricsLine(line(1)));
    clock.advance(200);
    expect(sent.filter((m) => m.type === 'append')).toHaveLength(0);
    expect(sent.filter((m) => m.type === 'snapshot').length).toBeGreaterThanOrEqual(2);
  });

  it('defaults to the newest running run, else the newest run', () => {
    expect(defaultSelection([])).toEqual([]);
    expect(defaultSelection([{ id: 'a', label: 'a', state: 'failed', startTime: 1, env: null }, { id: 'b', label: 'b', state: 'stopped', startTime: 2, env: null }])).toEqual(['b']);
  });
});

describe('DashboardController on a re-attach, newest first', () => {
  it('sends the newest points in its first snapshot, and the full history in a later one once it is read', async () => {
    const { clock, feed, sent, post } = setup();
    const stepsOf = (m: DashboardHostMessage | undefined): number[] => (m?.type === 'snapshot' ? m.series.find((s) => s.key.kind === 'metric' && s.key.metric === 'loss')?.t.map((t) => t - 1000) ?? [] : []);
    // The tail hands out the end of the file first; the history is read behind it.
    feed.ingestLines('live', [97, 98, 99].map((step) => parseMetricsLine(line(step))));
    const history = feed.beginHistory('live');
    await post({ type: 'ready', view: 'dashboard', protocol: 1, selectedRuns: ['live'] });
    clock.advance(0);
    const first = sent.find((m) => m.type === 'snapshot');
    expect(stepsOf(first)).toEqual([97, 98, 99]);
    history.ingest(Array.from({ length: 97 }, (_, step) => parseMetricsLine(line(step))));
    clock.advance(1000);
    expect(sent.filter((m) => m.type === 'snapshot' || m.type === 'append')).toEqual([first]);
    feed.ingestLines('live', [parseMetricsLine(line(100))]);
    clock.advance(1000);
    history.complete();
    clock.advance(1000);
    const snapshots = sent.filter((m) => m.type === 'snapshot');
    expect(snapshots).toHaveLength(2);
    expect(stepsOf(snapshots[1])).toEqual(Array.from({ length: 101 }, (_, i) => i));
    expect(sent.indexOf(snapshots[1]!)).toBeGreaterThan(sent.indexOf(first!));
  });
});

describe('dashboard selection', () => {
  it('tells the host which runs are shown, and none when the panel goes away', () => {
    const feed = new DashboardFeed();
    const seen: Array<readonly string[]> = [];
    const controller = new DashboardController({
      source: feed,
      port: { postMessage: async () => true, onDidReceiveMessage: () => ({ dispose: () => undefined }) },
      preferences: new MemoryStore(),
      exporter: { save: async () => undefined },
      labels: dashboardLabels(),
      locale: 'en',
      visible: false,
      initialRuns: ['a'],
      onSelectionChange: (runs) => void seen.push(runs),
    });
    controller.selectRuns(['a']);
    controller.selectRuns(['a', 'b']);
    controller.dispose();
    expect(seen).toEqual([['a'], ['a', 'b'], []]);
  });
});
