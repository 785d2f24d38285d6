/**
 * Who a sampled GPU belongs to, for the monitor: the run of this environment whose process uses it
 * (process-map.ts, from the GPU process pids the agent reports), and the running environments that
 * hold it, this one included. The sample stream is synchronous and frequent; looking these up is
 * not, so lookups run in the background when something changed (other GPU pids, every
 * `claimsEveryMs` for holders) and each sample reads the last answers.
 */
import { messageOf } from '../errors';
import { claimCovers, type GpuClaim } from './gpu-claims';
import type { GpuHolder } from './gpu-holders';
import { mapGpuProcessesToRuns, type ProcessView, type ProcStatusReader, type RunPid } from './process-map';
import type { AgentHello, GpuDevice, GpuSample } from './types';

/** Where the environment's GPU processes can be looked up, or why they cannot. */
export type ProcessLookup =
  | { readonly kind: 'view'; readonly view: ProcessView; readonly readStatus: ProcStatusReader }
  | { readonly kind: 'none'; readonly reason: string };

export interface RunOfPid extends RunPid {
  readonly label: string | null;
}

export interface ClaimsSnapshot {
  /** This environment's own claim: which host GPUs it sees, in the order it enumerates them. */
  readonly own: GpuClaim | null;
  /** Every running container's claim, this environment's included. */
  readonly running: readonly GpuClaim[];
}

export interface AttributionDeps {
  /** How to read the GPU processes' ancestry now; asked for each mapping. */
  processLookup(hello: AgentHello | null): Promise<ProcessLookup>;
  /** The environment's runs with their process ids (status.json). */
  runPids(): Promise<readonly RunOfPid[]>;
  claims(): Promise<ClaimsSnapshot>;
  readonly claimsEveryMs?: number;
  readonly now?: () => number;
  readonly log?: (message: string) => void;
}

export interface HolderOfGpu extends GpuHolder {
  /** The environment being monitored. */
  readonly self: boolean;
}

export class GpuAttribution {
  private hello: AgentHello | null = null;
  private pidKey = '';
  private mapping = new Map<number, { runId: string; label: string | null }>();
  private note: string | null = null;
  private claims: ClaimsSnapshot | null = null;
  private claimsAt = -Infinity;
  private busy = { runs: false, claims: false };
  private pendingPids: readonly number[] | null = null;
  private readonly inflight = new Set<Promise<void>>();
  private disposed = false;

  constructor(private readonly deps: AttributionDeps, private readonly environment: string | null) {}

  /** The agent's hello: its PID namespace decides how processes are looked up. */
  setHello(hello: AgentHello): void {
    this.hello = hello;
  }

  /** Call for every sample; starts the lookups its content calls for. */
  observe(sample: GpuSample): void {
    if (this.disposed) return;
    const now = (this.deps.now ?? Date.now)();
    if (now - this.claimsAt >= (this.deps.claimsEveryMs ?? 30_000)) this.track(this.refreshClaims(now));
    if (!sample.gpu.available) return;
    const pids = [...new Set(sample.gpu.devices.flatMap((d) => (d.processes ?? []).map((p) => p.pid)))].sort((a, b) => a - b);
    const key = pids.join(',');
    if (key === this.pidKey) return;
    this.pidKey = key;
    this.track(this.refreshRuns(pids));
  }

  /** Resolves when the lookups started so far have ended (for a one-shot answer). */
  async settled(): Promise<void> {
    while (this.inflight.size > 0) await Promise.all([...this.inflight]);
  }

  private track(work: Promise<void>): void {
    this.inflight.add(work);
    void work.finally(() => this.inflight.delete(work));
  }

  /** The run using this device, by its processes' mapping; null when none is known. */
  runFor(device: GpuDevice): { readonly runId: string; readonly label: string | null } | null {
    for (const process of device.processes ?? []) {
      const run = this.mapping.get(process.pid);
      if (run) return run;
    }
    return null;
  }

  /** Running environments holding this device (the `position`-th the environment sees). */
  holdersFor(device: GpuDevice, position: number): HolderOfGpu[] {
    const claims = this.claims;
    if (!claims) return [];
    const gpu = { index: hostIndex(claims.own, device, position), uuid: device.uuid };
    return claims.running
      .filter((claim) => claimCovers(claim, gpu))
      .map((claim) => ({ environment: claim.environment, container: claim.container, owner: claim.owner, self: claim.containerId === claims.own?.containerId }));
  }

  /** Why runs cannot be matched to GPU processes here, when they cannot. */
  get cannotMap(): string | null {
    return this.note;
  }

  dispose(): void {
    this.disposed = true;
  }

  private async refreshClaims(now: number): Promise<void> {
    if (this.busy.claims) return;
    this.busy.claims = true;
    this.claimsAt = now;
    try {
      this.claims = await this.deps.claims();
    } catch (error) {
      this.deps.log?.(`GPU holders of ${this.environment ?? 'the environment'}: ${messageOf(error)}`);
    } finally {
      this.busy.claims = false;
    }
  }

  private async refreshRuns(pids: readonly number[]): Promise<void> {
    if (this.busy.runs) {
      this.pendingPids = pids;
      return;
    }
    this.busy.runs = true;
    try {
      this.mapping = await this.map(pids);
    } catch (error) {
      this.note = `cannot map: ${messageOf(error)}`;
      this.deps.log?.(`GPU processes of ${this.environment ?? 'the environment'}: ${messageOf(error)}`);
    } finally {
      this.busy.runs = false;
    }
    const next = this.pendingPids;
    this.pendingPids = null;
    if (next && !this.disposed) await this.refreshRuns(next);
  }

  private async map(pids: readonly number[]): Promise<Map<number, { runId: string; label: string | null }>> {
    if (pids.length === 0) return new Map();
    const lookup = await this.deps.processLookup(this.hello);
    if (lookup.kind === 'none') {
      this.note = lookup.reason;
      return new Map();
    }
    const runs = (await this.deps.runPids()).filter((run) => run.pid > 0);
    if (runs.length === 0) return new Map();
    const result = await mapGpuProcessesToRuns({ gpuPids: pids, runs, view: lookup.view, readStatus: lookup.readStatus });
    if (result.kind === 'cannot-map') {
      this.note = result.reason;
      return new Map();
    }
    this.note = null;
    const labels = new Map(runs.map((run) => [run.runId, run.label]));
    const mapping = new Map<number, { runId: string; label: string | null }>();
    for (const entry of result.mappings) if (entry.status === 'run') mapping.set(entry.gpuPid, { runId: entry.runId, label: labels.get(entry.runId) ?? null });
    return mapping;
  }
}

/**
 * The host index of the `position`-th GPU an environment sees: GPUs enumerate in the host's order,
 * so it is the position-th of the indices the environment asked for (all GPUs: the position itself).
 * UUID claims need no index; -1 when it cannot be told.
 */
function hostIndex(own: GpuClaim | null, device: GpuDevice, position: number): number {
  const at = device.index ?? position;
  if (own === null || own.devices === 'all') return at;
  const indices = own.devices.filter((id) => /^\d+$/.test(id)).map(Number).sort((a, b) => a - b);
  return indices.length === own.devices.length ? indices[at] ?? -1 : -1;
}
