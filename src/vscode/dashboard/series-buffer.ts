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
    if (this.count++ === 0) {
      this.firstT = t;
      this.firstS = s;
    }
    this.lastT = t;
    this.lastS = s;
    if (!Number.isFinite(v)) return;
    this.finite = true;
    if (v < this.loV) {
      this.loT = t;
      this.loV = v;
      this.loS = s;
    }
    if (v > this.hiV) {
      this.hiT = t;
      this.hiV = v;
      this.hiS = s;
    }
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

const INITIAL_CAPACITY = 64;

/**
 * The exact points, oldest first, in three typed arrays that grow by doubling up to the budget:
 * an append is three stores, and compaction moves the rest down with one memmove per array.
 */
class ExactPoints {
  t: Float64Array;
  v: Float64Array;
  s: Float64Array;
  length = 0;

  constructor(private readonly maxCapacity: number) {
    const capacity = Math.min(INITIAL_CAPACITY, maxCapacity);
    this.t = new Float64Array(capacity);
    this.v = new Float64Array(capacity);
    this.s = new Float64Array(capacity);
  }

  push(t: number, v: number, s: number): void {
    if (this.length === this.t.length) this.grow();
    const i = this.length++;
    this.t[i] = t;
    this.v[i] = v;
    this.s[i] = s;
  }

  /** Forgets the oldest `n` points. */
  dropFirst(n: number): void {
    this.t.copyWithin(0, n, this.length);
    this.v.copyWithin(0, n, this.length);
    this.s.copyWithin(0, n, this.length);
    this.length -= n;
  }

  /** Points `from` to the end as plain arrays (what the protocol carries). */
  slice(from: number): SeriesPoints {
    return { t: toArray(this.t, from, this.length), v: toArray(this.v, from, this.length), s: toArray(this.s, from, this.length) };
  }

  private grow(): void {
    const capacity = Math.min(this.maxCapacity, this.t.length * 2);
    if (capacity <= this.t.length) throw new RangeError('series buffer over its budget');
    for (const name of ['t', 'v', 's'] as const) {
      const next = new Float64Array(capacity);
      next.set(this[name]);
      this[name] = next;
    }
  }
}

function toArray(values: Float64Array, from: number, to: number): number[] {
  const out = new Array<number>(to - from);
  for (let i = from; i < to; i++) out[i - from] = values[i]!;
  return out;
}

export class SeriesBuffer {
  private readonly recent: ExactPoints;
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
    // Compacting in chunks keeps append amortised O(1) instead of shifting the arrays per point.
    this.compactChunk = Math.max(1, Math.floor(limits.recent / 4));
    this.recent = new ExactPoints(limits.recent + this.compactChunk);
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
    return this.recent.length + this.old.t.length + (this.open.count > 0 ? 2 : 0);
  }

  get lastTime(): number | undefined {
    return this.recent.length > 0 ? this.recent.t[this.recent.length - 1] : undefined;
  }

  append(t: number, v: number, step = 0): void {
    this.recent.push(t, v, step);
    this.total++;
    if (!Number.isFinite(v)) this.nonFiniteCount++;
    if (this.recent.length >= this.limits.recent + this.compactChunk) this.compactOldest();
  }

  /**
   * Appends every point `other` holds after this buffer's own, and takes over its count of
   * non-finite values: history read late (this) followed by what arrived while it was read (other).
   * A time before this buffer's last is raised to it, so the series stays in time order.
   */
  absorb(other: SeriesBuffer): void {
    const nonFinite = this.nonFiniteCount + other.nonFinite;
    const { t, v, s } = other.points();
    for (let i = 0; i < t.length; i++) {
      const last = this.lastTime;
      this.append(last !== undefined && t[i]! < last ? last : t[i]!, v[i]!, s[i]!);
    }
    this.nonFiniteCount = nonFinite;
  }

  /** Points appended after the cursor `appended`, or undefined when some were compacted since. */
  pointsSince(appended: number): SeriesPoints | undefined {
    const firstExact = this.total - this.recent.length;
    if (appended < firstExact || appended > this.total) return undefined;
    return this.recent.slice(appended - firstExact);
  }

  /** Everything held, oldest first: compacted buckets, the bucket being filled, the exact points. */
  points(): SeriesPoints {
    const open: SeriesPoints = { t: [], v: [], s: [] };
    this.open.emit(open);
    const exact = this.recent.slice(0);
    return {
      t: this.old.t.concat(open.t, exact.t),
      v: this.old.v.concat(open.v, exact.v),
      s: this.old.s.concat(open.s, exact.s),
    };
  }

  private compactOldest(): void {
    const n = this.compactChunk;
    const { t, v, s } = this.recent;
    for (let i = 0; i < n; i++) {
      this.open.fold(t[i]!, v[i]!, s[i]!);
      if (this.open.count === this.bucketSpan) this.closeBucket();
    }
    this.recent.dropFirst(n);
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

/**
 * At most `max` (≥ 3) of `points`, for a message that must stay within a budget: equal-count
 * buckets keep their min and max (spikes survive, a bucket of only NaN stays a gap), and the
 * newest point is kept as it is, so the live end of a chart does not move.
 */
export function thinPoints(points: SeriesPoints, max: number): SeriesPoints {
  const n = points.t.length;
  if (n <= max) return points;
  const buckets = Math.max(1, Math.floor((max - 1) / 2));
  const out: SeriesPoints = { t: [], v: [], s: [] };
  const body = n - 1;
  for (let b = 0; b < buckets; b++) {
    const bucket = new OpenBucket();
    const end = Math.floor(((b + 1) * body) / buckets);
    for (let i = Math.floor((b * body) / buckets); i < end; i++) bucket.fold(points.t[i]!, points.v[i]!, points.s[i]!);
    bucket.emit(out);
  }
  pushPoint(out, points.t[body]!, points.v[body]!, points.s[body]!);
  return out;
}

