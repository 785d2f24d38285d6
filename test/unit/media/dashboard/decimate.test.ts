/** The dashboard webview's decimation of big tables to a few rows per pixel (data logic, no DOM needed). */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ChartTable } from '../../../../media/dashboard/chart-table';
import { bucketWidth, Decimator } from '../../../../media/dashboard/decimate';

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
