/**
 * Where a run is a batch job of its own rather than processes of the environment: a cluster's
 * scheduler (Slurm). The target provides one (targets/environment-target.ts `runScheduler`);
 * RunsClient uses it to submit, list, stop and resume such runs. Docker targets have none.
 */
import type { QueuedJob } from './run-listing';
import type { RunPaths } from './paths';

/** What a cluster run asks of the cluster; everything already validated. */
export interface ClusterRunRequest {
  readonly runId: string;
  /** The environment's run paths (its workspace on the shared file system). */
  readonly paths: RunPaths;
  readonly nodes: number;
  readonly nprocPerNode: number;
  /** Slurm's form (`90`, `4:00:00`); undefined: the environment's own limit. */
  readonly time?: string;
  /** One rank's command (the template's argv), run on every rank by the runner's rank wrapper. */
  readonly argv: readonly string[];
  /** The run's own copy of the runner (in its folder) and its SHA-256, checked by the job before it runs it. */
  readonly runner: string;
  readonly runnerSha256: string;
}

/** The batch job planned for a request: nothing has been created or submitted yet. */
export interface ClusterRunPlan {
  /** The batch script, to be written into the run's folder at `scriptPath` before `submit`. */
  readonly script: string;
  readonly scriptPath: string;
  /** Seconds before the time limit at which the job asks its ranks to checkpoint. */
  readonly warnSeconds: number;
  /** The scheduler's command that submits it (for messages and tests). */
  readonly submitArgv: readonly string[];
}

export interface RunScheduler {
  /** The environment whose runs these are (the job is named after it). */
  readonly environment: string;
  /**
   * Checks the request against what the cluster has (more nodes than its partition, a time limit
   * above the partition's: TrainOptionsError naming the option) and plans the job. Creates nothing.
   */
  plan(request: ClusterRunRequest, signal?: AbortSignal): Promise<ClusterRunPlan>;
  /** Submits a planned job (its script already written); returns the job id. */
  submit(plan: ClusterRunPlan, signal?: AbortSignal): Promise<string>;
  /** The given jobs as the queue shows them now; a job no longer queued is absent. */
  queue(jobIds: readonly string[], signal?: AbortSignal): Promise<ReadonlyMap<string, QueuedJob>>;
  /**
   * Stops a run's job: marks the run folder so the job does not requeue itself, asks the ranks to
   * checkpoint and end (SIGTERM to the job's steps), cancels what is left after a bounded wait, and
   * returns once the job has left the queue.
   */
  stop(runDir: string, jobId: string, signal?: AbortSignal): Promise<void>;
}
