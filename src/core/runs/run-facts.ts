/**
 * What a run is, derived from the runner's list once, here, so that the CLI and the extension say
 * the same thing about it: its state, label, progress, best accuracy, times and, for a run of the
 * shipped template, the options it was started with. Pure.
 */
import type { RunInfo, RunState } from '../../shared/protocol/dashboard';
import { DEFAULT_RUN_PATHS, runFile, TRAIN_SCRIPT } from './paths';
import { isRunId } from './run-id';
import type { RunListing } from './run-listing';
import { TEMPLATE_FOR_MODEL } from './train-command';
import { validateTrainOptions, type TrainOptions } from './train-options';

export interface RunFacts {
  /** 'unknown' when status.json says starting/running but the runner found its processes gone. */
  readonly state: RunState;
  /** Starting or running. */
  readonly active: boolean;
  /** run.json's label, else the run id. */
  readonly label: string;
  /** Epochs done (fractional): the last training record's, else the last evaluation's. */
  readonly epoch: number | undefined;
  /** The command's `--epochs`. */
  readonly totalEpochs: number | undefined;
  /** The last training loss, as written (NaN or Infinity when training diverged). */
  readonly loss: number | undefined;
  /** The best accuracy figure there is, 0..1: the final test accuracy, else the last evaluation, else training. */
  readonly accuracy: number | undefined;
  /** Unix seconds: when the current attempt started (else when the run was created). */
  readonly startedAt: number | undefined;
  /** Unix seconds: when it ended; undefined while it is active. */
  readonly endedAt: number | undefined;
  /** The command's `--dataset` and `--data-dir`, whatever script it runs. */
  readonly dataset: string | undefined;
  readonly dataDir: string | undefined;
  /** For a run of the shipped template: the options it was started with, so it can be started again with one changed. */
  readonly trainOptions: TrainOptions | undefined;
  /**
   * Its metrics.jsonl: in its folder as the runner listed it (the workspace differs between targets),
   * else in a container's runs folder; undefined for a malformed run id (never followed).
   */
  readonly metricsFile: string | undefined;
  /** The dashboard's row for it. */
  readonly info: RunInfo;
}

/** A listing with its facts, as the extension's views and commands receive it. */
export type ListedRun = RunListing & { readonly facts: RunFacts };

export function withFacts(listing: RunListing): ListedRun {
  return { ...listing, facts: runFacts(listing) };
}

export function runFacts(listing: RunListing): RunFacts {
  const info = toRunInfo(listing);
  const active = info.state === 'running' || info.state === 'starting';
  const command = listing.run?.command ?? [];
  const status = listing.status;
  const epoch = listing.metrics?.train?.epoch ?? listing.metrics?.eval?.epoch ?? null;
  return {
    state: info.state,
    active,
    label: info.label,
    epoch: epoch !== null && Number.isFinite(epoch) ? epoch : undefined,
    totalEpochs: positiveInteger(commandArg(command, '--epochs')),
    loss: listing.metrics?.train?.loss ?? undefined,
    accuracy: latestAccuracy(listing),
    startedAt: status?.startedAt ?? listing.run?.createdAt ?? undefined,
    endedAt: active ? undefined : (status?.endedAt ?? status?.updatedAt ?? undefined),
    dataset: commandArg(command, '--dataset'),
    dataDir: commandArg(command, '--data-dir'),
    trainOptions: trainOptionsFromCommand(command),
    metricsFile: !isRunId(listing.id) ? undefined : listing.dir !== null ? `${listing.dir}/metrics.jsonl` : runFile(DEFAULT_RUN_PATHS, listing.id, 'metrics.jsonl'),
    info,
  };
}

/**
 * The dashboard's view of a run. A run whose status still says starting/running but whose
 * processes are gone (container restarted, not resumed) is 'unknown', not 'running'.
 */
export function toRunInfo(listing: RunListing): RunInfo {
  const status = listing.status;
  let state: RunState = status?.state ?? 'unknown';
  if (listing.run?.cluster && listing.queue !== undefined) state = clusterRunState(listing);
  else if (status && (status.state === 'running' || status.state === 'starting') && status.alive === false) state = 'unknown';
  return {
    id: listing.id,
    label: listing.run?.label ?? listing.id,
    state,
    startTime: listing.run?.createdAt ?? status?.startedAt ?? null,
    env: listing.run?.environment ?? null,
  };
}

/** Queue states in which a job waits to run (again): a requeued job is PENDING until it restarts. */
const WAITING = new Set(['PENDING', 'CONFIGURING', 'REQUEUED', 'REQUEUE_HOLD', 'REQUEUE_FED', 'SUSPENDED', 'RESV_DEL_HOLD']);

/**
 * A cluster run's state from its files and its job in the queue: status.json lags behind Slurm
 * (a requeued job is queued again while its last attempt said "stopped"; a job killed with its
 * node could not say anything), so the queue decides whether it is still on its way.
 */
function clusterRunState(listing: RunListing): RunState {
  const status = listing.status;
  const queue = listing.queue;
  const recorded: RunState = status?.state ?? 'unknown';
  const active = recorded === 'running' || recorded === 'starting';
  if (!queue) return active ? 'unknown' : recorded;
  if (status?.stopRequested || recorded === 'succeeded') return recorded;
  // A failed attempt whose job is queued again (Slurm requeued it after a failed node) comes back.
  if (WAITING.has(queue.state)) return 'starting';
  if (recorded === 'failed') return recorded;
  if (queue.state === 'RUNNING') return recorded === 'running' ? 'running' : 'starting';
  return recorded; // COMPLETING and the like: what the run last said
}

/** The best accuracy figure there is (0..1): the final test accuracy, else the last evaluation, else training. */
export function latestAccuracy(listing: RunListing): number | undefined {
  const m = listing.metrics;
  const value = m?.end?.testAccuracy ?? m?.eval?.accuracy ?? m?.train?.accuracy ?? null;
  return value !== null && Number.isFinite(value) ? value : undefined;
}

/** The value after `flag` in a run's command (`--epochs 5`), if any. */
export function commandArg(command: readonly string[], flag: string): string | undefined {
  const index = command.indexOf(flag);
  return index >= 0 && index + 1 < command.length ? command[index + 1] : undefined;
}

/**
 * The options a run of the shipped template was started with, read back from its command
 * (run.json). Undefined for any other script, or when a flag no longer validates.
 */
export function trainOptionsFromCommand(command: readonly string[]): TrainOptions | undefined {
  if (!command.some((arg) => arg.endsWith(`/${TRAIN_SCRIPT}`))) return undefined;
  const model = commandArg(command, '--model');
  const input: Record<string, string> = {};
  const set = (key: string, value: string | undefined): void => {
    if (value !== undefined) input[key] = value;
  };
  set('template', model === undefined ? undefined : (TEMPLATE_FOR_MODEL.get(model) ?? model));
  set('dataset', commandArg(command, '--dataset'));
  set('dataDir', commandArg(command, '--data-dir'));
  set('epochs', commandArg(command, '--epochs'));
  set('batchSize', commandArg(command, '--batch-size'));
  set('lr', commandArg(command, '--lr'));
  set('seed', commandArg(command, '--seed'));
  set('targetAccuracy', commandArg(command, '--target-accuracy'));
  set('subset', commandArg(command, '--subset'));
  const checked = validateTrainOptions(input);
  return checked.ok ? checked.options : undefined;
}

function positiveInteger(text: string | undefined): number | undefined {
  const value = Number(text);
  return Number.isInteger(value) && value > 0 ? value : undefined;
}
