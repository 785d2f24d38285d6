import type { GpuReading } from '../../shared/gpu-reading';

/**
 * A reading with every figure unknown at the moment the stream broke, so the charts and
 * sparklines break their lines there instead of joining across the missing time.
 */
export function gapReading(last: GpuReading, atMs: number): GpuReading {
  return {
    ...last,
    time: Math.max(last.time, atMs / 1000),
    devices: last.devices.map((d) => ({ ...d, utilPct: null, memUsedMiB: null, tempC: null, powerW: null })),
    cpuPct: null,
    memUsedMiB: null,
  };
}
