/**
 * Exponential moving average as TensorBoard draws it: debiased, so the first points are not
 * pulled towards zero. Incremental, so an append costs O(new points). Gaps (null) pass through
 * as gaps and do not disturb the average.
 */

export class Ema {
  private acc = 0;
  private n = 0;

  constructor(private readonly weight: number) {}

  next(value: number | null): number | null {
    if (value === null) return null;
    this.acc = this.weight * this.acc + (1 - this.weight) * value;
    this.n++;
    return this.acc / (1 - this.weight ** this.n);
  }
}
