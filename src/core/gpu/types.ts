/**
 * What the GPU monitor knows about an environment at one instant, after validation.
 * Produced by parse-agent-line.ts from the agent's JSON lines (media/agent/gpu_env_agent.py).
 *
 * Units: bytes, watts, degrees Celsius, MHz, percent. A value the GPU, driver or source does
 * not provide is null, never 0, so charts can leave it out instead of drawing a false zero.
 */

export interface GpuProcess {
  /** As NVML reports it: inside a container usually a HOST pid (see process-map.ts). */
  readonly pid: number;
  readonly usedMemoryBytes: number | null;
}

export interface GpuDevice {
  readonly index: number | null;
  readonly uuid: string | null;
  readonly name: string | null;
  /** 0..100 or null (null on MIG-enabled GPUs, where NVML has no whole-GPU utilisation). */
  readonly utilizationGpuPercent: number | null;
  readonly utilizationMemoryPercent: number | null;
  readonly memoryUsedBytes: number | null;
  readonly memoryTotalBytes: number | null;
  readonly temperatureC: number | null;
  readonly powerDrawW: number | null;
  readonly powerLimitW: number | null;
  readonly smClockMHz: number | null;
  readonly fanPercent: number | null;
  /** "P0".."P15". */
  readonly pstate: string | null;
  readonly migEnabled: boolean | null;
  /** null: unknown (not supported, no permission, or the nvidia-smi fallback). */
  readonly processes: readonly GpuProcess[] | null;
  /** Field name -> driver error, for failures other than "not supported". */
  readonly errors: Readonly<Record<string, string>>;
}

export type GpuSource = 'nvml' | 'nvidia-smi';

export interface GpuAvailable {
  readonly available: true;
  readonly source: GpuSource;
  readonly devices: readonly GpuDevice[];
}

export type GpuUnavailableCode = 'no-driver' | 'nvml-init-failed' | 'nvidia-smi-failed' | 'unknown';

export interface GpuUnavailable {
  readonly available: false;
  readonly code: GpuUnavailableCode;
  /** The agent's own words, e.g. "no NVIDIA driver in this environment". */
  readonly reason: string;
  /** What the user can do about it, when we know. */
  readonly hint: string | null;
}

export type GpuStatus = GpuAvailable | GpuUnavailable;

/** Resource use of the environment's container (cgroup), or of the machine when no cgroup. */
export interface ContainerUsage {
  /** Percent of ONE CPU, like `docker stats`: 250 means 2.5 cores busy. */
  readonly cpuPercent: number | null;
  readonly cpuLimitCores: number | null;
  readonly cpuCount: number | null;
  readonly memoryUsedBytes: number | null;
  /** The cgroup limit, or the machine's total memory when the container has none. */
  readonly memoryLimitBytes: number | null;
  readonly memoryLimited: boolean;
}

export interface GpuSample {
  readonly seq: number;
  /** When the agent took the sample (epoch ms, the container's clock). */
  readonly timeMs: number;
  readonly container: ContainerUsage;
  readonly gpu: GpuStatus;
  /** Things dropped or repaired while validating (bounded). */
  readonly warnings: readonly string[];
}

export type PidNamespace = 'initial' | 'child' | 'unknown';

export interface AgentHello {
  readonly agentVersion: string;
  readonly protocol: number;
  readonly pid: number;
  readonly intervalMs: number;
  readonly source: GpuSource | 'none';
  readonly gpu: GpuStatus | { readonly available: true; readonly source: GpuSource };
  readonly pidNamespace: PidNamespace;
  readonly cpuSource: string;
  readonly memorySource: string;
}

export type AgentLine =
  | { readonly ok: true; readonly kind: 'hello'; readonly hello: AgentHello }
  | { readonly ok: true; readonly kind: 'sample'; readonly sample: GpuSample }
  | { readonly ok: false; readonly reason: string };
