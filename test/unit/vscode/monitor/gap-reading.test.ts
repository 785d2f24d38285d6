import { describe, expect, it } from 'vitest';
import type { GpuReading } from '../../../../src/shared/gpu-reading';
import { gapReading } from '../../../../src/vscode/monitor/gap-reading';

describe('gap reading', () => {
  it('keeps names and totals, blanks every figure, never goes back in time', () => {
    const last: GpuReading = {
      time: 100, env: 'a', cpuPct: 50, memUsedMiB: 10, memTotalMiB: 20, noGpuReason: null,
      devices: [{ index: 0, name: 'X', utilPct: 1, memUsedMiB: 2, memTotalMiB: 3, tempC: 4, powerW: 5, powerLimitW: 6, runId: 'r' }],
    };
    expect(gapReading(last, 50_000)).toEqual({
      time: 100, env: 'a', cpuPct: null, memUsedMiB: null, memTotalMiB: 20, noGpuReason: null,
      devices: [{ index: 0, name: 'X', utilPct: null, memUsedMiB: null, memTotalMiB: 3, tempC: null, powerW: null, powerLimitW: 6, runId: 'r' }],
    });
  });
});
