import { describe, expect, it } from 'vitest';
import { toGpuReading } from '../../../../src/core/gpu/to-gpu-reading';
import { device, withDevices } from '../../../support/gpu-samples';

describe('toGpuReading', () => {
  it('maps bytes to MiB, keeps nulls, and explains a missing GPU', () => {
    const reading = toGpuReading(withDevices([device({ utilizationGpuPercent: 50, memoryUsedBytes: 2 * 1024 ** 2, name: null, index: null })]), { env: 'demo', receivedAtMs: 1_000 });
    expect(reading).toMatchObject({ time: 1, env: 'demo', cpuPct: 150.4, memTotalMiB: 16 * 1024, noGpuReason: null });
    expect(reading.devices).toEqual([{ index: 0, name: 'GPU 0', utilPct: 50, memUsedMiB: 2, memTotalMiB: null, tempC: null, powerW: null, powerLimitW: null, runId: null }]);
    const none = toGpuReading({ ...withDevices([]), gpu: { available: false, code: 'no-driver', reason: 'no NVIDIA driver in this environment', hint: 'Start it with GPU access.' } }, { env: null });
    expect(none.noGpuReason).toBe('no NVIDIA driver in this environment. Start it with GPU access.');
    expect(none.time).toBe(1_800_000_000);
  });
});
