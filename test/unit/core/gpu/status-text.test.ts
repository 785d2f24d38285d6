import { describe, expect, it } from 'vitest';
import { statusText, statusTooltip } from '../../../../src/core/gpu/status-text';
import { parseNvidiaSmiCsv } from '../../../../src/core/gpu/parse-nvidia-smi-csv';
import type { GpuSample } from '../../../../src/core/gpu/types';
import { loadGpuFixture } from '../../../support/gpu-fixtures';
import { GIB, container, device, withDevices } from '../../../support/gpu-samples';

describe('statusText', () => {
  it('one GPU: utilisation and memory, total without a trailing .0', () => {
    // 24 GiB card (24564 MiB as NVML reports an RTX 4090) with 20.1 GiB used.
    const text = statusText(withDevices([device({ utilizationGpuPercent: 93, memoryUsedBytes: 20.1 * GIB, memoryTotalBytes: 24564 * 1024 ** 2 })]));
    expect(text).toBe('GPU 93% · 20.1/24 GB');
  });

  it('several GPUs: mean utilisation of those that report one, memory summed', () => {
    const text = statusText(withDevices([
      device({ utilizationGpuPercent: 90, memoryUsedBytes: 20 * GIB, memoryTotalBytes: 24 * GIB }),
      device({ index: 1, utilizationGpuPercent: 15, memoryUsedBytes: 20.2 * GIB, memoryTotalBytes: 24 * GIB }),
      device({ index: 2, utilizationGpuPercent: null }),
    ]));
    expect(text).toBe('3 GPUs 53% · 40.2/48 GB');
  });

  it('MIG (no utilisation) from the real H100 capture: a dash, and real memory', () => {
    const fixture = loadGpuFixture('nvidia-gpu-exporter-h100-mig-load.csv');
    const devices = [...parseNvidiaSmiCsv(fixture.text).devices];
    expect(statusText(withDevices(devices))).toBe('GPU – · 10.9/79.6 GB');
    expect(statusTooltip(withDevices(devices))).toContain('MIG: no whole-GPU utilisation');
  });

  it('no GPU: CPU and memory of the container instead', () => {
    const sample: GpuSample = {
      seq: 1, timeMs: 0, container, warnings: [],
      gpu: { available: false, code: 'no-driver', reason: 'no NVIDIA driver in this environment', hint: 'Start it with GPU access.' },
    };
    expect(statusText(sample)).toBe('CPU 150% · 3.2/16 GB');
    expect(statusTooltip(sample)).toBe('No GPU: no NVIDIA driver in this environment\nStart it with GPU access.\nCPU 150% · 3.2/16 GB');
  });

  it('leaves out what is unknown instead of printing zeros', () => {
    const sample: GpuSample = { ...withDevices([device({ utilizationGpuPercent: 7 })]) };
    expect(statusText(sample)).toBe('GPU 7%');
    const cpuOnly: GpuSample = {
      seq: 1, timeMs: 0, warnings: [], gpu: { available: false, code: 'unknown', reason: 'x', hint: null },
      container: { ...container, cpuPercent: null, memoryLimitBytes: null },
    };
    expect(statusText(cpuOnly)).toBe('CPU –');
  });
});
