/**
 * What the GPU monitor and the dashboard need from one sampling round, independent of how it was
 * sampled (NVML agent, nvidia-smi fallback). src/core/gpu owns the sampler and its `GpuSample`
 * types; src/core/gpu/to-gpu-reading.ts maps a sample to a `GpuReading` in one place, so this
 * data path never depends on the sampler's internals.
 *
 * Fields a device cannot report (`[N/A]`, `[Not Supported]`, MIG) are null, never 0: a card that
 * says 0 W is lying, a card that says "n/a" is not.
 */
import { GPU_FIGURE_RANGES, type GpuDeviceFigures, type GpuHolderRef } from './protocol/monitor';

/** A device's figures (the monitor's cards show them as they are) and the run using it. */
export interface GpuDeviceReading extends GpuDeviceFigures {
  /** The run whose process uses this GPU, when the sampler could map it. */
  readonly runId: string | null;
  /** The run's label as the environment's runner has it, when the sampler knows it. */
  readonly runLabel?: string | null;
  /** Running environments holding this GPU (empty when unknown). */
  readonly holders?: readonly GpuHolderRef[];
}

export interface GpuReading {
  /** Unix seconds. */
  readonly time: number;
  readonly env: string | null;
  readonly devices: readonly GpuDeviceReading[];
  /** CPU (percent of one core, summed) and memory of the whole environment. */
  readonly cpuPct: number | null;
  readonly memUsedMiB: number | null;
  readonly memTotalMiB: number | null;
  /** Why there are no devices (no runtime, NVML failed, no environment…); null when there are. */
  readonly noGpuReason: string | null;
}

/** Non-finite or out-of-range numbers → null, so that nothing downstream draws garbage. */
export function sanitizeGpuReading(reading: GpuReading): GpuReading {
  return {
    time: reading.time,
    env: reading.env,
    devices: reading.devices.map((d) => ({
      index: d.index,
      name: d.name,
      utilPct: bounded(d.utilPct, ...GPU_FIGURE_RANGES.utilPct),
      memUsedMiB: bounded(d.memUsedMiB, ...GPU_FIGURE_RANGES.memUsedMiB),
      memTotalMiB: bounded(d.memTotalMiB, ...GPU_FIGURE_RANGES.memTotalMiB),
      tempC: bounded(d.tempC, ...GPU_FIGURE_RANGES.tempC),
      powerW: bounded(d.powerW, ...GPU_FIGURE_RANGES.powerW),
      powerLimitW: bounded(d.powerLimitW, ...GPU_FIGURE_RANGES.powerLimitW),
      runId: d.runId,
      ...(d.runLabel !== undefined ? { runLabel: d.runLabel } : {}),
      ...(d.holders ? { holders: d.holders } : {}),
    })),
    cpuPct: bounded(reading.cpuPct, 0, 100 * 4096),
    memUsedMiB: bounded(reading.memUsedMiB, 0, Number.MAX_VALUE),
    memTotalMiB: bounded(reading.memTotalMiB, 0, Number.MAX_VALUE),
    noGpuReason: reading.noGpuReason,
  };
}

function bounded(x: number | null, min: number, max: number): number | null {
  return x !== null && Number.isFinite(x) && x >= min && x <= max ? x : null;
}

/** Memory use in percent of total, or null when either is unknown. */
export function memPercent(used: number | null, total: number | null): number | null {
  return used !== null && total !== null && total > 0 ? Math.min(100, (used / total) * 100) : null;
}
