import type { DoctorOptions } from '../doctor/run-doctor';
import type { DoctorReport } from '../doctor/types';
import type { CoreContext } from '../lifecycle/context';
import type { EnvironmentInfo } from '../lifecycle/environment-info';
import type { GpuHoldersReport, GpusOptions } from '../lifecycle/gpus';
import type { IdleReport } from '../lifecycle/idle-files';
import type { ClaimsSnapshot, ProcessLookup } from '../gpu/gpu-attribution';
import type { EnvironmentChange, EventWatcher, EventWatchOptions } from '../lifecycle/events';
import type { RemoveResult } from '../lifecycle/remove';
import type { UpRequest } from '../lifecycle/request';
import type { UpResult } from '../lifecycle/up';
import type { SshSession } from '../ssh/session';
import type { WorkspaceAccess } from './workspace-access';
import type { RunScheduler } from '../runs/run-scheduler';

/** The kinds of machine that run environments: a Docker engine (local, tcp:// or ssh://) or a Slurm cluster. */
export type TargetKind = 'docker' | 'slurm';

/**
 * What every kind of target offers. The core's public functions (`up`, `down`, `list`, …) pick the
 * target from the context's host and call it; the CLI and the extension never ask which kind it is.
 * Every method validates its own inputs and bounds its own waits; `ctx.signal` cancels.
 */
export interface EnvironmentTarget {
  readonly kind: TargetKind;
  /** Provisions (or reuses) the environment NAME and returns once its first SSH command ran. Idempotent. */
  up(request: UpRequest, ctx: CoreContext): Promise<UpResult>;
  /** Stops it; its workspace and keys stay, and `up` brings it back. */
  down(name: string, ctx: CoreContext): Promise<EnvironmentInfo>;
  /** Removes it (and, with `purge`, its keys and run files); the user's own files are never touched. */
  remove(name: string, options: { purge: boolean }, ctx: CoreContext): Promise<RemoveResult>;
  /** Every environment of this target, with its state. */
  list(ctx: CoreContext): Promise<EnvironmentInfo[]>;
  status(name: string, ctx: CoreContext): Promise<EnvironmentInfo>;
  /** An SSH session into the running environment (host key pinned), its `workspace` set. */
  openSession(name: string, ctx: CoreContext): Promise<SshSession>;
  /** The OpenSSH config for `ssh -F` and Remote-SSH: the environment's block and every block it goes through. */
  sshConfig(name: string, ctx: CoreContext): Promise<string>;
  /** The last lines the environment itself wrote (container logs, the batch job's output). */
  logs(name: string, options: { tail: number }, ctx: CoreContext): Promise<string>;
  /** Calls `onChange` when environments may have changed (engine events, or polling where there are none). */
  watch(ctx: CoreContext, onChange: (change: EnvironmentChange) => void, options?: EventWatchOptions): EventWatcher;
  doctor(ctx: CoreContext, options: DoctorOptions): Promise<DoctorReport>;
  /** Commands where the environment's workspace folder is (for `sync`), without needing the environment to run. */
  workspaceAccess(name: string, ctx: CoreContext): Promise<WorkspaceAccess>;
  /** Every GPU of the target (a machine's, a partition's) with its use and who holds it, freshly sampled. */
  gpus(ctx: CoreContext, options?: GpusOptions): Promise<GpuHoldersReport>;
  /** Where the environment's idle-stop clock stands (read without using the environment), or why it stopped itself. */
  idle(name: string, ctx: CoreContext): Promise<IdleReport>;
  /** Starts the idle-stop window again ("Keep running"). */
  keepRunning(name: string, ctx: CoreContext): Promise<void>;
  /** Where the pids NVML reports in the environment can be resolved, when they are not its own (containers). */
  hostProcessLookup?(name: string, ctx: CoreContext): Promise<ProcessLookup>;
  /** The GPU requests of the machine's running environments, the environment's own included. */
  gpuClaims?(name: string, ctx: CoreContext): Promise<ClaimsSnapshot>;
  /**
   * Where a run of environment NAME can be a batch job of its own (`train --nodes N`): a cluster's
   * scheduler. Absent on targets whose runs are always processes of the environment (Docker).
   */
  runScheduler?(name: string, ctx: CoreContext): RunScheduler;
}
