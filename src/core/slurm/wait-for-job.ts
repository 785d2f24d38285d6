import { GpuEnvError } from '../errors';
import type { ProgressSink } from '../progress';
import { shellQuote } from '../runs/shell';
import { formatMs, sleep, throwIfAborted } from '../util/abort';
import { runOnLogin, type Cluster } from './cluster';
import type { ClusterPaths } from './cluster-paths';
import { SQUEUE_FORMAT, expandNodeList, isLiveJob, parseSqueueLine, type SlurmJob } from './squeue';

/** A job that runs and has prepared its nodes for SSH sessions. */
export interface ReadyJob {
  readonly job: SlurmJob;
  readonly nodes: readonly string[];
}

export interface WaitOptions {
  readonly progress: ProgressSink;
  readonly signal?: AbortSignal;
  /** How long a job may stay queued before `up` gives up waiting (the job stays). */
  readonly pendingTimeoutMs?: number;
  /** How long a running job may take to prepare its nodes (setup lines, image import). */
  readonly startTimeoutMs?: number;
  readonly now?: () => number;
}

export const PENDING_TIMEOUT_MS = 24 * 3600_000;
export const START_TIMEOUT_MS = 30 * 60_000;
const MAX_POLLS = 200_000;

/**
 * Polls squeue (and the job's ready file) until the job runs with its nodes prepared, telling the
 * progress sink about every change of state, reason or expected start. Polls often at first (a job
 * on an idle cluster starts within a second), then every few seconds, so a long wait costs the
 * controller little. A job that leaves the queue first is an error quoting its output.
 */
export async function waitForReadyJob(cluster: Cluster, paths: ClusterPaths, jobId: string, options: WaitOptions): Promise<ReadyJob> {
  const now = options.now ?? Date.now;
  const started = now();
  let runningSince: number | undefined;
  let last = '';
  for (let poll = 0; poll < MAX_POLLS; poll++) {
    throwIfAborted(options.signal, 'waiting for the job');
    const { job, ready } = await pollJob(cluster, paths, jobId, options.signal);
    if (!job || !isLiveJob(job)) throw await jobEndedError(cluster, paths, jobId, job, options.signal);
    const nodes = job.nodeList !== undefined ? expandNodeList(job.nodeList) : [];
    const key = `${job.state}|${job.reason ?? ''}|${job.startTime ?? ''}|${nodes.join(',')}`;
    if (key !== last) {
      last = key;
      options.progress(queueEvent(job, nodes));
    }
    if (job.state === 'RUNNING') {
      runningSince ??= now();
      if (ready && nodes.length > 0) return { job, nodes };
      if (now() - runningSince > (options.startTimeoutMs ?? START_TIMEOUT_MS)) {
        throw new GpuEnvError(`job ${jobId} runs on ${nodes.join(',')} but did not finish preparing its nodes within ${formatMs(options.startTimeoutMs ?? START_TIMEOUT_MS)}; see ${paths.output(jobId)} on ${cluster.label}`);
      }
    } else if (now() - started > (options.pendingTimeoutMs ?? PENDING_TIMEOUT_MS)) {
      throw new GpuEnvError(`job ${jobId} is still ${job.state} (${job.reason ?? 'no reason given'}) after ${formatMs(options.pendingTimeoutMs ?? PENDING_TIMEOUT_MS)}; it stays queued: \`gpu-env up\` again waits for it, \`gpu-env down\` cancels it`);
    }
    await sleep(pollDelay(now() - started, job.state), options.signal);
  }
  throw new GpuEnvError(`job ${jobId} not ready after ${MAX_POLLS} polls`);
}

/** 100 ms for the first 10 s (an idle cluster starts a job at once), then 1 s, 5 s after two minutes. */
export function pollDelay(waitedMs: number, state: string): number {
  if (waitedMs < 10_000) return 100;
  if (waitedMs < 120_000 || state !== 'PENDING') return 1_000;
  return 5_000;
}

function queueEvent(job: SlurmJob, nodes: readonly string[]): Extract<Parameters<ProgressSink>[0], { kind: 'queue' }> {
  const node = nodes.join(',') || undefined;
  const message = job.state === 'PENDING'
    ? `Job ${job.id} PENDING (${job.reason ?? 'no reason given'})${job.startTime !== undefined ? `, expected start ${job.startTime}` : ', no expected start yet'}`
    : `Job ${job.id} ${job.state}${node !== undefined ? ` on ${node}` : ''}`;
  return {
    kind: 'queue',
    job: job.id,
    state: job.state,
    ...(job.reason !== undefined ? { reason: job.reason } : {}),
    ...(job.state === 'PENDING' && job.startTime !== undefined ? { expectedStart: job.startTime } : {}),
    ...(node !== undefined ? { node } : {}),
    message,
  };
}

/** One login-node command: the job's squeue line, and whether its nodes are prepared. */
async function pollJob(cluster: Cluster, paths: ClusterPaths, jobId: string, signal?: AbortSignal): Promise<{ job?: SlurmJob; ready: boolean }> {
  const script = [
    `squeue -h -j ${jobId} -o ${shellQuote(SQUEUE_FORMAT)} 2>/dev/null || true`,
    `if [ -e ${shellQuote(paths.ready(jobId))} ]; then echo gpu-env-ready; fi`,
  ].join('\n');
  const result = await runOnLogin(cluster, `reading job ${jobId} (squeue)`, script, signal);
  const lines = result.stdout.split('\n').map((line) => line.trim());
  const job = lines.map(parseSqueueLine).find((parsed) => parsed?.id === jobId);
  return { ...(job ? { job } : {}), ready: lines.includes('gpu-env-ready') };
}

async function jobEndedError(cluster: Cluster, paths: ClusterPaths, jobId: string, job: SlurmJob | undefined, signal?: AbortSignal): Promise<GpuEnvError> {
  const tail = await runOnLogin(cluster, 'reading the job output', `tail -n 15 ${shellQuote(paths.output(jobId))} 2>/dev/null || true`, signal).catch(() => undefined);
  const output = tail?.stdout.trim();
  const state = job ? ` (${job.state}${job.reason !== undefined ? `, ${job.reason}` : ''})` : '';
  return new GpuEnvError(`job ${jobId} ended before the environment was ready${state}${output ? `; last lines of ${paths.output(jobId)}:\n${output}` : `; it wrote nothing to ${paths.output(jobId)}`}`);
}
