/**
 * A cluster run as a batch job of its own (`gpu-env train NAME --nodes N` on a Slurm environment):
 * the sbatch command and the job script, built from the environment's job options (partition,
 * account, GPUs per node, setup lines, container) with the run's nodes, ranks and time limit.
 * Pure, so every line is unit-tested; core/slurm/slurm-run-scheduler.ts submits it.
 *
 * The job script runs the runner's `job` command on the first node, which records each attempt,
 * starts the ranks with `srun` (one task per rank, each through the runner's `rank` wrapper: the
 * torchrun variables, output lines prefixed with rank and host), asks them to checkpoint before the
 * time limit, and requeues the job after that warning or a failure.
 */
import type { ClusterRunRequest } from '../runs/run-scheduler';
import { shellJoin, shellQuote } from '../runs/shell';
import { JOB_NAME_PREFIX, allocationOptions } from './batch-job';
import type { SlurmJobSpec } from './job-options';
import { inNodeSoftware, prepareSoftware, type NodeSoftware } from './node-software';

/** The environment a cluster run belongs to, as its record on the cluster says. */
export interface TrainingEnvironment {
  readonly spec: SlurmJobSpec;
  readonly software: NodeSoftware;
}

export interface TrainingJobInput {
  /** The environment's name. */
  readonly name: string;
  readonly request: ClusterRunRequest;
  readonly environment: TrainingEnvironment;
  /** The run's time limit in seconds when known (the run's, else the environment's). */
  readonly timeSeconds?: number;
}

/** Slurm's warning comes at most this long before the time limit (and up to a minute off). */
export const MAX_WARN_SECONDS = 90;
const MIN_WARN_SECONDS = 10;
/** How long srun lets the other ranks run once one has ended (they would otherwise wait in a collective). */
export const SRUN_WAIT_SECONDS = 60;

/** `gpu-env-NAME:RUN` — not an environment name (':' is not allowed in one), so `ls` never lists it. */
export function trainingJobName(environment: string, runId: string): string {
  return `${JOB_NAME_PREFIX}${environment}:${runId}`;
}

/**
 * Seconds before the time limit at which the ranks are asked to checkpoint: 90, or a quarter of a
 * short limit so that most of it is still spent training (at least 10).
 */
export function warnSeconds(timeSeconds: number | undefined): number {
  if (timeSeconds === undefined || !Number.isFinite(timeSeconds)) return MAX_WARN_SECONDS;
  return Math.max(MIN_WARN_SECONDS, Math.min(MAX_WARN_SECONDS, Math.floor(timeSeconds / 4)));
}

export function runFolder(request: ClusterRunRequest): string {
  return `${request.paths.runsDir}/${request.runId}`;
}

/** The job's options: the environment's allocation with the run's nodes and ranks, requeueable, warned. */
export function trainingSbatchArgv(input: TrainingJobInput, scriptPath: string): string[] {
  const { request, environment } = input;
  const spec: SlurmJobSpec = { ...environment.spec, nodes: request.nodes, ...(request.time !== undefined ? { time: request.time } : {}) };
  // sbatch reads %-patterns in --output: a literal % in the path is written twice.
  const output = `${runFolder(request)}/stdout.log`.replace(/%/g, '%%');
  return [
    'sbatch',
    '--parsable',
    `--job-name=${trainingJobName(input.name, request.runId)}`,
    `--output=${output}`,
    '--open-mode=append',
    `--chdir=${request.paths.workspace}`,
    ...allocationOptions(spec, request.nprocPerNode),
    // After the user's own options, so that these win: the job must requeue and be warned.
    '--requeue',
    `--signal=B:USR1@${warnSeconds(input.timeSeconds)}`,
    scriptPath,
  ];
}

/** srun starting every rank: one task per rank, each through the runner's rank wrapper, in the environment's software. */
export function ranksArgv(input: TrainingJobInput): string[] {
  const { request, environment } = input;
  const rank = inNodeSoftware(environment.software, [request.paths.python, request.runner, 'rank', '--', ...request.argv]);
  const cpus = environment.spec.cpusPerTask;
  return [
    'srun',
    `--wait=${SRUN_WAIT_SECONDS}`,
    `--nodes=${request.nodes}`,
    `--ntasks-per-node=${request.nprocPerNode}`,
    // srun no longer takes the job's --cpus-per-task from the environment (Slurm 22.05+).
    ...(cpus !== undefined ? [`--cpus-per-task=${cpus}`] : []),
    ...rank.srunOptions,
    ...rank.argv,
  ];
}

/** The batch script: the setup lines, the container, a check that the runner is the one submitted, then the runner's `job`. */
export function trainingJobScript(input: TrainingJobInput): string {
  const { request, environment } = input;
  const runner = shellQuote(request.runner);
  const folder = runFolder(request);
  return [
    '#!/bin/bash',
    `# gpu-env run ${request.runId} of environment ${input.name}: ${request.nodes} node(s) x ${request.nprocPerNode} rank(s).`,
    '# Written by `gpu-env train`. The runner records each attempt in status.json, asks the ranks to',
    `# checkpoint ${warnSeconds(input.timeSeconds)} s before the time limit, and requeues the job after that warning or a`,
    '# failure; a requeued job resumes from the newest checkpoint.',
    'set -eu',
    ...(environment.spec.setup.length > 0 ? ['# --setup', ...environment.spec.setup] : []),
    ...prepareSoftware(environment.software),
    `if [ "$(sha256sum < ${runner})" != '${request.runnerSha256}  -' ]; then`,
    `  echo "gpu-env: ${request.runner.replace(/["$`\\]/g, '')} is not the runner this run was submitted with; not running it" >&2`,
    '  exit 1',
    'fi',
    `exec ${shellJoin([request.paths.python, request.runner, 'job', folder, '--', ...ranksArgv(input)])}`,
    '',
  ].join('\n');
}
