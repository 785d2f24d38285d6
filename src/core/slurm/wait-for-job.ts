import { GpuEnvError, usageError } from '../errors';
import type { ProgressSink } from '../progress';
import { shellQuote } from '../runs/shell';
import type { RemoteProcess } from '../ssh/session';
import { CancelledError, formatMs, throwIfAborted } from '../util/abort';
import { runOnLogin, type Cluster } from './cluster';
import type { ClusterPaths } from './cluster-paths';
import { SQUEUE_FORMAT, expandNodeList, isLiveJob, parseSqueueLine, type SlurmJob } from './squeue';

/** A job that runs and has prepared its nodes for SSH sessions. */
export interface ReadyJob {
  readonly id: string;
  readonly job: SlurmJob;
  readonly nodes: readonly string[];
}

export interface FollowOptions {
  readonly progress: ProgressSink;
  readonly signal?: AbortSignal;
  /** Told the job id as soon as the cluster gave it (so that a failure later can cancel the job). */
  readonly onJobId?: (id: string) => void;
  /** How long a job may stay queued before `up` gives up waiting (the job stays). */
  readonly pendingTimeoutMs?: number;
  /** How long a running job may take to prepare its nodes (setup lines, image import). */
  readonly startTimeoutMs?: number;
}

export const PENDING_TIMEOUT_MS = 24 * 3600_000;
export const START_TIMEOUT_MS = 30 * 60_000;
/** One follow command lasts at most this long on the login node; a longer wait starts another. */
const FOLLOW_SECONDS = 3600;
const MAX_FOLLOWS = 48;

/** Exit status of the prepare script when sbatch itself refused the job. */
export const SBATCH_REFUSED = 3;

/**
 * sbatch refused the request itself: an account, QOS or combination the cluster does not accept
 * is a usage error (exit 2), anything else a failure.
 */
export function sbatchRefusedError(login: string, said: string): GpuEnvError {
  const message = `sbatch on ${login} refused the job: ${said}`;
  return /invalid|not allowed|not permitted|unrecognized|requested node configuration is not available/i.test(said) ? usageError(message) : new GpuEnvError(message);
}

/**
 * Shell for the login node, after a script that sets `$id` and prints `gpu-env-job $id`: polls
 * squeue (and the job's ready file) there and prints a line whenever state, reason, expected start
 * or readiness change, until the job runs with its nodes prepared, leaves the queue, or an hour has
 * passed. Polls every 0.1 s for 10 s (an idle cluster starts a job at once), then every second, every
 * 5 s after two minutes; a tick line now and then lets it notice (SIGPIPE) that the client is gone.
 */
export function followScript(paths: ClusterPaths): string {
  return [
    'last=; n=0; t0=$(date +%s)',
    'while :; do',
    `  line=$(squeue -h -j "$id" -o ${shellQuote(SQUEUE_FORMAT)} 2>/dev/null | head -n 1)`,
    `  r=; if [ -e ${shellQuote(paths.dir)}/ready-"$id" ]; then r=1; fi`,
    '  if [ "$line|$r" != "$last" ]; then',
    '    if [ -n "$line" ]; then printf \'%s\\n\' "$line"; fi',
    '    if [ -n "$r" ]; then echo gpu-env-ready; fi',
    '    last="$line|$r"',
    '  fi',
    '  case "$line" in',
    "    '') echo gpu-env-gone; exit 0 ;;",
    '    *"|RUNNING|"*) if [ -n "$r" ]; then exit 0; fi ;;',
    '  esac',
    '  n=$((n + 1)); el=$(( $(date +%s) - t0 ))',
    `  if [ "$el" -ge ${FOLLOW_SECONDS} ]; then exit 0; fi`,
    '  if [ "$el" -lt 10 ]; then sleep 0.1; elif [ "$el" -lt 120 ]; then sleep 1; else sleep 5; fi',
    '  if [ "$el" -ge 10 ] || [ $((n % 10)) -eq 0 ]; then echo gpu-env-tick; fi',
    'done',
  ].join('\n');
}

/**
 * Runs `prepare` (which ends by printing `gpu-env-job ID`: a new job from sbatch, or the one being
 * reused) followed by the follow loop, in one login-node command, and reads its lines as they come:
 * every change goes to the progress sink. Returns once the job runs with its nodes prepared. A job
 * that leaves the queue first is an error quoting its output; a cancel closes the command.
 */
export async function followJob(cluster: Cluster, paths: ClusterPaths, prepare: string, options: FollowOptions): Promise<ReadyJob> {
  let jobId: string | undefined;
  const started = Date.now();
  for (let round = 0; round < MAX_FOLLOWS; round++) {
    const script = round === 0 ? `${prepare}\n${followScript(paths)}` : `id=${jobId!}\n${followScript(paths)}`;
    const outcome = await followOnce(cluster, script, options, started, (id) => {
      jobId = id;
      options.onJobId?.(id);
    });
    if (outcome.kind === 'ready') return outcome.ready;
    if (outcome.kind === 'ended') throw await jobEndedError(cluster, paths, jobId!, outcome.job, options.signal);
    // The login node's hour is up and the job still waits: follow it again.
  }
  throw new GpuEnvError(`job ${jobId ?? '?'} not ready after ${MAX_FOLLOWS} follow rounds`);
}

type Outcome = { kind: 'ready'; ready: ReadyJob } | { kind: 'ended'; job?: SlurmJob } | { kind: 'again' };

async function followOnce(cluster: Cluster, script: string, options: FollowOptions, started: number, onJobId: (id: string) => void): Promise<Outcome> {
  throwIfAborted(options.signal, 'waiting for the job');
  const remote = await cluster.connection.spawn('sh -s', options.signal);
  remote.stdin.end(`${script}\n`);
  const reader = new FollowReader(options, started, onJobId);
  const stderr: Buffer[] = [];
  remote.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
  const verdict = await reader.read(remote);
  if (verdict) {
    remote.close();
    if (verdict instanceof Error) throw verdict;
    return verdict;
  }
  const exit = await remote.exit;
  throwIfAborted(options.signal, 'waiting for the job');
  const said = Buffer.concat(stderr).toString().trim().split('\n').slice(-4).join(' ');
  if (exit.code === SBATCH_REFUSED) throw sbatchRefusedError(cluster.label, said);
  if (exit.code !== 0) throw new GpuEnvError(`preparing the job on ${cluster.label} failed (exit ${String(exit.code)}): ${said}`);
  if (reader.jobId === undefined) throw new GpuEnvError(`preparing the job on ${cluster.label} printed no job id: ${said}`);
  return reader.gone ? { kind: 'ended', ...(reader.job ? { job: reader.job } : {}) } : { kind: 'again' };
}

/** Reads the follow command's lines; settles with a verdict as soon as there is one. */
class FollowReader {
  jobId: string | undefined;
  job: SlurmJob | undefined;
  gone = false;
  private ready = false;
  private runningSince: number | undefined;
  private last = '';

  constructor(private readonly options: FollowOptions, private readonly started: number, private readonly onJobId: (id: string) => void) {}

  read(remote: RemoteProcess): Promise<Outcome | Error | undefined> {
    return new Promise((resolve) => {
      let buffered = '';
      let settled = false;
      const settle = (value: Outcome | Error | undefined): void => {
        if (settled) return;
        settled = true;
        clearInterval(clock);
        resolve(value);
      };
      const clock = setInterval(() => {
        const late = this.overdue();
        if (late) settle(late);
      }, 1_000);
      remote.stdout.on('data', (chunk: Buffer) => {
        buffered += chunk.toString();
        const lines = buffered.split('\n');
        buffered = lines.pop() ?? '';
        for (const line of lines) {
          const verdict = this.line(line.trim());
          if (verdict) return settle(verdict);
        }
      });
      remote.stdout.once('end', () => settle(undefined));
      this.options.signal?.addEventListener('abort', () => settle(new CancelledError('waiting for the job')), { once: true });
    });
  }

  private line(line: string): Outcome | undefined {
    const id = /^gpu-env-job (\d+)$/.exec(line)?.[1];
    if (id !== undefined) {
      this.jobId = id;
      this.onJobId(id);
      return undefined;
    }
    if (line === 'gpu-env-ready') this.ready = true;
    else if (line === 'gpu-env-gone') this.gone = true;
    else {
      const job = parseSqueueLine(line);
      if (!job || job.id !== this.jobId) return undefined;
      this.job = job;
      if (!isLiveJob(job)) return { kind: 'ended', job };
      this.report(job);
    }
    const job = this.job;
    if (job?.state === 'RUNNING') this.runningSince ??= Date.now();
    if (this.ready && job?.state === 'RUNNING' && job.nodeList !== undefined) {
      return { kind: 'ready', ready: { id: job.id, job, nodes: expandNodeList(job.nodeList) } };
    }
    return undefined;
  }

  private report(job: SlurmJob): void {
    const nodes = job.nodeList !== undefined ? expandNodeList(job.nodeList) : [];
    const key = `${job.state}|${job.reason ?? ''}|${job.startTime ?? ''}|${nodes.join(',')}`;
    if (key === this.last) return;
    this.last = key;
    this.options.progress(queueEvent(job, nodes));
  }

  private overdue(): Error | undefined {
    const startLimit = this.options.startTimeoutMs ?? START_TIMEOUT_MS;
    const pendingLimit = this.options.pendingTimeoutMs ?? PENDING_TIMEOUT_MS;
    const job = this.job;
    if (this.runningSince !== undefined && Date.now() - this.runningSince > startLimit) {
      return new GpuEnvError(`job ${this.jobId ?? '?'} runs${job?.nodeList ? ` on ${job.nodeList}` : ''} but did not finish preparing its nodes within ${formatMs(startLimit)}; see its output file (gpu-env logs)`);
    }
    if (this.runningSince === undefined && Date.now() - this.started > pendingLimit) {
      return new GpuEnvError(`job ${this.jobId ?? '?'} is still ${job?.state ?? 'queued'} (${job?.reason ?? 'no reason given'}) after ${formatMs(pendingLimit)}; it stays queued: \`gpu-env up\` again waits for it, \`gpu-env down\` cancels it`);
    }
    return undefined;
  }
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

async function jobEndedError(cluster: Cluster, paths: ClusterPaths, jobId: string, job: SlurmJob | undefined, signal?: AbortSignal): Promise<GpuEnvError> {
  const tail = await runOnLogin(cluster, 'reading the job output', `tail -n 15 ${shellQuote(paths.output(jobId))} 2>/dev/null || true`, signal).catch(() => undefined);
  const output = tail?.stdout.trim();
  const state = job ? ` (${job.state}${job.reason !== undefined ? `, ${job.reason}` : ''})` : '';
  return new GpuEnvError(`job ${jobId} ended before the environment was ready${state}${output ? `; last lines of ${paths.output(jobId)}:\n${output}` : `; it wrote nothing to ${paths.output(jobId)}`}`);
}
