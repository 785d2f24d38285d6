/** The dashboard webview's aligned tables (data logic, no DOM needed). */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ChartTable, type Points } from '../../../../media/dashboard/chart-table';

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
