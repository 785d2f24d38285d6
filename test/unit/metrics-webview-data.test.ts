/** The dashboard webview's data logic, which needs no DOM: aligned tables, EMA, decimation, model. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ChartTable, type Points } from '../../media/dashboard/chart-table';
import { bucketWidth, Decimator } from '../../media/dashboard/decimate';
import { Ema } from '../../media/dashboard/ema';
import { SeriesModel } from '../../media/dashboard/series-model';
import { restoreUiState } from '../../media/dashboard/ui-state';
import type { SnapshotMessage } from '../../src/shared/protocol';

const sources = [
  { id: 'a', xOffset: 0, smooth: true },
  { id: 'b', xOffset: 0, smooth: false },
];

/** Sorted random series with shared and repeated times and some gaps. */
const seriesArb = fc.array(fc.tuple(fc.integer({ min: 0, max: 400 }), fc.option(fc.double({ min: -1e3, max: 1e3, noNaN: true }), { freq: 8 })), { maxLength: 300 }).map((pts) => {
  const sorted = [...pts].sort((x, y) => x[0] - y[0]);
  return { t: sorted.map((p) => p[0]), v: sorted.map((p) => p[1]) } satisfies Points;
});

function slice(p: Points, from: number, to: number): Points {
  return { t: p.t.slice(from, to), v: p.v.slice(from, to) };
}

describe('ChartTable', () => {
  it('aligns series on shared x, one row per distinct x unless a series repeats it', () => {
    const table = new ChartTable(sources, 0);
    const data = new Map<string, Points>([
      ['a', { t: [1, 2, 2, 4], v: [10, 20, 21, null] }],
      ['b', { t: [2, 3], v: [5, 6] }],
    ]);
    table.rebuild((id) => data.get(id));
    expect(table.xs).toEqual([1, 2, 2, 3, 4]);
    expect(table.cols[0]).toEqual([10, 20, 21, undefined, null]);
    expect(table.cols[2]).toEqual([undefined, 5, undefined, 6, undefined]);
  });

  it('packs a series repeating an x shared with another series as rebuild does', () => {
    // Found by the fuzz test below: a repeats x=6, b has one point there.
    const a: Points = { t: [6, 6], v: [null, 0] };
    const b: Points = { t: [6], v: [0] };
    const full = new ChartTable(sources, 0);
    full.rebuild((id) => (id === 'a' ? a : b));
    const live = new ChartTable(sources, 0);
    live.rebuild(() => undefined);
    expect(live.append(new Map([['a', a], ['b', b]]))).toBe(true);
    expect(live.xs).toEqual(full.xs);
    expect(live.cols).toEqual(full.cols);
  });

  it('appending in any batches gives exactly the table a rebuild gives (fuzz)', () => {
    fc.assert(
      fc.property(seriesArb, seriesArb, fc.array(fc.nat(), { maxLength: 6 }), fc.double({ min: 0, max: 0.99, noNaN: true }), (a, b, cutsRaw, smoothing) => {
        const full = new ChartTable(sources, smoothing);
        full.rebuild((id) => (id === 'a' ? a : b));
        // The incremental table gets the series in the same time-ordered batches the host would send.
        const times = [...new Set([...a.t, ...b.t])].sort((x, y) => x - y);
        const cuts = [...new Set(cutsRaw.map((c) => times[c % Math.max(1, times.length)] ?? 0))].sort((x, y) => x - y);
        const live = new ChartTable(sources, smoothing);
        live.rebuild(() => undefined);
        let ok = true;
        let fromA = 0;
        let fromB = 0;
        for (const cut of [...cuts, Infinity]) {
          const toA = a.t.findIndex((t) => t > cut) < 0 ? a.t.length : a.t.findIndex((t) => t > cut);
          const toB = b.t.findIndex((t) => t > cut) < 0 ? b.t.length : b.t.findIndex((t) => t > cut);
          ok = live.append(new Map([['a', slice(a, fromA, toA)], ['b', slice(b, fromB, toB)]])) && ok;
          fromA = toA;
          fromB = toB;
        }
        // A batch may start at the last row's x; then rows can be packed differently, still valid.
        if (!ok) return;
        const rows = (t: ChartTable) => t.xs.map((x, r) => [x, ...t.cols.map((c) => c[r])]);
        const canon = (t: ChartTable) => rows(t).map((r) => JSON.stringify(r)).sort();
        expect(live.xs).toEqual([...live.xs].sort((x, y) => x - y));
        expect(live.cols[0]!.filter((v) => v !== undefined)).toEqual(full.cols[0]!.filter((v) => v !== undefined));
        expect(live.cols[1]!.filter((v) => v !== undefined)).toEqual(full.cols[1]!.filter((v) => v !== undefined));
        expect(live.cols[2]!.filter((v) => v !== undefined)).toEqual(full.cols[2]!.filter((v) => v !== undefined));
        if (cuts.length === 0) expect(canon(live)).toEqual(canon(full));
      }),
      { numRuns: 300 },
    );
  });

  it('refuses a point older than its last row, so the caller rebuilds', () => {
    const table = new ChartTable(sources, 0);
    table.rebuild(() => ({ t: [5], v: [1] }));
    expect(table.append(new Map([['b', { t: [3], v: [1] }]]))).toBe(false);
    expect(table.rows).toBe(1);
  });

  it('drops non-positive values from a log chart without making gaps', () => {
    const table = new ChartTable([{ id: 'a', xOffset: 0, smooth: false }], 0, (v) => (v === null ? null : v > 0 ? v : undefined));
    table.rebuild(() => ({ t: [1, 2, 3], v: [1, 0, null] }));
    expect(table.cols[0]).toEqual([1, undefined, null]);
  });
});

describe('Ema', () => {
  it('is debiased (starts at the first value) and passes gaps through', () => {
    const ema = new Ema(0.9);
    expect(ema.next(5)).toBeCloseTo(5);
    expect(ema.next(null)).toBeNull();
    const next = ema.next(15)!;
    expect(next).toBeGreaterThan(5);
    expect(next).toBeLessThan(15);
    expect(new Ema(0).next(3)).toBe(3);
  });
});

function bigTable(n: number, withGap = true): ChartTable {
  const t = Array.from({ length: n }, (_, i) => 1000 + i * 0.5);
  const v = t.map((_, i) => (withGap && i >= n / 2 && i < n / 2 + 40 ? null : Math.sin(i / 50) + (i === 777 ? 50 : 0) - (i === 4321 ? 60 : 0)));
  const table = new ChartTable([{ id: 'a', xOffset: 0, smooth: false }], 0);
  table.rebuild(() => ({ t, v }));
  return table;
}

describe('Decimator', () => {
  it('passes small tables through untouched', () => {
    const table = bigTable(500);
    expect(new Decimator().view(table, null, 400)).toBe(table);
  });

  it('reduces a big table to a few rows per pixel, keeping extremes and gaps', () => {
    const table = bigTable(100_000);
    const view = new Decimator().view(table, null, 500);
    expect(view.xs.length).toBeLessThan(4 * 500);
    const values = view.cols[0]!.filter((v): v is number => typeof v === 'number');
    expect(Math.max(...values)).toBe(Math.max(...(table.cols[0]!.filter((v) => typeof v === 'number') as number[])));
    expect(Math.min(...values)).toBe(Math.min(...(table.cols[0]!.filter((v) => typeof v === 'number') as number[])));
    expect(view.cols[0]).toContain(null);
    for (let i = 1; i < view.xs.length; i++) expect(view.xs[i]).toBeGreaterThanOrEqual(view.xs[i - 1]!);
  });

  it('following appends incrementally gives the same view as computing it afresh (fuzz)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 3000 }), { minLength: 1, maxLength: 8 }), fc.integer({ min: 50, max: 800 }), (batches, pixels) => {
        const table = new ChartTable([{ id: 'a', xOffset: 0, smooth: true }], 0.5);
        table.rebuild(() => undefined);
        const live = new Decimator();
        let i = 0;
        for (const size of batches) {
          const t = Array.from({ length: size }, (_, k) => (i + k) * 0.25);
          const v = t.map((_, k) => ((i + k) % 97 === 0 ? null : Math.cos((i + k) / 30)));
          i += size;
          table.append(new Map([['a', { t, v }]]));
          const incremental = live.view(table, null, pixels);
          const fresh = new Decimator().view(table, null, pixels);
          expect(incremental.xs).toEqual(fresh.xs);
          expect(incremental.cols).toEqual(fresh.cols);
        }
      }),
      { numRuns: 60 },
    );
  });

  it('zooms to a range, with one row beyond each edge', () => {
    const table = bigTable(10_000, false);
    const view = new Decimator().view(table, { min: 2000, max: 2100 }, 800);
    expect(view.xs[0]).toBeLessThan(2000);
    expect(view.xs[view.xs.length - 1]).toBeGreaterThan(2100);
    expect(view.xs.length).toBe(203);
  });

  it('uses power-of-two bucket widths so they stay put while data grows', () => {
    expect(bucketWidth(1000, 500)).toBe(2);
    expect(bucketWidth(1001, 500)).toBe(4);
    expect(bucketWidth(0, 500)).toBe(1);
  });
});

describe('SeriesModel', () => {
  const snapshot: SnapshotMessage = {
    type: 'snapshot',
    seq: 0,
    runs: [],
    selectedRuns: ['r'],
    series: [{ key: { kind: 'metric', run: 'r', split: 'train', metric: 'loss' }, t: [1], v: [1], nonFinite: 0 }],
    events: [],
    stats: { lines: 1, rejected: 0, oversized: 0 },
  };

  it('applies appends in sequence and reports a lost one as a gap', () => {
    const model = new SeriesModel();
    expect(model.applyAppend({ type: 'append', seq: 1, series: [], events: [], stats: snapshot.stats }).kind).toBe('gap');
    model.applySnapshot(snapshot);
    const change = model.applyAppend({ type: 'append', seq: 1, series: [{ ...snapshot.series[0]!, t: [2], v: [null], nonFinite: 1 }], events: [], stats: snapshot.stats });
    expect(change).toMatchObject({ kind: 'append', newSeries: false });
    expect([...model.series.values()][0]).toMatchObject({ t: [1, 2], v: [1, null], nonFinite: 1 });
    expect(model.applyAppend({ type: 'append', seq: 3, series: [], events: [], stats: snapshot.stats }).kind).toBe('gap');
  });
});

describe('restoreUiState', () => {
  it('accepts its own state and repairs or rejects anything else', () => {
    expect(restoreUiState(undefined).restored).toBe(false);
    expect(restoreUiState({ v: 2 }).restored).toBe(false);
    const { state } = restoreUiState({ v: 1, selectedRuns: ['a', 3, '', 'x'.repeat(500)], smoothing: 5, scale: 'log', xMode: 'elapsed', extraMetric: 7 });
    expect(state).toEqual({ v: 1, selectedRuns: ['a'], smoothing: 0.6, scale: 'log', xMode: 'elapsed', extraMetric: null });
  });
});
