/**
 * Who holds which GPU of one machine: every GPU from a fresh sample (utilisation, memory, its
 * processes), with the running containers whose requests cover it and the containers its processes
 * live in. What `gpu-env gpus` prints, what `up --gpus N` chooses from, and what the GPU Monitor
 * shows on each card. Pure: the sample, the claims and the process owners in, the view out.
 */
import { claimCovers, type GpuClaim } from './gpu-claims';
import type { GpuDevice } from './types';

export interface GpuHolder {
  /** The gpu-env environment, or null for a container gpu-env did not create. */
  readonly environment: string | null;
  /** The container's name, or on a cluster the job (`job 123`). */
  readonly container: string;
  readonly owner: string | null;
  /** What `container` names; absent: a container. */
  readonly kind?: 'container' | 'job';
}

export interface GpuProcessView {
  /** As NVML reports it: a pid of the machine's PID namespace. */
  readonly pid: number;
  readonly usedMemoryBytes: number | null;
  /** The container it runs in, when it runs in one. */
  readonly container: string | null;
  readonly environment: string | null;
}

export interface HostGpu {
  /** The machine's index (on a cluster: the GPU's index on its node). */
  readonly index: number;
  /** On a cluster: the node it is in. */
  readonly node?: string;
  readonly uuid: string | null;
  readonly name: string | null;
  readonly utilizationGpuPercent: number | null;
  readonly memoryUsedBytes: number | null;
  readonly memoryTotalBytes: number | null;
  /** Running containers whose GPU request covers this GPU. */
  readonly holders: readonly GpuHolder[];
  /** Its processes; null when the driver does not say (no permission, nvidia-smi fallback). */
  readonly processes: readonly GpuProcessView[] | null;
  /** No running container holds it. */
  readonly free: boolean;
}

/** Where a GPU process runs, as the probe read it from /proc in the machine's PID namespace. */
export interface ProcessOwner {
  /** The container's full id, or null for a process outside containers. */
  readonly containerId: string | null;
}

export interface HolderInput {
  readonly devices: readonly GpuDevice[];
  /** Claims of every container on the engine, running or not (only running ones hold). */
  readonly claims: readonly GpuClaim[];
  /** Container id → name and environment, for every container (to name a process's container). */
  readonly containers: ReadonlyMap<string, { readonly container: string; readonly environment: string | null }>;
  readonly owners: ReadonlyMap<number, ProcessOwner>;
}

export function hostGpus(input: HolderInput): HostGpu[] {
  const running = input.claims.filter((claim) => claim.running);
  return input.devices.map((device, position) => {
    const index = device.index ?? position;
    const holders = running
      .filter((claim) => claimCovers(claim, { index, uuid: device.uuid }))
      .map((claim): GpuHolder => ({ environment: claim.environment, container: claim.container, owner: claim.owner }));
    return {
      index,
      uuid: device.uuid,
      name: device.name,
      utilizationGpuPercent: device.utilizationGpuPercent,
      memoryUsedBytes: device.memoryUsedBytes,
      memoryTotalBytes: device.memoryTotalBytes,
      holders,
      processes: device.processes === null ? null : device.processes.map((process) => processView(process.pid, process.usedMemoryBytes, input)),
      free: holders.length === 0,
    };
  });
}

function processView(pid: number, usedMemoryBytes: number | null, input: HolderInput): GpuProcessView {
  const containerId = input.owners.get(pid)?.containerId ?? null;
  const known = containerId === null ? undefined : input.containers.get(containerId);
  return { pid, usedMemoryBytes, container: known?.container ?? (containerId === null ? null : containerId.slice(0, 12)), environment: known?.environment ?? null };
}

/** `alice/exp1`, `exp1` (no owner recorded), or `container web-1` (not a gpu-env environment). */
export function holderName(holder: GpuHolder): string {
  if (holder.environment === null) return holder.kind === 'job' ? holder.container : `container ${holder.container}`;
  return holder.owner === null ? holder.environment : `${holder.owner}/${holder.environment}`;
}
