import type { EngineSource } from '../engine/resolve';

export type CheckStatus = 'ok' | 'warn' | 'fail' | 'skip';

export const CHECK_STATUSES: readonly CheckStatus[] = ['ok', 'warn', 'fail', 'skip'];

/** Engine-wide checks first, then the per-environment ones (which carry `environment`). */
export type CheckId =
  | 'engine'
  | 'gpu-runtime'
  | 'engine-disk'
  | 'environments'
  | 'environment'
  | 'ssh'
  | 'nvidia-smi'
  | 'cuda'
  | 'shm'
  | 'compiler'
  | 'login'
  | 'slurm-commands'
  | 'partition'
  | 'container-runtime';

export interface DoctorCheck {
  readonly id: CheckId;
  readonly title: string;
  readonly status: CheckStatus;
  /** What was found, in plain words. */
  readonly detail: string;
  /** What to do about it; present whenever status is not `ok`. */
  readonly fix?: string;
  /** The environment an in-container check ran in. */
  readonly environment?: string;
  readonly durationMs: number;
}

export interface DoctorEngine {
  readonly url: string;
  readonly source: EngineSource;
  readonly context?: string;
  /** `url (from SOURCE)`, as errors elsewhere in gpu-env name it. */
  readonly description: string;
}

export interface DoctorReport {
  readonly startedAt: string;
  readonly durationMs: number;
  /** Absent when the engine could not even be resolved. */
  readonly engine?: DoctorEngine;
  /** The environments whose containers were checked (or asked for). */
  readonly environments: readonly string[];
  readonly checks: readonly DoctorCheck[];
  readonly summary: Readonly<Record<CheckStatus, number>>;
  /** No check failed (warnings and skips allowed). */
  readonly ok: boolean;
}
