/**
 * Typed views of what the runner prints: `list` (one JSON object per run and line), the status
 * object printed by `start`/`stop`, and `{action, status}` from `resume`.
 */
import type { RunState } from '../../shared/protocol/dashboard';
import {
  finiteOrNull,
  integerOrNull,
  isObject,
  numberOrNull,
  objectOrNull,
  parseJsonObject,
  stringList,
  stringOrNull,
  type JsonObject,
} from './json-fields';

export type RunnerState = Exclude<RunState, 'unknown'>;
const RUNNER_STATES: readonly string[] = ['starting', 'running', 'succeeded', 'failed', 'stopped'];

/** run.json */
export interface RunRecord {
  readonly id: string | null;
  readonly label: string | null;
  readonly command: readonly string[];
  readonly cwd: string | null;
  readonly environment: string | null;
  readonly autoResume: boolean;
  /** Unix seconds. */
  readonly createdAt: number | null;
  /** A run that is a cluster's batch job of its own (`train --nodes N` on Slurm); null: one machine's processes. */
  readonly cluster: ClusterRunRecord | null;
}

export interface ClusterRunRecord {
  readonly scheduler: 'slurm';
  readonly nodes: number;
  readonly nprocPerNode: number;
  /** The job's own time limit as given (Slurm's form); null: the environment's. */
  readonly time: string | null;
}

/** The batch job a cluster run is (status.json `job`), as its last attempt recorded it. */
export interface RunJob {
  readonly id: string;
  /** Empty until the job has started. */
  readonly nodes: readonly string[];
  /** How often Slurm has requeued it (SLURM_RESTART_COUNT). */
  readonly restartCount: number;
}

/** How one attempt of a cluster run ended. */
export type AttemptEnd = 'succeeded' | 'failed' | 'preempted' | 'stopped' | 'interrupted';
const ATTEMPT_ENDS: readonly string[] = ['succeeded', 'failed', 'preempted', 'stopped', 'interrupted'];

/** One run of a cluster run's batch job: the first, or one after a requeue. */
export interface RunAttempt {
  readonly attempt: number;
  readonly jobId: string;
  readonly nodes: readonly string[];
  readonly startedAt: number | null;
  readonly endedAt: number | null;
  /** Null while it runs. */
  readonly end: AttemptEnd | null;
  readonly exitCode: number | null;
  /** The newest training step when it ended. */
  readonly lastStep: number | null;
}

/** A cluster run's job as the scheduler's queue shows it now (not from the run's files). */
export interface QueuedJob {
  /** PENDING, RUNNING, COMPLETING, … */
  readonly state: string;
  readonly reason: string | null;
  readonly nodes: readonly string[];
}

/** status.json, plus `alive` (the process or its supervisor still runs) when the runner checked. */
export interface RunStatus {
  readonly state: RunnerState;
  readonly pid: number | null;
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly stopRequested: boolean;
  readonly attempt: number;
  readonly startedAt: number | null;
  readonly updatedAt: number | null;
  readonly endedAt: number | null;
  readonly error: string | null;
  readonly alive: boolean | null;
  /** A cluster run's batch job; null for a run of one machine. */
  readonly job: RunJob | null;
  /** A cluster run's attempts, oldest first; empty for a run of one machine. */
  readonly attempts: readonly RunAttempt[];
}

export interface TrainSnapshot {
  readonly step: number | null;
  readonly epoch: number | null;
  readonly loss: number | null;
  readonly accuracy: number | null;
  readonly lr: number | null;
  readonly imagesPerSecond: number | null;
  readonly time: number | null;
}

export interface EvalSnapshot {
  readonly split: string | null;
  readonly step: number | null;
  readonly epoch: number | null;
  readonly loss: number | null;
  readonly accuracy: number | null;
  readonly time: number | null;
}

export interface EndSnapshot {
  readonly status: string | null;
  readonly testAccuracy: number | null;
  readonly testLoss: number | null;
  readonly bestCheckpoint: string | null;
  readonly time: number | null;
}

export interface MetricsSummary {
  readonly bytes: number | null;
  readonly train: TrainSnapshot | null;
  readonly eval: EvalSnapshot | null;
  readonly lastEvent: { readonly event: string; readonly time: number | null } | null;
  readonly end: EndSnapshot | null;
}

export interface RunListing {
  readonly id: string;
  readonly dir: string | null;
  readonly run: RunRecord | null;
  readonly status: RunStatus | null;
  readonly metrics: MetricsSummary | null;
  /** The runner could not read this run's files. */
  readonly error: string | null;
  /**
   * A cluster run's job in the scheduler's queue (added by RunsClient, which asks the scheduler);
   * null when it is not queued (ended) or the run is not a cluster run.
   */
  readonly queue?: QueuedJob | null;
}

export interface ParsedRunList {
  readonly runs: RunListing[];
  /** Lines that were not a run, with why; shown in logs, never fatal. */
  readonly problems: string[];
}

export function parseRunList(stdout: string): ParsedRunList {
  const runs: RunListing[] = [];
  const problems: string[] = [];
  stdout.split('\n').forEach((line, index) => {
    if (line.trim() === '') return;
    const listing = parseRunListing(line);
    if (listing) runs.push(listing);
    else problems.push(`line ${index + 1}: not a run: ${line.slice(0, 200)}`);
  });
  runs.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return { runs, problems };
}

export function parseRunListing(line: string): RunListing | null {
  const o = parseJsonObject(line);
  const id = o ? stringOrNull(o.id, 200) : null;
  if (!o || id === null) return null;
  return {
    id,
    dir: stringOrNull(o.dir),
    run: readRunRecord(o.run),
    status: readRunStatus(o.status),
    metrics: readMetricsSummary(o.metrics),
    error: stringOrNull(o.error),
  };
}

export function readRunRecord(x: unknown): RunRecord | null {
  if (!isObject(x)) return null;
  const command = stringList(x.command);
  if (command === null || command.length === 0) return null;
  return {
    id: stringOrNull(x.id, 200),
    label: stringOrNull(x.label, 200),
    command,
    cwd: stringOrNull(x.cwd),
    environment: stringOrNull(x.environment, 200),
    autoResume: x.autoResume === true,
    createdAt: finiteOrNull(x.createdAt),
    cluster: readClusterRecord(x.cluster),
  };
}

function readClusterRecord(x: unknown): ClusterRunRecord | null {
  if (!isObject(x) || x.scheduler !== 'slurm') return null;
  const nodes = integerOrNull(x.nodes);
  const nprocPerNode = integerOrNull(x.nprocPerNode);
  return nodes !== null && nodes > 0 && nprocPerNode !== null && nprocPerNode > 0 ? { scheduler: 'slurm', nodes, nprocPerNode, time: stringOrNull(x.time, 32) } : null;
}

const JOB_ID = /^\d{1,12}$/;
const NODE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

function nodeNames(x: unknown): string[] {
  return (stringList(x, 4096) ?? []).filter((name) => NODE_NAME.test(name));
}

function readJob(x: unknown): RunJob | null {
  if (!isObject(x) || typeof x.id !== 'string' || !JOB_ID.test(x.id)) return null;
  return { id: x.id, nodes: nodeNames(x.nodes), restartCount: integerOrNull(x.restartCount) ?? 0 };
}

function readAttempts(x: unknown): RunAttempt[] {
  if (!Array.isArray(x)) return [];
  return x.slice(-1000).flatMap((a: unknown): RunAttempt[] => {
    if (!isObject(a) || typeof a.jobId !== 'string' || !JOB_ID.test(a.jobId)) return [];
    const attempt = integerOrNull(a.attempt);
    if (attempt === null) return [];
    return [{
      attempt,
      jobId: a.jobId,
      nodes: nodeNames(a.nodes),
      startedAt: finiteOrNull(a.startedAt),
      endedAt: finiteOrNull(a.endedAt),
      end: typeof a.end === 'string' && ATTEMPT_ENDS.includes(a.end) ? (a.end as AttemptEnd) : null,
      exitCode: integerOrNull(a.exitCode),
      lastStep: integerOrNull(a.lastStep),
    }];
  });
}

export function readRunStatus(x: unknown): RunStatus | null {
  if (!isObject(x) || typeof x.state !== 'string' || !RUNNER_STATES.includes(x.state)) return null;
  return {
    state: x.state as RunnerState,
    pid: integerOrNull(x.pid),
    exitCode: integerOrNull(x.exitCode),
    signal: stringOrNull(x.signal, 32),
    stopRequested: x.stopRequested === true,
    attempt: integerOrNull(x.attempt) ?? 0,
    startedAt: finiteOrNull(x.startedAt),
    updatedAt: finiteOrNull(x.updatedAt),
    endedAt: finiteOrNull(x.endedAt),
    error: stringOrNull(x.error),
    alive: typeof x.alive === 'boolean' ? x.alive : null,
    job: readJob(x.job),
    attempts: readAttempts(x.attempts),
  };
}

function readMetricsSummary(x: unknown): MetricsSummary | null {
  if (!isObject(x)) return null;
  const train = objectOrNull(x.train);
  const evaluation = objectOrNull(x.eval);
  const event = objectOrNull(x.event);
  const end = objectOrNull(x.end);
  return {
    bytes: integerOrNull(x.bytes),
    train: train && {
      step: integerOrNull(train.step),
      epoch: numberOrNull(train.epoch),
      loss: numberOrNull(train.loss),
      accuracy: numberOrNull(train.accuracy),
      lr: numberOrNull(train.lr),
      imagesPerSecond: numberOrNull(train.images_per_s),
      time: finiteOrNull(train.time),
    },
    eval: evaluation && {
      split: stringOrNull(evaluation.split, 16),
      step: integerOrNull(evaluation.step),
      epoch: numberOrNull(evaluation.epoch),
      loss: numberOrNull(evaluation.loss),
      accuracy: numberOrNull(evaluation.accuracy),
      time: finiteOrNull(evaluation.time),
    },
    lastEvent: event && typeof event.event === 'string' ? { event: event.event, time: finiteOrNull(event.time) } : null,
    end: end && readEnd(end),
  };
}

function readEnd(end: JsonObject): EndSnapshot {
  return {
    status: stringOrNull(end.status, 64),
    testAccuracy: numberOrNull(end.test_accuracy),
    testLoss: numberOrNull(end.test_loss),
    bestCheckpoint: stringOrNull(end.best_checkpoint),
    time: finiteOrNull(end.time),
  };
}

/** The status object printed by `start` and `stop`. */
export function parseStatusOutput(stdout: string): RunStatus | null {
  const line = lastJsonLine(stdout);
  return line ? readRunStatus(line) : null;
}

/** `{action, status}` printed by `resume`: 'resumed', or 'running' when it was already running. */
export function parseResumeOutput(stdout: string): { readonly action: 'resumed' | 'running'; readonly status: RunStatus } | null {
  const line = lastJsonLine(stdout);
  const status = line ? readRunStatus(line.status) : null;
  if (!line || !status || (line.action !== 'resumed' && line.action !== 'running')) return null;
  return { action: line.action, status };
}

function lastJsonLine(stdout: string): JsonObject | null {
  const lines = stdout.split('\n').filter((l) => l.trim() !== '');
  return lines.length > 0 ? parseJsonObject(lines[lines.length - 1]!) : null;
}
