/**
 * The status bar item: "GPU 93% · 20.1/24 GB". Pure, so the extension only places the text.
 *
 * Several GPUs: mean utilisation over the GPUs that report one, memory summed ("2 GPUs 52% ·
 * 40.2/48 GB"). No GPU: the container's CPU and memory instead ("CPU 150% · 3.2/16 GB"), so the
 * item still says something true on a machine without a driver.
 */
import type { GpuDevice, GpuSample } from './types';
import { NO_VALUE, formatMemoryPair, formatPercent } from './format';

const SEPARATOR = ' · ';

function mean(values: readonly number[]): number | null {
  return values.length === 0 ? null : values.reduce((a, b) => a + b, 0) / values.length;
}

function summedMemory(devices: readonly GpuDevice[]): { used: number; total: number } | null {
  const known = devices.filter((d) => d.memoryUsedBytes !== null && d.memoryTotalBytes !== null);
  if (known.length === 0) return null;
  return {
    used: known.reduce((sum, d) => sum + d.memoryUsedBytes!, 0),
    total: known.reduce((sum, d) => sum + d.memoryTotalBytes!, 0),
  };
}

function gpuText(devices: readonly GpuDevice[]): string {
  const label = devices.length === 1 ? 'GPU' : `${devices.length} GPUs`;
  const utilization = mean(devices.flatMap((d) => (d.utilizationGpuPercent === null ? [] : [d.utilizationGpuPercent])));
  const memory = summedMemory(devices);
  const parts = [`${label} ${formatPercent(utilization)}`];
  const pair = memory && formatMemoryPair(memory.used, memory.total);
  if (pair) parts.push(pair);
  return parts.join(SEPARATOR);
}

function cpuText(sample: GpuSample): string {
  const { cpuPercent, memoryUsedBytes, memoryLimitBytes } = sample.container;
  const parts = [`CPU ${formatPercent(cpuPercent)}`];
  const pair = formatMemoryPair(memoryUsedBytes, memoryLimitBytes);
  if (pair) parts.push(pair);
  return parts.join(SEPARATOR);
}

export function statusText(sample: GpuSample): string {
  if (sample.gpu.available && sample.gpu.devices.length > 0) return gpuText(sample.gpu.devices);
  return cpuText(sample);
}

/** Longer text for the status bar tooltip: one line per GPU, then the container, then why not. */
export function statusTooltip(sample: GpuSample): string {
  const lines: string[] = [];
  if (sample.gpu.available) {
    for (const d of sample.gpu.devices) {
      const memory = formatMemoryPair(d.memoryUsedBytes, d.memoryTotalBytes) ?? `memory ${NO_VALUE}`;
      const mig = d.migEnabled ? ' (MIG: no whole-GPU utilisation)' : '';
      lines.push(`GPU ${d.index ?? '?'} ${d.name ?? ''}: ${formatPercent(d.utilizationGpuPercent)} · ${memory}${mig}`);
    }
    if (sample.gpu.devices.length === 0) lines.push('No GPU rows in the last sample.');
  } else {
    lines.push(`No GPU: ${sample.gpu.reason}`);
    if (sample.gpu.hint) lines.push(sample.gpu.hint);
  }
  lines.push(cpuText(sample));
  return lines.join('\n');
}
