import { describe, expect, it } from 'vitest';
import { Ema } from '../../../../media/dashboard/ema';

describe('Ema', () => {
  it('is debiased (starts at the first value) and passes gaps through', () => {
    const ema = new Ema(0.9);
    expect(ema.next(5)).toBeCloseTo(5);
    expect(ema.next(null)).toBeNull();
    const next = ema.next(15)!;
    expect(next).toBeGreaterThan(5);
    expect(next).toBeLessThan(15);
    expect(new Ema(0).next(3)).toBe(3);
  });
});
