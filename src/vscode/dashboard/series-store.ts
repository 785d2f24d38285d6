/**
 * Many bounded series (one SeriesBuffer each), keyed by any key type, with cursors so that several
 * webviews can each ask "what is new since I last looked" without the store keeping a queue per
 * viewer. A cursor is small (one counter per series) and becomes invalid, forcing a full
 * snapshot, when points it has not seen were compacted or when series were removed.
 *
 * The number of series is capped (in all, and per group such as a run): each series holds up to
 * `recent + old` points, so a run that logs a new metric name every step would otherwise grow the
 * store without bound. A key over the cap gets no series; the caller counts what it drops.
 */
import { DEFAULT_SERIES_LIMITS, SeriesBuffer, type SeriesLimits, type SeriesPoints } from './series-buffer';

export interface StoredSeries<K> {
  readonly key: K;
  readonly points: SeriesPoints;
  readonly nonFinite: number;
}

export interface StoreCursor {
  readonly epoch: number;
  readonly seen: ReadonlyMap<string, number>;
}

export interface StoreRead<K> {
  readonly series: StoredSeries<K>[];
  readonly cursor: StoreCursor;
}

interface Entry<K> {
  readonly key: K;
  readonly buffer: SeriesBuffer;
}

export interface SeriesCaps<K> {
  /** Series in all. */
  readonly maxSeries: number;
  /** Series per group (`groupOf`), e.g. per run, so that one run cannot take every place. */
  readonly maxPerGroup?: number;
  readonly groupOf?: (key: K) => string;
}

export class SeriesStore<K> {
  private readonly entries = new Map<string, Entry<K>>();
  /** Bumped when series are removed, which invalidates every cursor. */
  private epoch = 0;
  private readonly perGroup = new Map<string, number>();

  constructor(
    private readonly idOf: (key: K) => string,
    private readonly limits: SeriesLimits = DEFAULT_SERIES_LIMITS,
    private readonly caps: SeriesCaps<K> = { maxSeries: Number.POSITIVE_INFINITY },
  ) {}

  /** False when the point was dropped: `key` is new and the store is at its cap. */
  append(key: K, t: number, v: number, step = 0): boolean {
    const buffer = this.buffer(key);
    buffer?.append(t, v, step);
    return buffer !== undefined;
  }

  /**
   * The series of `key`, created empty when new, or undefined when it is new and a cap is reached.
   * Appending to it directly spares the key's id on every point; a holder must drop it when
   * `remove` or `replace` may have taken it out.
   */
  buffer(key: K): SeriesBuffer | undefined {
    const id = this.idOf(key);
    let entry = this.entries.get(id);
    if (!entry) {
      if (!this.admit(key)) return undefined;
      entry = { key, buffer: new SeriesBuffer(this.limits) };
      this.entries.set(id, entry);
    }
    return entry.buffer;
  }

  /** How many series are held. */
  get size(): number {
    return this.entries.size;
  }

  /** The series of `key` if there is one. */
  find(key: K): SeriesBuffer | undefined {
    return this.entries.get(this.idOf(key))?.buffer;
  }

  /** Puts `buffer` in place of the series of `key` (false: `key` is new and a cap is reached); every cursor becomes invalid. */
  replace(key: K, buffer: SeriesBuffer): boolean {
    const id = this.idOf(key);
    if (!this.entries.has(id) && !this.admit(key)) return false;
    this.entries.set(id, { key, buffer });
    this.epoch++;
    return true;
  }

  /** Every series, with its key. */
  all(): { key: K; buffer: SeriesBuffer }[] {
    return [...this.entries.values()].map(({ key, buffer }) => ({ key, buffer }));
  }

  keys(): K[] {
    return [...this.entries.values()].map((e) => e.key);
  }

  lastTime(key: K): number | undefined {
    return this.entries.get(this.idOf(key))?.buffer.lastTime;
  }

  /** Removes the matching series; returns how many. */
  remove(matches: (key: K) => boolean): number {
    let removed = 0;
    for (const [id, entry] of this.entries) {
      if (matches(entry.key)) {
        this.entries.delete(id);
        this.countIn(entry.key, -1);
        removed++;
      }
    }
    if (removed > 0) this.epoch++;
    return removed;
  }

  /** Everything held for the matching series, and a cursor for `changesSince`. */
  snapshot(matches: (key: K) => boolean): StoreRead<K> {
    const series: StoredSeries<K>[] = [];
    const seen = new Map<string, number>();
    for (const [id, { key, buffer }] of this.entries) {
      if (!matches(key)) continue;
      series.push({ key, points: buffer.points(), nonFinite: buffer.nonFinite });
      seen.set(id, buffer.appended);
    }
    return { series, cursor: { epoch: this.epoch, seen } };
  }

  /**
   * Points appended since `cursor` for the matching series (new series from their start), or
   * undefined when the cursor can no longer be served and a snapshot is needed.
   */
  changesSince(cursor: StoreCursor, matches: (key: K) => boolean): StoreRead<K> | undefined {
    if (cursor.epoch !== this.epoch) return undefined;
    const series: StoredSeries<K>[] = [];
    const seen = new Map<string, number>();
    for (const [id, { key, buffer }] of this.entries) {
      if (!matches(key)) continue;
      const from = cursor.seen.get(id) ?? 0;
      seen.set(id, buffer.appended);
      if (from === buffer.appended) continue;
      const points = buffer.pointsSince(from);
      if (!points) return undefined;
      series.push({ key, points, nonFinite: buffer.nonFinite });
    }
    return { series, cursor: { epoch: this.epoch, seen } };
  }

  /** Counts `key` in when the caps leave room for one more series. */
  private admit(key: K): boolean {
    if (this.entries.size >= this.caps.maxSeries) return false;
    const group = this.caps.groupOf?.(key);
    if (group !== undefined && (this.perGroup.get(group) ?? 0) >= (this.caps.maxPerGroup ?? Number.POSITIVE_INFINITY)) return false;
    this.countIn(key, 1);
    return true;
  }

  private countIn(key: K, delta: number): void {
    const group = this.caps.groupOf?.(key);
    if (group === undefined) return;
    const n = (this.perGroup.get(group) ?? 0) + delta;
    if (n > 0) this.perGroup.set(group, n);
    else this.perGroup.delete(group);
  }
}
