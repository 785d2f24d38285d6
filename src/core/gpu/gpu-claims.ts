/**
 * Which GPUs a container holds, read from what the engine knows about it (`docker inspect`): its
 * DeviceRequests (`--gpus`, the NVIDIA driver or CDI), or, for a container of the NVIDIA runtime
 * (`--runtime=nvidia`), the last NVIDIA_VISIBLE_DEVICES of its environment (the PyTorch images set
 * `all` in theirs). Pure: the inspect data in, the claim out. Any user's container counts, not only
 * gpu-env's: on a shared server the question is who sits on a GPU.
 */
import type Docker from 'dockerode';
import { LABEL } from '../container/labels';

export interface GpuClaim {
  /** Container name, without the leading slash. */
  readonly container: string;
  readonly containerId: string;
  /** The gpu-env environment's name, or null for another container. */
  readonly environment: string | null;
  /** Who created it (gpu-env's owner label); null when unknown. */
  readonly owner: string | null;
  readonly running: boolean;
  /** Every GPU, or the engine's device ids: indices ("0") or UUIDs ("GPU-…", "MIG-…"). */
  readonly devices: 'all' | readonly string[];
}

type Inspect = Pick<Docker.ContainerInspectInfo, 'Id' | 'Name' | 'Config' | 'HostConfig' | 'State'>;

interface DeviceRequestLike {
  readonly Driver?: string;
  readonly Count?: number;
  readonly DeviceIDs?: readonly string[] | null;
  readonly Capabilities?: readonly (readonly string[])[] | null;
}

const CDI_GPU = /^nvidia\.com\/gpu=(.+)$/;

/** The GPUs a container asked for, or null when it asked for none. */
export function gpuClaimOf(inspect: Inspect): GpuClaim | null {
  const devices = requestedDevices(inspect);
  if (devices === null) return null;
  const labels = inspect.Config?.Labels ?? {};
  return {
    container: inspect.Name.replace(/^\//, ''),
    containerId: inspect.Id,
    environment: labels[LABEL.name] ?? null,
    owner: labels[LABEL.owner] ?? null,
    running: inspect.State?.Running === true,
    devices,
  };
}

function requestedDevices(inspect: Inspect): 'all' | string[] | null {
  const requests = ((inspect.HostConfig as { DeviceRequests?: DeviceRequestLike[] | null } | undefined)?.DeviceRequests ?? []);
  const ids: string[] = [];
  for (const request of requests) {
    const fromRequest = devicesOf(request);
    if (fromRequest === 'all') return 'all';
    ids.push(...fromRequest);
  }
  if (ids.length > 0) return unique(ids);
  const runtime = (inspect.HostConfig as { Runtime?: string } | undefined)?.Runtime ?? '';
  if (!runtime.startsWith('nvidia')) return null;
  const visible = lastEnv(inspect.Config?.Env ?? [], 'NVIDIA_VISIBLE_DEVICES');
  if (visible === undefined || visible === '' || visible === 'void' || visible === 'none') return null;
  return visible === 'all' ? 'all' : unique(visible.split(',').map((id) => id.trim()).filter((id) => id !== ''));
}

function devicesOf(request: DeviceRequestLike): 'all' | string[] {
  const driver = request.Driver ?? '';
  const wantsGpu = (request.Capabilities ?? []).some((set) => set.includes('gpu'));
  if (driver === 'cdi') {
    const gpus = (request.DeviceIDs ?? []).map((id) => CDI_GPU.exec(id)?.[1]).filter((id): id is string => id !== undefined);
    return gpus.includes('all') ? 'all' : gpus;
  }
  if (driver !== 'nvidia' && !(driver === '' && wantsGpu)) return [];
  if (request.DeviceIDs && request.DeviceIDs.length > 0) return [...request.DeviceIDs];
  const count = request.Count ?? 0;
  if (count < 0) return 'all';
  // Docker gives a count N the GPUs 0..N-1.
  return Array.from({ length: count }, (_, i) => String(i));
}

function lastEnv(env: readonly string[], name: string): string | undefined {
  let value: string | undefined;
  for (const entry of env) if (entry.startsWith(`${name}=`)) value = entry.slice(name.length + 1);
  return value;
}

function unique(ids: readonly string[]): string[] {
  return [...new Set(ids)];
}

/** Whether a claim covers the GPU with this index and UUID. */
export function claimCovers(claim: Pick<GpuClaim, 'devices'>, gpu: { readonly index: number; readonly uuid: string | null }): boolean {
  if (claim.devices === 'all') return true;
  return claim.devices.some((id) => (/^\d+$/.test(id) ? Number(id) === gpu.index : gpu.uuid !== null && id.toLowerCase() === gpu.uuid.toLowerCase()));
}
