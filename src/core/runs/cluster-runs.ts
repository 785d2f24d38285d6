/**
 * Runs that are a cluster's batch jobs of their own (`train --nodes N` on Slurm), for RunsClient:
 * the request a run's files describe, and listings completed with the job's place in the queue.
 * The run's folder is written through the environment's session (the shared file system); the
 * scheduler (run-scheduler.ts) submits, queries and stops the job.
 */
import { messageOf } from '../errors';
import { parseSlurmDuration } from '../slurm/slurm-time';
import { runDir, type RunPaths } from './paths';
import type { ParsedRunList, RunListing } from './run-listing';
import type { ClusterRunRequest, RunScheduler } from './run-scheduler';
import { shippedRunner } from './shipped-assets';

/** The run's own copy of the runner: the job runs this one, so an upgrade of gpu-env never changes a queued job under it. */
export function runnerCopy(paths: RunPaths, id: string): string {
  return `${runDir(paths, id)}/gpu_env_run.py`;
}

export function clusterRequest(paths: RunPaths, id: string, input: { nodes: number; nprocPerNode: number; time?: string | undefined; argv: readonly string[] }): ClusterRunRequest {
  return {
    runId: id,
    paths,
    nodes: input.nodes,
    nprocPerNode: input.nprocPerNode,
    ...(input.time !== undefined ? { time: input.time } : {}),
    argv: input.argv,
    runner: runnerCopy(paths, id),
    runnerSha256: shippedRunner().sha256,
  };
}

/** The request to submit a listed cluster run again (`resume`), from its run.json; undefined when that does not describe one. */
export function requestToResubmit(paths: RunPaths, listing: RunListing): ClusterRunRequest | undefined {
  const cluster = listing.run?.cluster;
  const command = listing.run?.command;
  if (!cluster || !command || command.length === 0) return undefined;
  // run.json is a file in the workspace: its time limit is checked again before it reaches sbatch.
  const time = cluster.time !== null && parseSlurmDuration(cluster.time) !== undefined ? cluster.time : undefined;
  return clusterRequest(paths, listing.id, { nodes: cluster.nodes, nprocPerNode: cluster.nprocPerNode, time, argv: command });
}

export function isClusterRun(listing: RunListing | null | undefined): boolean {
  return Boolean(listing?.run?.cluster);
}

/**
 * The cluster runs of `list`, each with its job as the queue shows it (`queue`, null once it has
 * left) and `alive` from that. When the queue cannot be read, the runs are listed without it and
 * the reason joins the list's problems.
 *
 * The files were read before the queue: a run whose files said it was active and whose job had
 * left the queue by then may have ended in between (its batch script records the end before the
 * job ends), so such a run is read again with `reread`; what it says now is final.
 */
export async function withQueue(list: ParsedRunList, scheduler: RunScheduler, signal?: AbortSignal, reread?: (id: string) => Promise<RunListing | null>): Promise<ParsedRunList> {
  const jobIds = [...new Set(list.runs.filter(isClusterRun).map((run) => run.status?.job?.id).filter((id): id is string => id !== undefined))];
  if (jobIds.length === 0) return list;
  let queued;
  try {
    queued = await scheduler.queue(jobIds, signal);
  } catch (error) {
    if (signal?.aborted) throw error;
    return { runs: list.runs, problems: [...list.problems, `cannot read the cluster's queue: ${messageOf(error)}`] };
  }
  const runs = await Promise.all(list.runs.map(async (run): Promise<RunListing> => {
    const id = isClusterRun(run) ? run.status?.job?.id : undefined;
    if (id === undefined || !run.status) return run;
    const queue = queued.get(id) ?? null;
    const active = run.status.state === 'running' || run.status.state === 'starting';
    const now = queue === null && active && reread ? ((await reread(run.id)) ?? run) : run;
    return now.status ? { ...now, queue, status: { ...now.status, alive: queue !== null } } : now;
  }));
  return { runs, problems: list.problems };
}
