import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SeriesBuffer, thinPoints } from '../../../../src/vscode/dashboard/series-buffer';

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

describe('thinPoints', () => {
  const series = (values: number[]) => ({ t: values.map((_, i) => i), v: values, s: values.map((_, i) => i * 10) });

  it('leaves a series within the budget as it is', () => {
    const small = series([1, 2, 3]);
    expect(thinPoints(small, 3)).toBe(small);
  });

  it('keeps at most max points, in time order, every extreme, NaN-only stretches as gaps, and the newest point exact', () => {
    const values = Array.from({ length: 10_000 }, (_, i) => (i === 1234 ? 99 : i === 5678 ? -99 : i >= 7000 && i < 7100 ? NaN : i % 3));
    const out = thinPoints(series(values), 101);
    expect(out.t.length).toBeLessThanOrEqual(101);
    for (let i = 1; i < out.t.length; i++) expect(out.t[i]).toBeGreaterThanOrEqual(out.t[i - 1]!);
    expect(Math.max(...out.v.filter(Number.isFinite))).toBe(99);
    expect(Math.min(...out.v.filter(Number.isFinite))).toBe(-99);
    expect(out.t.at(-1)).toBe(9999);
    expect([out.v.at(-1), out.s.at(-1)]).toEqual([values[9999], 99_990]);
    expect(out.t.length).toBe(out.v.length);
    expect(out.s.length).toBe(out.v.length);
  });

  it('holds for any length and budget (property)', () => {
    fc.assert(fc.property(fc.array(fc.double({ noNaN: false }), { minLength: 1, maxLength: 500 }), fc.integer({ min: 3, max: 600 }), (values, max) => {
      const out = thinPoints(series(values), max);
      expect(out.t.length).toBeLessThanOrEqual(Math.max(max, 0));
      expect(out.t.at(-1)).toBe(values.length - 1);
      for (let i = 1; i < out.t.length; i++) expect(out.t[i]).toBeGreaterThanOrEqual(out.t[i - 1]!);
    }));
  });
});

