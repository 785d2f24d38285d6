import { describe, expect, it } from 'vitest';
import { SeriesModel } from '../../../../media/dashboard/series-model';
import type { SnapshotMessage } from '../../../../src/shared/protocol/dashboard';

describe('SeriesModel', () => {
  const snapshot: SnapshotMessage = {
    type: 'snapshot',
    seq: 0,
    runs: [],
    selectedRuns: ['r'],
    series: [{ key: { kind: 'metric', run: 'r', split: 'train', metric: 'loss' }, t: [1], v: [1], nonFinite: 0 }],
    events: [],
    stats: { lines: 1, rejected: 0, oversized: 0, overSeriesLimit: 0 },
    thinned: { series: 0, points: 0 },
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
