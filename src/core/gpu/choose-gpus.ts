/**
 * `--gpus N`: the N GPUs that no running container holds, least used first by a fresh sample
 * (utilisation, then memory in use, then index), returned in that order. When fewer are free it is the user's request that
 * cannot be met here, not a failure: a usage error (exit 2) that names who holds each other GPU, so
 * they know whom to ask or what to stop.
 */
import { usageError } from '../errors';
import { holderName, type HostGpu } from './gpu-holders';

export function chooseFreeGpus(gpus: readonly HostGpu[], count: number, field: string, where: string): HostGpu[] {
  const free = gpus.filter((gpu) => gpu.free).sort(leastUsedFirst);
  if (free.length >= count) return free.slice(0, count);
  const held = gpus.filter((gpu) => !gpu.free).map((gpu) => `  GPU ${gpu.index}: ${gpu.holders.map(holderName).join(', ')}`);
  const freeText = free.length === 0 ? 'none is free' : `only ${free.length} ${free.length === 1 ? 'is' : 'are'} free (${free.map((gpu) => gpu.index).join(', ')})`;
  throw usageError([
    `${field} ${count}: ${where} has ${gpus.length} GPU${gpus.length === 1 ? '' : 's'} and ${freeText}; held by running environments:`,
    ...held,
    `Ask for fewer, stop one of them, or name GPUs with ${field} device=… to share them (gpu-env gpus shows who holds what).`,
  ].join('\n'));
}

function leastUsedFirst(a: HostGpu, b: HostGpu): number {
  return (a.utilizationGpuPercent ?? 0) - (b.utilizationGpuPercent ?? 0)
    || (a.memoryUsedBytes ?? 0) - (b.memoryUsedBytes ?? 0)
    || a.index - b.index;
}
