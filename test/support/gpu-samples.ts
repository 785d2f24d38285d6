import type { ContainerUsage, GpuDevice, GpuSample } from '../../src/core/gpu/types';

export const GIB = 1024 ** 3;

export const container: ContainerUsage = {
  cpuPercent: 150.4, cpuLimitCores: null, cpuCount: 8, memoryUsedBytes: 3.2 * GIB, memoryLimitBytes: 16 * GIB, memoryLimited: false,
};

export function device(overrides: Partial<GpuDevice>): GpuDevice {
  return {
    index: 0, uuid: null, name: 'GPU', utilizationGpuPercent: null, utilizationMemoryPercent: null, memoryUsedBytes: null,
    memoryTotalBytes: null, temperatureC: null, powerDrawW: null, powerLimitW: null, smClockMHz: null, fanPercent: null,
    pstate: null, migEnabled: null, processes: null, errors: {}, ...overrides,
  };
}

export function withDevices(devices: GpuDevice[]): GpuSample {
  return { seq: 1, timeMs: 1_800_000_000_000, container, gpu: { available: true, source: 'nvml', devices }, warnings: [] };
}
