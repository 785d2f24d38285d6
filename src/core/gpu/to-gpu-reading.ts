/**
 * The one mapping from the sampler's `GpuSample` to the dashboard's `GpuReading`
 * (src/shared/gpu-reading.ts), so the dashboard never depends on sampler internals.
 */
import type { GpuDeviceReading, GpuReading } from '../../shared/gpu-reading';
import type { GpuDevice, GpuSample } from './types';
import type { GpuHolderRef } from '../../shared/protocol/monitor';

const MIB = 1024 * 1024;

export interface ReadingContext {
  readonly env: string | null;
  /** Host clock when the sample arrived; the container's clock is used when absent. */
  readonly receivedAtMs?: number;
  /** The run owning a device's processes (see process-map.ts); null when unknown. */
  readonly runIdFor?: (device: GpuDevice) => string | null;
  /** The label of that run, when known. */
  readonly runLabelFor?: (device: GpuDevice) => string | null;
  /** Who holds the `position`-th device (gpu-attribution.ts). */
  readonly holdersFor?: (device: GpuDevice, position: number) => readonly GpuHolderRef[];
}

function mebibytes(bytes: number | null): number | null {
  return bytes === null ? null : bytes / MIB;
}

function toDeviceReading(device: GpuDevice, position: number, context: ReadingContext): GpuDeviceReading {
  const index = device.index ?? position;
  return {
    index,
    name: device.name ?? `GPU ${index}`,
    utilPct: device.utilizationGpuPercent,
    memUsedMiB: mebibytes(device.memoryUsedBytes),
    memTotalMiB: mebibytes(device.memoryTotalBytes),
    tempC: device.temperatureC,
    powerW: device.powerDrawW,
    powerLimitW: device.powerLimitW,
    runId: context.runIdFor?.(device) ?? null,
    ...(context.runLabelFor ? { runLabel: context.runLabelFor(device) } : {}),
    ...(context.holdersFor ? { holders: context.holdersFor(device, position) } : {}),
  };
}

function noGpuReason(sample: GpuSample): string | null {
  if (!sample.gpu.available) return sample.gpu.hint ? `${sample.gpu.reason}. ${sample.gpu.hint}` : sample.gpu.reason;
  return sample.gpu.devices.length === 0 ? 'the GPU source reported no devices' : null;
}

export function toGpuReading(sample: GpuSample, context: ReadingContext): GpuReading {
  const devices = sample.gpu.available ? sample.gpu.devices : [];
  return {
    time: (context.receivedAtMs ?? sample.timeMs) / 1000,
    env: context.env,
    devices: devices.map((device, i) => toDeviceReading(device, i, context)),
    cpuPct: sample.container.cpuPercent,
    memUsedMiB: mebibytes(sample.container.memoryUsedBytes),
    memTotalMiB: mebibytes(sample.container.memoryLimitBytes),
    noGpuReason: noGpuReason(sample),
  };
}
