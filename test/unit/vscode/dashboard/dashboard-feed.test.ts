import { describe, expect, it } from 'vitest';
import { DashboardFeed, DEFAULT_FEED_OPTIONS } from '../../../../src/vscode/dashboard/dashboard-feed';
import type { GpuReading } from '../../../../src/shared/gpu-reading';
import { parseMetricsLine } from '../../../../src/core/metrics/parse-metrics-line';
import { DASHBOARD_LIMITS, parseDashboardHostMessage, type SeriesData } from '../../../../src/shared/protocol/dashboard';

const line = (step: number, split = 'train', extra = ''): string => `{"v":1,"time":${1000 + step},"step":${step},"split":"${split}","loss":${1 / (step + 1)},"accuracy":${step / 100}${extra}}`;

function gpuReading(time: number, util: number | null): GpuReading {
  return {
    time,
    env: 'demo',
    devices: [{ index: 0, name: 'H100', utilPct: util, memUsedMiB: 1000, memTotalMiB: 4000, tempC: 50, powerW: 100, powerLimitW: 700, runId: 'r1' }],
    cpuPct: 10,
    memUsedMiB: 1,
    memTotalMiB: 2,
    noGpuReason: null,
  };
}

const find = (series: readonly SeriesData[], metric: string, split = 'train'): SeriesData | undefined =>
  series.find((s) => s.key.kind === 'metric' && s.key.metric === metric && s.key.split === split);

describe('DashboardFeed', () => {
  it('turns metric lines into per-run series and snapshots only the selected runs', () => {
    const feed = new DashboardFeed();
    for (let i = 0; i < 3; i++) feed.ingest('r1', parseMetricsLine(line(i)));
    feed.ingest('r2', parseMetricsLine(line(0)));
    const read = feed.snapshot(['r1']);
    expect(find(read.series, 'loss')!.t).toEqual([1000, 1001, 1002]);
    expect(read.series.filter((s) => s.key.kind === 'metric' && s.key.run === 'r2')).toHaveLength(0);
    expect(read.stats).toEqual({ lines: 3, rejected: 0, oversized: 0, overSeriesLimit: 0 });
  });

  it('serves deltas after a cursor, and a new snapshot when the selection changes', () => {
    const feed = new DashboardFeed();
    feed.ingest('r1', parseMetricsLine(line(0)));
    const first = feed.snapshot(['r1']);
    feed.ingest('r1', parseMetricsLine(line(1)));
    feed.ingest('r1', parseMetricsLine(line(1, 'val')));
    const delta = feed.changesSince(first.cursor, ['r1'])!;
    expect(find(delta.series, 'loss')!.t).toEqual([1001]);
    expect(find(delta.series, 'loss', 'val')!.t).toEqual([1001]);
    expect(feed.changesSince(delta.cursor, ['r1'])!.series).toHaveLength(0);
    expect(feed.changesSince(first.cursor, ['r1', 'r2'])).toBeUndefined();
  });

  it('sends non-finite values as null and counts them; the snapshot passes the protocol validator', () => {
    const feed = new DashboardFeed();
    feed.ingest('r1', parseMetricsLine('{"v":1,"time":1,"step":1,"split":"train","loss":"NaN","<img src=x onerror=alert(1)>":"Infinity"}'));
    feed.ingest('r1', parseMetricsLine('not json'));
    feed.ingest('r1', { kind: 'rejected', reason: 'too-long' });
    feed.ingest('r1', parseMetricsLine('{"v":1,"time":2,"event":"checkpoint"}'));
    const read = feed.snapshot(['r1']);
    expect(find(read.series, 'loss')).toMatchObject({ v: [null], nonFinite: 1 });
    expect(read.stats).toEqual({ lines: 4, rejected: 1, oversized: 1, overSeriesLimit: 0 });
    expect(read.events).toEqual([{ run: 'r1', time: 2, event: 'checkpoint' }]);
    const message = { type: 'snapshot', seq: 0, runs: feed.runs(), selectedRuns: ['r1'], series: read.series, events: read.events, stats: read.stats, thinned: read.thinned };
    expect(parseDashboardHostMessage(JSON.parse(JSON.stringify(message)))).toBeDefined();
  });

  it('keeps each series in time order even when the clock steps back', () => {
    const feed = new DashboardFeed();
    feed.ingest('r1', parseMetricsLine('{"v":1,"time":10,"step":1,"split":"train","loss":1}'));
    feed.ingest('r1', parseMetricsLine('{"v":1,"time":5,"step":2,"split":"train","loss":2}'));
    expect(find(feed.snapshot(['r1']).series, 'loss')!.t).toEqual([10, 10]);
  });

  it('records GPU utilisation and memory percent, with a null gap where samples stopped', () => {
    const feed = new DashboardFeed();
    feed.ingestGpu(gpuReading(100, 50));
    feed.ingestGpu(gpuReading(101, null));
    feed.ingestGpu(gpuReading(120, 70));
    const read = feed.snapshot([]);
    const util = read.series.find((s) => s.key.kind === 'gpu' && s.key.metric === 'util')!;
    const mem = read.series.find((s) => s.key.kind === 'gpu' && s.key.metric === 'mem')!;
    expect(util.t).toEqual([100, 101, 110.5, 120]);
    expect(util.v).toEqual([50, null, null, 70]);
    expect(mem.v).toEqual([25, 25, null, 25]);
  });

  it('forgets a run whose file was reset and invalidates cursors', () => {
    const feed = new DashboardFeed();
    feed.ingest('r1', parseMetricsLine(line(0)));
    const read = feed.snapshot(['r1']);
    feed.resetRun('r1');
    expect(feed.changesSince(read.cursor, ['r1'])).toBeUndefined();
    expect(feed.snapshot(['r1']).series).toHaveLength(0);
  });

  it('notifies listeners of data and run changes, and writes CSV of the selected runs', () => {
    const feed = new DashboardFeed();
    const changes: string[] = [];
    const sub = feed.onDidChange((c) => changes.push(c));
    feed.setRuns([{ id: 'r1', label: 'Run one', state: 'running', startTime: 1000, env: '' }]);
    feed.ingest('r1', parseMetricsLine(line(0)));
    sub.dispose();
    feed.ingest('r1', parseMetricsLine(line(1)));
    expect(changes).toEqual(['runs', 'data']);
    expect(feed.runs()[0]!.env).toBeNull();
    const csv = feed.csv(['r1']).split('\r\n');
    expect(csv).toContain('Run one,train,loss,1,1001,1970-01-01T00:16:41.000Z,0.5');
    expect(csv).toHaveLength(1 + 4 + 1);
  });

  it('joins a history read late in front of the live points, in one change that needs a snapshot', () => {
    const feed = new DashboardFeed();
    const changes: string[] = [];
    feed.onDidChange((c) => changes.push(c));
    feed.ingestLines('r1', [150, 151, 152].map((step) => parseMetricsLine(line(step))));
    feed.ingest('r1', parseMetricsLine('{"v":1,"time":1152,"event":"checkpoint"}'));
    const before = feed.snapshot(['r1']);
    const fill = feed.beginHistory('r1');
    changes.length = 0;
    fill.ingest([parseMetricsLine('{"v":1,"time":999,"event":"start"}'), ...[0, 1, 2].map((step) => parseMetricsLine(line(step))), parseMetricsLine('bad')]);
    fill.ingest([parseMetricsLine(line(3, 'val'))]);
    // Nothing of the history shows until it is complete.
    expect(changes).toEqual([]);
    expect(feed.changesSince(before.cursor, ['r1'])!.series).toEqual([]);
    fill.complete();
    expect(changes).toEqual(['data']);
    expect(feed.changesSince(before.cursor, ['r1'])).toBeUndefined();
    const after = feed.snapshot(['r1']);
    expect(find(after.series, 'loss')!.t).toEqual([1000, 1001, 1002, 1150, 1151, 1152]);
    expect(find(after.series, 'loss', 'val')!.t).toEqual([1003]);
    expect(after.events.map((e) => e.event)).toEqual(['start', 'checkpoint']);
    expect(after.stats).toEqual({ lines: 10, rejected: 1, oversized: 0, overSeriesLimit: 0 });
    // Live lines after the merge land behind everything.
    feed.ingest('r1', parseMetricsLine(line(153)));
    expect(find(feed.changesSince(after.cursor, ['r1'])!.series, 'loss')!.t).toEqual([1153]);
  });

  it('drops a history that was abandoned, replaced by a newer one, or outlived by a reset', () => {
    const feed = new DashboardFeed();
    feed.ingest('r1', parseMetricsLine(line(10)));
    const abandoned = feed.beginHistory('r1');
    abandoned.ingest([parseMetricsLine(line(0))]);
    abandoned.abandon();
    abandoned.complete();
    expect(find(feed.snapshot(['r1']).series, 'loss')!.t).toEqual([1010]);
    const older = feed.beginHistory('r1');
    const newer = feed.beginHistory('r1');
    older.ingest([parseMetricsLine(line(1))]);
    older.complete();
    expect(find(feed.snapshot(['r1']).series, 'loss')!.t).toEqual([1010]);
    feed.resetRun('r1');
    newer.ingest([parseMetricsLine(line(2))]);
    newer.complete();
    expect(feed.snapshot(['r1']).series).toHaveLength(0);
  });

  it('keeps extremes and the non-finite count when a long live part is joined to a history', () => {
    const limits = { recent: 8, old: 8 };
    const feed = new DashboardFeed({ ...DEFAULT_FEED_OPTIONS, seriesLimits: limits, maxEvents: 10 });
    const at = (step: number, loss: number | string): string => `{"v":1,"time":${step},"step":${step},"split":"train","loss":${JSON.stringify(loss)}}`;
    feed.ingestLines('r1', Array.from({ length: 100 }, (_, i) => parseMetricsLine(at(100 + i, i === 20 ? 50 : i === 30 ? 'NaN' : 1))));
    const fill = feed.beginHistory('r1');
    fill.ingest(Array.from({ length: 100 }, (_, i) => parseMetricsLine(at(i, i === 7 ? -50 : 1))));
    fill.complete();
    const loss = find(feed.snapshot(['r1']).series, 'loss')!;
    expect(Math.max(...loss.v.map((v) => v ?? -Infinity))).toBe(50);
    expect(Math.min(...loss.v.map((v) => v ?? Infinity))).toBe(-50);
    expect(loss.nonFinite).toBe(1);
    expect(loss.t[loss.t.length - 1]).toBe(199);
    for (let i = 1; i < loss.t.length; i++) expect(loss.t[i]).toBeGreaterThanOrEqual(loss.t[i - 1]!);
  });

  describe('bounded in series and in points (issue 16 defect 14)', () => {
    const snapshotMessage = (feed: DashboardFeed, runs: string[]) => {
      const read = feed.snapshot(runs);
      return { read, message: { type: 'snapshot', seq: 0, runs: feed.runs(), selectedRuns: runs, series: read.series, events: read.events, stats: read.stats, thinned: read.thinned } };
    };

    it('a snapshot of more points than one message may carry still passes the webview\'s validator, thinned, peaks kept, and says so', () => {
      // 180 series of 30,000 points (the store's default limits, every series full): 5.4M points.
      const feed = new DashboardFeed();
      const names = Array.from({ length: 60 }, (_, i) => `m${i}`);
      for (const split of ['train', 'val', 'test']) {
        feed.ingestLines('r1', Array.from({ length: 30_000 }, (_, step) => parseMetricsLine(
          `{"v":1,"time":${step},"step":${step},"split":"${split}",${names.map((n, i) => `"${n}":${step === 12_345 && i === 3 ? 1e6 : (step % 7) + i}`).join(',')}}`,
        )));
      }
      const { read, message } = snapshotMessage(feed, ['r1']);
      const sent = read.series.reduce((sum, s) => sum + s.t.length, 0);
      expect(read.series).toHaveLength(180);
      expect(sent).toBeLessThanOrEqual(DEFAULT_FEED_OPTIONS.snapshotPoints);
      expect(sent).toBeLessThanOrEqual(DASHBOARD_LIMITS.pointsPerMessage);
      // What the feed holds (recent points exact, older ones compacted) is more than a message may carry.
      expect(read.thinned.series).toBe(0);
      expect(sent + read.thinned.points).toBeGreaterThan(DASHBOARD_LIMITS.pointsPerMessage);
      expect(parseDashboardHostMessage(message)).toBeDefined();
      const spiky = find(read.series, 'm3')!;
      expect(Math.max(...spiky.v.map((v) => v ?? -Infinity))).toBe(1e6);
      expect(spiky.t.at(-1)).toBe(29_999);
      for (let i = 1; i < spiky.t.length; i++) expect(spiky.t[i]).toBeGreaterThanOrEqual(spiky.t[i - 1]!);
    });

    it('a run that logs a new metric name every step holds at most its share of series, and counts the values it dropped', () => {
      const feed = new DashboardFeed();
      feed.ingestLines('r1', Array.from({ length: 5000 }, (_, step) => parseMetricsLine(`{"v":1,"time":${step},"step":${step},"split":"train","loss":1,"layer_${step}":2}`)));
      feed.ingest('r2', parseMetricsLine(line(0)));
      const { read, message } = snapshotMessage(feed, ['r1', 'r2']);
      const r1 = read.series.filter((s) => s.key.kind === 'metric' && s.key.run === 'r1');
      expect(r1).toHaveLength(DEFAULT_FEED_OPTIONS.maxMetricSeriesPerRun);
      expect(find(r1, 'loss')!.t).toHaveLength(5000);
      // Another run still gets its series.
      expect(find(read.series.filter((s) => s.key.kind === 'metric' && s.key.run === 'r2'), 'accuracy')).toBeDefined();
      expect(read.stats.overSeriesLimit).toBe(5000 - (DEFAULT_FEED_OPTIONS.maxMetricSeriesPerRun - 1));
      expect(parseDashboardHostMessage(message)).toBeDefined();
    });

    it('caps series in all across runs; a reset run frees its places', () => {
      const feed = new DashboardFeed({ ...DEFAULT_FEED_OPTIONS, maxMetricSeries: 6, maxMetricSeriesPerRun: 4 });
      for (const run of ['a', 'b', 'c']) feed.ingest(run, parseMetricsLine('{"v":1,"time":1,"step":1,"split":"train","x":1,"y":2,"z":3}'));
      const counted = (runs: string[]) => feed.snapshot(runs).series.filter((s) => s.key.kind === 'metric').length;
      expect([counted(['a']), counted(['b']), counted(['c'])]).toEqual([3, 3, 0]);
      expect(feed.snapshot(['c']).stats.overSeriesLimit).toBe(3);
      feed.resetRun('a');
      feed.ingest('c', parseMetricsLine('{"v":1,"time":2,"step":2,"split":"train","x":1,"y":2,"z":3}'));
      expect(counted(['c'])).toBe(3);
    });

    it('a history over the cap is counted, not kept', () => {
      const feed = new DashboardFeed({ ...DEFAULT_FEED_OPTIONS, maxMetricSeries: 2, maxMetricSeriesPerRun: 2 });
      feed.ingest('r1', parseMetricsLine('{"v":1,"time":10,"step":10,"split":"train","x":1}'));
      const fill = feed.beginHistory('r1');
      fill.ingest([parseMetricsLine('{"v":1,"time":1,"step":1,"split":"train","x":0,"y":5,"z":6}')]);
      fill.complete();
      const read = feed.snapshot(['r1']);
      expect(read.series.map((s) => (s.key.kind === 'metric' ? s.key.metric : '')).sort()).toEqual(['x', 'y']);
      expect(read.stats.overSeriesLimit).toBe(1);
    });

    it('changes too big for one message are not sent as an append: the viewer gets a (bounded) snapshot', () => {
      const feed = new DashboardFeed({ ...DEFAULT_FEED_OPTIONS, snapshotPoints: 100 });
      feed.ingest('r1', parseMetricsLine(line(0)));
      const first = feed.snapshot(['r1']);
      feed.ingestLines('r1', Array.from({ length: 40 }, (_, i) => parseMetricsLine(line(i + 1))));
      expect(feed.changesSince(first.cursor, ['r1'])).toBeDefined();
      feed.ingestLines('r1', Array.from({ length: 40 }, (_, i) => parseMetricsLine(line(i + 41))));
      expect(feed.changesSince(first.cursor, ['r1'])).toBeUndefined();
      const again = feed.snapshot(['r1']);
      expect(again.series.reduce((sum, s) => sum + s.t.length, 0)).toBeLessThanOrEqual(100);
      expect(again.thinned.points).toBe(2 * 81 - again.series.reduce((sum, s) => sum + s.t.length, 0));
    });
  });
});

