/**
 * One time series in bounded memory: the newest points exact, older points as min/max pairs of
 * equal-span buckets. When the old part outgrows its budget, neighbouring buckets merge and the
 * span doubles, so the whole history keeps one uniform resolution (halving only the oldest data
 * again and again would make the start of a run vanish). A run that logs every step for days
 * stays within `recent + old` points, and a chart of it still shows every spike: min/max keeps
 * extremes where averaging would hide them.
 *
 * Values may be NaN or ±Infinity; they are kept as such in the exact part and count in
 * `nonFinite`. A compacted bucket keeps its finite extremes, or NaN (a gap) when it had none.
 */

export interface SeriesLimits {
  /** Newest points kept exact. */
  readonly recent: number;
  /** Budget for the compacted older points (pairs). */
  readonly old: number;
}

export const DEFAULT_SERIES_LIMITS: SeriesLimits = { recent: 20_000, old: 10_000 };

export interface SeriesPoints {
  readonly t: number[];
  readonly v: number[];
  /** Training step of each point (0 for series that have none, such as GPU samples). */
  readonly s: number[];
}

/** Running extremes of the bucket being filled. */
class OpenBucket {
  count = 0;
  private firstT = 0;
  private firstS = 0;
  private lastT = 0;
  private lastS = 0;
  private finite = false;
  private loT = 0;
  private loV = Infinity;
  private loS = 0;
  private hiT = 0;
  private hiV = -Infinity;
  private hiS = 0;

  fold(t: number, v: number, s: number): void {
    if (this.count++ === 0) [this.firstT, this.firstS] = [t, s];
    [this.lastT, this.lastS] = [t, s];
    if (!Number.isFinite(v)) return;
    this.finite = true;
    if (v < this.loV) [this.loT, this.loV, this.loS] = [t, v, s];
    if (v > this.hiV) [this.hiT, this.hiV, this.hiS] = [t, v, s];
  }

  /** The bucket as exactly two points in time order (the same point twice when flat). */
  emit(out: SeriesPoints): void {
    if (this.count === 0) return;
    if (!this.finite) {
      pushPoint(out, this.firstT, NaN, this.firstS);
      pushPoint(out, this.lastT, NaN, this.lastS);
      return;
    }
    const loFirst = this.loT <= this.hiT;
    pushPoint(out, loFirst ? this.loT : this.hiT, loFirst ? this.loV : this.hiV, loFirst ? this.loS : this.hiS);
    pushPoint(out, loFirst ? this.hiT : this.loT, loFirst ? this.hiV : this.loV, loFirst ? this.hiS : this.loS);
  }
}

export class SeriesBuffer {
  private recentT: number[] = [];
  private recentV: number[] = [];
  private recentS: number[] = [];
  /** Compacted buckets, two points each. */
  private old: SeriesPoints = { t: [], v: [], s: [] };
  private open = new OpenBucket();
  /** Source points per compacted bucket. */
  private bucketSpan = 4;
  private total = 0;
  private nonFiniteCount = 0;
  private readonly compactChunk: number;

  constructor(private readonly limits: SeriesLimits = DEFAULT_SERIES_LIMITS) {
    if (limits.recent < 4 || limits.old < 4) throw new RangeError('series limits too small');
    // Compacting in chunks keeps append amortised O(1) instead of shifting the array per point.
    this.compactChunk = Math.max(1, Math.floor(limits.recent / 4));
  }

  /** Points ever appended; a cursor for `pointsSince`. */
  get appended(): number {
    return this.total;
  }

  get nonFinite(): number {
    return this.nonFiniteCount;
  }

  /** Points held now (exact + compacted). */
  get size(): number {
    return this.recentT.length + this.old.t.length + (this.open.count > 0 ? 2 : 0);
  }

  get lastTime(): number | undefined {
    return this.recentT.length > 0 ? this.recentT[this.recentT.length - 1] : undefined;
  }

  append(t: number, v: number, step = 0): void {
    this.recentT.push(t);
    this.recentV.push(v);
    this.recentS.push(step);
    this.total++;
    if (!Number.isFinite(v)) this.nonFiniteCount++;
    if (this.recentT.length >= this.limits.recent + this.compactChunk) this.compactOldest();
  }

  /** Points appended after the cursor `appended`, or undefined when some were compacted since. */
  pointsSince(appended: number): SeriesPoints | undefined {
    const firstExact = this.total - this.recentT.length;
    if (appended < firstExact || appended > this.total) return undefined;
    const from = appended - firstExact;
    return { t: this.recentT.slice(from), v: this.recentV.slice(from), s: this.recentS.slice(from) };
  }

  /** Everything held, oldest first: compacted buckets, the bucket being filled, the exact points. */
  points(): SeriesPoints {
    const open: SeriesPoints = { t: [], v: [], s: [] };
    this.open.emit(open);
    return {
      t: this.old.t.concat(open.t, this.recentT),
      v: this.old.v.concat(open.v, this.recentV),
      s: this.old.s.concat(open.s, this.recentS),
    };
  }

  private compactOldest(): void {
    const n = this.compactChunk;
    for (let i = 0; i < n; i++) {
      this.open.fold(this.recentT[i]!, this.recentV[i]!, this.recentS[i]!);
      if (this.open.count === this.bucketSpan) this.closeBucket();
    }
    this.recentT.splice(0, n);
    this.recentV.splice(0, n);
    this.recentS.splice(0, n);
  }

  private closeBucket(): void {
    this.open.emit(this.old);
    this.open = new OpenBucket();
    if (this.old.t.length > this.limits.old) this.mergeNeighbours();
  }

  /** Two neighbouring buckets become one: twice the span, half the points. */
  private mergeNeighbours(): void {
    const merged: SeriesPoints = { t: [], v: [], s: [] };
    const pairOfBuckets = 4;
    for (let i = 0; i < this.old.t.length; i += pairOfBuckets) {
      const bucket = new OpenBucket();
      for (let j = i; j < Math.min(i + pairOfBuckets, this.old.t.length); j++) bucket.fold(this.old.t[j]!, this.old.v[j]!, this.old.s[j]!);
      bucket.emit(merged);
    }
    this.old = merged;
    this.bucketSpan *= 2;
  }
}

function pushPoint(out: SeriesPoints, t: number, v: number, s: number): void {
  out.t.push(t);
  out.v.push(v);
  out.s.push(s);
}
