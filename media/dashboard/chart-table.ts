/**
 * The full-resolution data of one chart in uPlot's aligned layout: one shared, ascending x array
 * and one value column per drawn series. Series logged at different times share rows where their
 * x is equal; elsewhere a cell is `undefined` (uPlot joins across it), while `null` is a real gap.
 *
 * Appends are incremental (new rows at the end, O(new points)); only a point older than the last
 * row forces a rebuild, which is a k-way merge of the series (they are each sorted already).
 */
import { Ema } from './ema';

export type Cell = number | null | undefined;

export interface SourceColumn {
  /** Series id in the SeriesModel. */
  readonly id: string;
  /** Subtracted from every time: the run's start in "elapsed" mode, else 0. */
  readonly xOffset: number;
  /** Adds a smoothed column right after the raw one. */
  readonly smooth: boolean;
}

export interface Points {
  readonly t: readonly number[];
  readonly v: readonly (number | null)[];
}

export class ChartTable {
  readonly xs: number[] = [];
  readonly cols: Cell[][];
  /** Bumped on every rebuild, so caches of derived views know to start over. */
  version = 0;
  /** Column of each source's raw and smoothed values (-1: not smoothed). */
  private readonly rawCol: number[] = [];
  private readonly smoothCol: number[] = [];
  private emas: (Ema | undefined)[] = [];

  constructor(
    readonly sources: readonly SourceColumn[],
    private readonly smoothing: number,
    /** Applied to every value: log scale turns non-positive values into "not drawn". */
    private readonly transform: (v: number | null) => Cell = (v) => v,
  ) {
    let col = 0;
    for (const s of sources) {
      this.rawCol.push(col++);
      this.smoothCol.push(s.smooth ? col++ : -1);
    }
    this.cols = Array.from({ length: col }, () => []);
  }

  /** Starts over from the complete series. */
  rebuild(pointsOf: (id: string) => Points | undefined): void {
    this.xs.length = 0;
    for (const c of this.cols) c.length = 0;
    this.emas = this.sources.map((s) => (s.smooth ? new Ema(this.smoothing) : undefined));
    this.version++;
    const series = this.sources.map((s) => pointsOf(s.id) ?? { t: [], v: [] });
    const heads = series.map(() => 0);
    for (;;) {
      let minX = Infinity;
      for (let i = 0; i < series.length; i++) {
        if (heads[i]! < series[i]!.t.length) minX = Math.min(minX, series[i]!.t[heads[i]!]! - this.sources[i]!.xOffset);
      }
      if (minX === Infinity) break;
      this.pushRow(minX);
      for (let i = 0; i < series.length; i++) {
        const h = heads[i]!;
        if (h < series[i]!.t.length && series[i]!.t[h]! - this.sources[i]!.xOffset === minX) {
          this.setCell(i, series[i]!.v[h]!);
          heads[i] = h + 1;
        }
      }
    }
  }

  /**
   * Adds new points of some series at the end. Returns false, changing nothing, when a point is
   * older than the last row: the caller then rebuilds.
   */
  append(newPoints: ReadonlyMap<string, Points>): boolean {
    const pending: { x: number; source: number; v: number | null }[] = [];
    this.sources.forEach((s, i) => {
      const p = newPoints.get(s.id);
      if (p) for (let k = 0; k < p.t.length; k++) pending.push({ x: p.t[k]! - s.xOffset, source: i, v: p.v[k]! });
    });
    if (pending.length === 0) return true;
    pending.sort((a, b) => a.x - b.x || a.source - b.source);
    const lastX = this.xs.length > 0 ? this.xs[this.xs.length - 1]! : -Infinity;
    if (pending[0]!.x < lastX) return false;
    for (const p of pending) this.setCell(p.source, p.v, this.rowFor(p.x, p.source));
    return true;
  }

  /**
   * The row a series' next point at `x` goes to: as in rebuild, its k-th point at an x shared
   * with other series fills the k-th row with that x, so appending and rebuilding give one table.
   */
  private rowFor(x: number, source: number): number {
    const col = this.cols[this.rawCol[source]!]!;
    let row = this.xs.length;
    for (let r = this.xs.length - 1; r >= 0 && this.xs[r] === x; r--) {
      if (col[r] !== undefined) break;
      row = r;
    }
    if (row === this.xs.length) this.pushRow(x);
    return row;
  }

  get rows(): number {
    return this.xs.length;
  }

  private pushRow(x: number): void {
    this.xs.push(x);
    for (const c of this.cols) c.push(undefined);
  }

  private setCell(source: number, v: number | null, row: number = this.xs.length - 1): void {
    this.cols[this.rawCol[source]!]![row] = this.transform(v);
    const smooth = this.smoothCol[source]!;
    if (smooth >= 0) this.cols[smooth]![row] = this.transform(this.emas[source]!.next(v));
  }
}
