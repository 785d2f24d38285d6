import { describe, expect, it } from 'vitest';
import { SeriesStore } from '../../../../src/vscode/dashboard/series-store';

describe('SeriesStore', () => {
  const id = (k: { run: string; m: string }): string => `${k.run}/${k.m}`;

  it('gives each reader the changes since its own cursor', () => {
    const store = new SeriesStore(id, { recent: 100, old: 50 });
    store.append({ run: 'a', m: 'loss' }, 1, 0.5);
    const first = store.snapshot(() => true);
    store.append({ run: 'a', m: 'loss' }, 2, 0.4);
    store.append({ run: 'b', m: 'loss' }, 2, 0.9);
    const changes = store.changesSince(first.cursor, () => true)!;
    expect(changes.series.map((s) => [s.key.run, s.points.t])).toEqual([
      ['a', [2]],
      ['b', [2]],
    ]);
    // A second reader still at the first cursor gets the same; the first reader, nothing new.
    expect(store.changesSince(first.cursor, () => true)!.series).toHaveLength(2);
    expect(store.changesSince(changes.cursor, () => true)!.series).toHaveLength(0);
  });

  it('filters by key and invalidates cursors when series are removed', () => {
    const store = new SeriesStore(id, { recent: 100, old: 50 });
    store.append({ run: 'a', m: 'x' }, 1, 1);
    store.append({ run: 'b', m: 'x' }, 1, 1);
    const onlyA = store.snapshot((k) => k.run === 'a');
    expect(onlyA.series.map((s) => s.key.run)).toEqual(['a']);
    expect(store.remove((k) => k.run === 'b')).toBe(1);
    expect(store.changesSince(onlyA.cursor, (k) => k.run === 'a')).toBeUndefined();
  });

  it('asks for a snapshot when a reader fell behind compaction', () => {
    const store = new SeriesStore(id, { recent: 8, old: 8 });
    const key = { run: 'a', m: 'x' };
    store.append(key, 0, 0);
    const cursor = store.snapshot(() => true).cursor;
    for (let i = 1; i < 50; i++) store.append(key, i, i);
    expect(store.changesSince(cursor, () => true)).toBeUndefined();
  });

  it('caps the number of series, in all and per group; refused keys get no series; removing frees places', () => {
    const store = new SeriesStore(id, { recent: 100, old: 50 }, { maxSeries: 3, maxPerGroup: 2, groupOf: (k) => k.run });
    expect(store.append({ run: 'a', m: '1' }, 1, 1)).toBe(true);
    expect(store.append({ run: 'a', m: '2' }, 1, 1)).toBe(true);
    expect(store.append({ run: 'a', m: '3' }, 1, 1)).toBe(false);
    expect(store.buffer({ run: 'a', m: '3' })).toBeUndefined();
    // An existing series keeps taking points at the cap.
    expect(store.append({ run: 'a', m: '1' }, 2, 1)).toBe(true);
    expect(store.append({ run: 'b', m: '1' }, 1, 1)).toBe(true);
    expect(store.append({ run: 'c', m: '1' }, 1, 1)).toBe(false);
    expect(store.size).toBe(3);
    expect(store.replace({ run: 'c', m: '1' }, store.find({ run: 'b', m: '1' })!)).toBe(false);
    expect(store.remove((k) => k.run === 'a')).toBe(2);
    expect(store.append({ run: 'c', m: '1' }, 1, 1)).toBe(true);
    expect(store.append({ run: 'c', m: '2' }, 1, 1)).toBe(true);
    expect(store.append({ run: 'c', m: '3' }, 1, 1)).toBe(false);
    expect(store.keys().map((k) => `${k.run}/${k.m}`).sort()).toEqual(['b/1', 'c/1', 'c/2']);
  });
});

