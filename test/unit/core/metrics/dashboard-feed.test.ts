import { describe, expect, it } from 'vitest';
import { DashboardFeed } from '../../../../src/core/metrics/dashboard-feed';
import type { GpuReading } from '../../../../src/core/metrics/gpu-reading';
import { parseMetricsLine } from '../../../../src/core/metrics/parse-metrics-line';
import { parseDashboardHostMessage, type SeriesData } from '../../../../src/shared/protocol/dashboard';

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
    expect(read.stats).toEqual({ lines: 3, rejected: 0, oversized: 0 });
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
    expect(read.stats).toEqual({ lines: 4, rejected: 1, oversized: 1 });
    expect(read.events).toEqual([{ run: 'r1', time: 2, event: 'checkpoint' }]);
    const message = { type: 'snapshot', seq: 0, runs: feed.runs(), selectedRuns: ['r1'], series: read.series, events: read.events, stats: read.stats };
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
});
