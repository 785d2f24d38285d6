import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SeriesBuffer } from '../../src/core/metrics/series-buffer';
import { SeriesStore } from '../../src/core/metrics/series-store';

describe('SeriesBuffer', () => {
  it('keeps everything exact while under the recent budget', () => {
    const b = new SeriesBuffer({ recent: 100, old: 50 });
    for (let i = 0; i < 100; i++) b.append(i, i * 2, i);
    expect(b.points()).toEqual({ t: [...Array(100).keys()], v: [...Array(100).keys()].map((i) => i * 2), s: [...Array(100).keys()] });
  });

  it('stays within its budget however many points arrive, keeping the newest exact', () => {
    const limits = { recent: 1000, old: 500 };
    const b = new SeriesBuffer(limits);
    const n = 1_000_000;
    for (let i = 0; i < n; i++) b.append(i, Math.sin(i / 1000), i);
    expect(b.size).toBeLessThanOrEqual(limits.recent + limits.recent / 4 + limits.old);
    expect(b.appended).toBe(n);
    const { t, v } = b.points();
    expect(t.slice(-1000)).toEqual(Array.from({ length: 1000 }, (_, i) => n - 1000 + i));
    expect(v[v.length - 1]).toBe(Math.sin((n - 1) / 1000));
    for (let i = 1; i < t.length; i++) expect(t[i]).toBeGreaterThanOrEqual(t[i - 1]!);
    // Uniform resolution: the start of the run is still there, to within one bucket.
    expect(t[0]).toBeLessThan(n / 200);
  });

  it('keeps extremes when compacting (a spike survives)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 19_999 }), fc.double({ min: 10, max: 1e6, noNaN: true }), (at, spike) => {
        const b = new SeriesBuffer({ recent: 100, old: 64 });
        for (let i = 0; i < 20_000; i++) b.append(i, i === at ? spike : Math.sin(i), i);
        const { t, v } = b.points();
        expect(Math.max(...v)).toBe(spike);
        expect(t[v.indexOf(spike)]).toBe(at);
      }),
      { numRuns: 50 },
    );
  });

  it('counts non-finite values and keeps a gap for an all-NaN stretch', () => {
    const b = new SeriesBuffer({ recent: 8, old: 8 });
    for (let i = 0; i < 60; i++) b.append(i, i >= 8 && i < 40 ? NaN : i);
    expect(b.nonFinite).toBe(32);
    expect(b.pointsSince(0)).toBeUndefined(); // compaction happened
    expect(b.points().v.some((x) => Number.isNaN(x))).toBe(true);
  });

  it('serves points since a cursor, or undefined once they were compacted', () => {
    const b = new SeriesBuffer({ recent: 8, old: 8 });
    for (let i = 0; i < 5; i++) b.append(i, i);
    expect(b.pointsSince(3)).toEqual({ t: [3, 4], v: [3, 4], s: [0, 0] });
    expect(b.pointsSince(5)).toEqual({ t: [], v: [], s: [] });
    for (let i = 5; i < 30; i++) b.append(i, i);
    expect(b.pointsSince(3)).toBeUndefined();
    expect(b.pointsSince(29)?.t).toEqual([29]);
  });
});

describe('SeriesStore', () => {
  const id = (k: { run: string; m: string }): string => `${k.run}/${k.m}`;

  it('gives each reader the changes since its own cursor', () => {
    const store = new SeriesStore(id, { recent: 100, old: 50 });
    store.append({ run: 'a', m: 'loss' }, 1, 0.5);
    const first = store.snapshot(() => true);
    store.append({ run: 'a', m: 'loss' }, 2, 0.4);
    store.append({ run: 'b', m: 'loss' }, 2, 0.9);
    const changes = store.changesSince(first.cursor, () => true)!;
    expect(changes.series.map((s) => [s.key.run, s.points.t])).toEqual([
      ['a', [2]],
      ['b', [2]],
    ]);
    // A second reader still at the first cursor gets the same; the first reader, nothing new.
    expect(store.changesSince(first.cursor, () => true)!.series).toHaveLength(2);
    expect(store.changesSince(changes.cursor, () => true)!.series).toHaveLength(0);
  });

  it('filters by key and invalidates cursors when series are removed', () => {
    const store = new SeriesStore(id, { recent: 100, old: 50 });
    store.append({ run: 'a', m: 'x' }, 1, 1);
    store.append({ run: 'b', m: 'x' }, 1, 1);
    const onlyA = store.snapshot((k) => k.run === 'a');
    expect(onlyA.series.map((s) => s.key.run)).toEqual(['a']);
    expect(store.remove((k) => k.run === 'b')).toBe(1);
    expect(store.changesSince(onlyA.cursor, (k) => k.run === 'a')).toBeUndefined();
  });

  it('asks for a snapshot when a reader fell behind compaction', () => {
    const store = new SeriesStore(id, { recent: 8, old: 8 });
    const key = { run: 'a', m: 'x' };
    store.append(key, 0, 0);
    const cursor = store.snapshot(() => true).cursor;
    for (let i = 1; i < 50; i++) store.append(key, i, i);
    expect(store.changesSince(cursor, () => true)).toBeUndefined();
  });
});
