/**
 * The webview's copy of the data: series as sent by the host (snapshot, then appends), runs,
 * events and counters. It knows nothing about charts; it reports what changed so the charts can
 * update incrementally, and notices a lost append (sequence gap) so a snapshot can be requested.
 */
import { seriesId, type AppendMessage, type IngestStats, type RunEvent, type RunInfo, type SeriesKey, type SnapshotMessage, type SnapshotThinning } from '../../src/shared/protocol/dashboard';

export interface SeriesEntry {
  readonly id: string;
  readonly key: SeriesKey;
  readonly t: number[];
  readonly v: (number | null)[];
  nonFinite: number;
}

export interface NewPoints {
  readonly t: readonly number[];
  readonly v: readonly (number | null)[];
}

export type ModelChange =
  | { readonly kind: 'reset' }
  | { readonly kind: 'append'; readonly points: ReadonlyMap<string, NewPoints>; readonly newSeries: boolean }
  | { readonly kind: 'gap' }
  | { readonly kind: 'overflow' };

/** Above this many points in the webview, ask the host for its (downsampled) snapshot instead. */
export const MAX_WEBVIEW_POINTS = 4_000_000;

export class SeriesModel {
  readonly series = new Map<string, SeriesEntry>();
  runs: readonly RunInfo[] = [];
  selectedRuns: readonly string[] = [];
  events: RunEvent[] = [];
  stats: IngestStats = { lines: 0, rejected: 0, oversized: 0, overSeriesLimit: 0 };
  /** What the last snapshot left out to stay within its budget. */
  thinned: SnapshotThinning = { series: 0, points: 0 };
  private seq = -1;
  private points = 0;

  get hasSnapshot(): boolean {
    return this.seq >= 0;
  }

  applySnapshot(m: SnapshotMessage): ModelChange {
    this.series.clear();
    this.points = 0;
    for (const s of m.series) {
      const id = seriesId(s.key);
      const existing = this.series.get(id);
      // A snapshot should not repeat a key; if it does, the points join one series.
      if (existing) {
        appendAll(existing, s);
      } else {
        this.series.set(id, { id, key: s.key, t: [...s.t], v: [...s.v], nonFinite: s.nonFinite });
      }
      this.points += s.t.length;
    }
    this.runs = m.runs;
    this.selectedRuns = m.selectedRuns;
    this.events = [...m.events];
    this.stats = m.stats;
    this.thinned = m.thinned;
    this.seq = m.seq;
    return { kind: 'reset' };
  }

  applyAppend(m: AppendMessage): ModelChange {
    if (!this.hasSnapshot || m.seq !== this.seq + 1) return { kind: 'gap' };
    this.seq = m.seq;
    const points = new Map<string, NewPoints>();
    let newSeries = false;
    for (const s of m.series) {
      const id = seriesId(s.key);
      let entry = this.series.get(id);
      if (!entry) {
        entry = { id, key: s.key, t: [], v: [], nonFinite: 0 };
        this.series.set(id, entry);
        newSeries = true;
      }
      appendAll(entry, s);
      entry.nonFinite = s.nonFinite;
      this.points += s.t.length;
      const previous = points.get(id);
      points.set(id, previous ? { t: [...previous.t, ...s.t], v: [...previous.v, ...s.v] } : s);
    }
    for (const e of m.events) this.events.push(e);
    this.stats = m.stats;
    if (this.points > MAX_WEBVIEW_POINTS) return { kind: 'overflow' };
    return { kind: 'append', points, newSeries };
  }

  setRuns(runs: readonly RunInfo[], selectedRuns: readonly string[]): void {
    this.runs = runs;
    this.selectedRuns = selectedRuns;
  }

  get totalPoints(): number {
    return this.points;
  }
}

/** A loop, not push(...points): spreading 100k+ arguments overflows the call stack. */
function appendAll(entry: SeriesEntry, points: NewPoints): void {
  for (let i = 0; i < points.t.length; i++) {
    entry.t.push(points.t[i]!);
    entry.v.push(points.v[i]!);
  }
}
