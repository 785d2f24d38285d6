import { describe, expect, it } from 'vitest';
import { formatClockTicks } from '../../../../media/dashboard/format';

const at = (...parts: [number, number, number, number, number, number]): number => new Date(...parts).getTime() / 1000;

describe('dashboard: clock-time axis ticks', () => {
  it('one line per tick, seconds when ticks are under a minute apart, across a minute boundary', () => {
    const splits = [at(2026, 10, 24, 21, 59, 40), at(2026, 10, 24, 21, 59, 50), at(2026, 10, 24, 22, 0, 0), at(2026, 10, 24, 22, 0, 10)];
    expect(formatClockTicks(splits, 10)).toEqual(['21:59:40', '21:59:50', '22:00:00', '22:00:10']);
  });

  it('hh:mm when ticks are a minute or more apart', () => {
    expect(formatClockTicks([at(2026, 10, 24, 9, 5, 0), at(2026, 10, 24, 9, 10, 0)], 300)).toEqual(['09:05', '09:10']);
  });

  it('a range over midnight dates its first tick and the first of the new day', () => {
    const splits = [at(2026, 10, 24, 23, 0, 0), at(2026, 10, 24, 23, 30, 0), at(2026, 10, 25, 0, 0, 0), at(2026, 10, 25, 0, 30, 0)];
    expect(formatClockTicks(splits, 1800)).toEqual(['11-24 23:00', '23:30', '11-25 00:00', '00:30']);
  });

  it('blank for ticks uPlot leaves empty', () => {
    expect(formatClockTicks([null, at(2026, 0, 2, 3, 4, 5), Number.NaN], 1)).toEqual(['', '03:04:05', '']);
  });
});
