/**
 * What a chart actually hands to uPlot: its table reduced to about what the plot's pixels can
 * show. uPlot walks every point of every series on each redraw; with 100k points per series and
 * a dozen series that is ~20 ms per frame, so the view is bucketed by x (a few points per pixel
 * column, keeping each column's min and max, so spikes survive) and gaps (null) are kept.
 *
 * Buckets have a power-of-two width aligned to multiples of it. While the chart follows the live
 * end of the data the width changes only when the span doubles, so an append re-buckets only the
 * last bucket: O(new points), not O(all points).
 */
import type { Cell, ChartTable } from './chart-table';

export interface TableView {
  readonly xs: number[];
  readonly cols: Cell[][];
}

export interface XRange {
  readonly min: number;
  readonly max: number;
}

/** Below this many rows per pixel column the table is drawn as it is. */
const PASS_THROUGH_ROWS_PER_PIXEL = 3;

export class Decimator {
  private out: TableView = { xs: [], cols: [] };
  private width = 0;
  private sourceVersion = -1;
  private sourceRows = 0;
  private lastBucketStart = 0;
  private outRowsBeforeLastBucket = 0;
  private zoomKey = '';
  private colMin = new Int32Array(0);
  private colMax = new Int32Array(0);
  private colNull = new Int32Array(0);

  /** The view of `table` for `range` (null: all of it, following appends) at `pixels` wide. */
  view(table: ChartTable, range: XRange | null, pixels: number): TableView {
    const px = Math.max(50, Math.floor(pixels));
    return range === null ? this.followView(table, px) : this.zoomView(table, range, px);
  }

  private followView(table: ChartTable, px: number): TableView {
    const n = table.rows;
    this.zoomKey = '';
    if (n <= PASS_THROUGH_ROWS_PER_PIXEL * px) {
      this.width = 0;
      return table;
    }
    const width = bucketWidth(table.xs[n - 1]! - table.xs[0]!, px);
    const incremental = width === this.width && table.version === this.sourceVersion && n >= this.sourceRows;
    if (incremental) {
      this.truncate(this.outRowsBeforeLastBucket);
      this.decimate(table, this.lastBucketStart, n, width);
    } else {
      this.reset(table, width);
      this.decimate(table, 0, n, width);
    }
    this.sourceRows = n;
    return this.out;
  }

  private zoomView(table: ChartTable, range: XRange, px: number): TableView {
    // One row beyond each edge, so lines run to the edges of the plot.
    const from = Math.max(0, lowerBound(table.xs, range.min) - 1);
    const to = Math.min(table.rows, upperBound(table.xs, range.max) + 1);
    const key = `${table.version}:${table.rows}:${range.min}:${range.max}:${px}`;
    if (key === this.zoomKey) return this.out;
    this.zoomKey = key;
    this.width = 0; // the follow cache is not valid after this
    if (to - from <= PASS_THROUGH_ROWS_PER_PIXEL * px) {
      this.out = { xs: table.xs.slice(from, to), cols: table.cols.map((c) => c.slice(from, to)) };
      return this.out;
    }
    this.reset(table, bucketWidth(range.max - range.min, px));
    this.decimate(table, from, to, this.width);
    return this.out;
  }

  private reset(table: ChartTable, width: number): void {
    this.out = { xs: [], cols: table.cols.map(() => []) };
    this.width = width;
    this.sourceVersion = table.version;
    const n = table.cols.length;
    if (this.colMin.length !== n) {
      this.colMin = new Int32Array(n);
      this.colMax = new Int32Array(n);
      this.colNull = new Int32Array(n);
    }
  }

  private truncate(rows: number): void {
    this.out.xs.length = rows;
    for (const c of this.out.cols) c.length = rows;
  }

  private decimate(table: ChartTable, from: number, to: number, width: number): void {
    const xs = table.xs;
    let r0 = from;
    while (r0 < to) {
      const bucket = Math.floor(xs[r0]! / width);
      let r1 = r0 + 1;
      while (r1 < to && Math.floor(xs[r1]! / width) === bucket) r1++;
      this.lastBucketStart = r0;
      this.outRowsBeforeLastBucket = this.out.xs.length;
      if (r1 - r0 <= 3) this.copyRows(table, r0, r1);
      else this.emitBucket(table, r0, r1);
      r0 = r1;
    }
  }

  private copyRows(table: ChartTable, r0: number, r1: number): void {
    for (let r = r0; r < r1; r++) {
      this.out.xs.push(table.xs[r]!);
      for (let c = 0; c < table.cols.length; c++) this.out.cols[c]!.push(table.cols[c]![r]);
    }
  }

  /**
   * A bucket of many rows → its first and last row, plus the row of any gap. Each column puts its
   * earlier extreme on the first row and its later extreme on the last; a gap stays a gap.
   */
  private emitBucket(table: ChartTable, r0: number, r1: number): void {
    const { cols } = table;
    const nCols = cols.length;
    this.colMin.fill(-1);
    this.colMax.fill(-1);
    this.colNull.fill(-1);
    for (let c = 0; c < nCols; c++) {
      const col = cols[c]!;
      let lo = -1;
      let hi = -1;
      let gap = -1;
      for (let r = r0; r < r1; r++) {
        const v = col[r];
        if (v === undefined) continue;
        if (v === null) {
          if (gap < 0) gap = r;
          continue;
        }
        if (lo < 0 || v < (col[lo] as number)) lo = r;
        if (hi < 0 || v > (col[hi] as number)) hi = r;
      }
      this.colMin[c] = lo;
      this.colMax[c] = hi;
      this.colNull[c] = gap;
    }
    const rows = this.bucketRows(r0, r1 - 1, nCols);
    const base = this.out.xs.length;
    for (const r of rows) {
      this.out.xs.push(table.xs[r]!);
      for (let c = 0; c < nCols; c++) this.out.cols[c]!.push(undefined);
    }
    for (let c = 0; c < nCols; c++) this.placeColumn(cols[c]!, this.out.cols[c]!, base, rows, c);
  }

  private bucketRows(first: number, last: number, nCols: number): number[] {
    const rows = [first, last];
    for (let c = 0; c < nCols; c++) {
      const gap = this.colNull[c]!;
      if (gap > first && gap < last && !rows.includes(gap)) rows.push(gap);
    }
    return rows.sort((a, b) => a - b);
  }

  private placeColumn(src: Cell[], dst: Cell[], base: number, rows: readonly number[], c: number): void {
    const gap = this.colNull[c]!;
    if (gap >= 0) dst[base + nearestSlot(rows, gap)] = null;
    const lo = this.colMin[c]!;
    const hi = this.colMax[c]!;
    if (lo < 0) return;
    const last = rows.length - 1;
    // Into the first free slot of those given: a gap already placed there wins.
    const put = (slots: readonly number[], r: number): void => {
      const slot = slots.find((s) => dst[base + s] === undefined);
      if (slot !== undefined) dst[base + slot] = src[r];
    };
    if (lo === hi) {
      const near = nearestSlot(rows, lo) === last ? last : 0;
      put([near, last - near], lo);
    } else {
      put([0, last], Math.min(lo, hi));
      put([last, 0], Math.max(lo, hi));
    }
  }
}

/** The smallest power of two ≥ span / pixels: stable while the span grows, until it doubles. */
export function bucketWidth(span: number, pixels: number): number {
  const raw = span / pixels;
  if (!(raw > 0) || !Number.isFinite(raw)) return 1;
  return 2 ** Math.ceil(Math.log2(raw));
}

function nearestSlot(rows: readonly number[], r: number): number {
  let best = 0;
  for (let i = 1; i < rows.length; i++) if (Math.abs(rows[i]! - r) < Math.abs(rows[best]! - r)) best = i;
  return best;
}

export function lowerBound(xs: readonly number[], x: number): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (xs[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function upperBound(xs: readonly number[], x: number): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (xs[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
