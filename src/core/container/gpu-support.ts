import type { GpuRequest } from '../validate';
import { GpuEnvError } from '../errors';

/** What the engine can give containers, from `docker info`. */
export interface EngineGpuSupport {
  readonly nvidiaRuntime: boolean;
  readonly cdi: boolean;
}

export function gpuSupportFromInfo(info: unknown): EngineGpuSupport {
  const record = (typeof info === 'object' && info !== null ? info : {}) as Record<string, unknown>;
  const runtimes = record.Runtimes;
  const nvidiaRuntime = typeof runtimes === 'object' && runtimes !== null && Object.keys(runtimes).some((name) => name.startsWith('nvidia'));
  const discovered = record.DiscoveredDevices;
  const cdi = Array.isArray(discovered) && discovered.some((d) => typeof d === 'object' && d !== null && String((d as Record<string, unknown>).ID ?? '').startsWith('nvidia.com/gpu'));
  return { nvidiaRuntime, cdi };
}

export interface DeviceRequest {
  readonly Driver: string;
  readonly Count?: number;
  readonly DeviceIDs?: string[];
  readonly Capabilities: string[][];
}

export interface GpuPlan {
  readonly deviceRequests: DeviceRequest[];
  /** `all`, `none`, or the ids, for labels and output. */
  readonly description: string;
  readonly warning?: string;
}

/**
 * Turns the request into DeviceRequests. With no GPU runtime, `auto` starts CPU-only with one
 * warning; GPUs the user named explicitly (with `gpusField`) and cannot have are an error.
 */
export function planGpus(request: GpuRequest, support: EngineGpuSupport, engine: string, gpusField: string): GpuPlan {
  const available = support.nvidiaRuntime || support.cdi;
  if (request.kind === 'none') return { deviceRequests: [], description: 'none' };
  if (!available) {
    if (request.kind === 'auto') {
      return {
        deviceRequests: [],
        description: 'none',
        warning: `no NVIDIA runtime or CDI GPU devices on the engine at ${engine}: starting CPU-only (install the NVIDIA Container Toolkit for GPUs)`,
      };
    }
    const asked = request.kind === 'all' ? 'all' : request.kind === 'count' ? String(request.count) : request.ids.join(',');
    throw new GpuEnvError(`${gpusField} ${asked}: the engine at ${engine} offers no NVIDIA runtime or CDI GPU devices; install the NVIDIA Container Toolkit on that host, or use ${gpusField} none`);
  }
  // A count is not a plan yet: the caller chooses the GPUs (lifecycle/gpu-choice.ts); until then, all.
  const ids = request.kind === 'devices' ? request.ids : undefined;
  return { deviceRequests: gpuDeviceRequests(ids, support), description: ids ? ids.join(',') : 'all' };
}

/** The DeviceRequests for GPUs `ids` (all when undefined) on an engine that offers GPUs (`support`). */
export function gpuDeviceRequests(ids: readonly string[] | undefined, support: EngineGpuSupport): DeviceRequest[] {
  if (support.nvidiaRuntime) return [ids ? { Driver: 'nvidia', DeviceIDs: [...ids], Capabilities: [['gpu']] } : { Driver: 'nvidia', Count: -1, Capabilities: [['gpu']] }];
  return [{ Driver: 'cdi', DeviceIDs: ids ? ids.map((id) => `nvidia.com/gpu=${id}`) : ['nvidia.com/gpu=all'], Capabilities: [['gpu']] }];
}
