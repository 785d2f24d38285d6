/**
 * Cluster runs on a Slurm environment: each one a batch job of its own, submitted, queried and
 * stopped through the login node (the environment's own sessions may be inside a container
 * without Slurm's commands). The job itself is planned in training-job.ts.
 */
import type { CoreContext } from '../lifecycle/context';
import type { QueuedJob } from '../runs/run-listing';
import type { ClusterRunPlan, ClusterRunRequest, RunScheduler } from '../runs/run-scheduler';
import { shellJoin, shellQuote } from '../runs/shell';
import { TrainOptionsError, type OptionProblem } from '../runs/train-options';
import { GpuEnvError } from '../errors';
import { connectCluster, mustRunOnLogin, runOnLogin, type Cluster } from './cluster';
import { NoSuchEnvironmentError, openClusterState } from './cluster-state';
import type { Partition } from './partitions';
import { formatSlurmDuration, parseSlurmDuration } from './slurm-time';
import { SQUEUE_FORMAT, expandNodeList, parseSqueue } from './squeue';
import { runFolder, trainingJobScript, trainingSbatchArgv, warnSeconds, type TrainingEnvironment } from './training-job';
import { SBATCH_REFUSED, sbatchRefusedError } from './wait-for-job';

/** The file the runner's job command looks for before it requeues (gpu_env_run.py STOP_FILE). */
export const STOP_FILE = 'stop-requested';
/** How long `stop` gives the ranks to checkpoint and end before it cancels the job. */
export const STOP_GRACE_SECONDS = 60;

export function slurmRunScheduler(environment: string, ctx: CoreContext): RunScheduler {
  return {
    environment,
    plan: (request, signal) => plan(environment, request, { ...ctx, ...(signal ? { signal } : {}) }),
    submit: async (planned, signal) => submit(await connectCluster(ctx), planned, signal),
    queue: async (jobIds, signal) => queue(await connectCluster(ctx), jobIds, signal),
    stop: async (runDir, jobId, signal) => stop(await connectCluster(ctx), runDir, jobId, signal),
  };
}

async function plan(environment: string, request: ClusterRunRequest, ctx: CoreContext): Promise<ClusterRunPlan> {
  const { cluster, state, partitions = [] } = await openClusterState(ctx, { partitions: true });
  const record = state.records.find((r) => r.name === environment);
  if (!record) throw new NoSuchEnvironmentError(environment, cluster.url);
  const env: TrainingEnvironment = { spec: record.spec, software: record.software };
  const timeSeconds = request.time !== undefined ? parseSlurmDuration(request.time) : record.spec.timeSeconds;
  const problems = placementProblems(partitions, record.spec.partition, request, timeSeconds);
  if (problems.length > 0) throw new TrainOptionsError(problems);
  const input = { name: environment, request, environment: env, ...(timeSeconds !== undefined ? { timeSeconds } : {}) };
  const scriptPath = `${runFolder(request)}/job.sh`;
  return { script: trainingJobScript(input), scriptPath, warnSeconds: warnSeconds(timeSeconds), submitArgv: trainingSbatchArgv(input, scriptPath) };
}

/**
 * What the partition cannot give, before anything is created: more nodes than it has (the job
 * would wait forever), a time limit above its own. The environment's partition (or the default
 * one); with several, the largest decides.
 */
export function placementProblems(partitions: readonly Partition[], partition: string | undefined, request: Pick<ClusterRunRequest, 'nodes' | 'time'>, timeSeconds: number | undefined): OptionProblem[] {
  const wanted = partition !== undefined ? partitions.filter((p) => partition.split(',').includes(p.name)) : partitions.filter((p) => p.isDefault);
  if (wanted.length === 0) return [];
  const names = wanted.map((p) => p.name).join(', ');
  const problems: OptionProblem[] = [];
  const most = largestOfAll(wanted.map((p) => p.nodes));
  if (most !== undefined && request.nodes > most) {
    problems.push({ option: 'nodes', message: `nodes ${request.nodes}: partition ${names} has ${most} node${most === 1 ? '' : 's'}; ask for at most ${most}` });
  }
  const longest = largestOfAll(wanted.map((p) => p.maxTimeSeconds));
  if (request.time !== undefined && timeSeconds !== undefined && longest !== undefined && timeSeconds > longest) {
    problems.push({ option: 'time', message: `time ${request.time}: longer than partition ${names} allows (${formatSlurmDuration(longest)}); ask for at most that` });
  }
  return problems;
}

/** The largest value, or undefined when any is unknown (then that partition limits nothing we can check). */
function largestOfAll(values: readonly (number | undefined)[]): number | undefined {
  return values.every((v): v is number => v !== undefined) ? Math.max(...values) : undefined;
}

async function submit(cluster: Cluster, planned: ClusterRunPlan, signal?: AbortSignal): Promise<string> {
  const script = `out=$(${shellJoin(planned.submitArgv)}) || exit ${SBATCH_REFUSED}\necho "$out"`;
  const result = await runOnLogin(cluster, 'submitting the run (sbatch)', script, signal);
  const said = (result.stderr.trim() || result.stdout.trim()).split('\n').slice(-4).join(' ');
  if (result.code === SBATCH_REFUSED) throw sbatchRefusedError(cluster.label, said);
  const id = (result.stdout.trim().split('\n').pop() ?? '').split(';')[0] ?? '';
  if (result.code !== 0 || !/^\d{1,12}$/.test(id)) throw new GpuEnvError(`sbatch on ${cluster.label} printed no job id (exit ${String(result.code)}): ${said}`);
  return id;
}

/** The user's jobs from squeue (all of them: asking for ids that have left the queue is an error to squeue). */
async function queue(cluster: Cluster, jobIds: readonly string[], signal?: AbortSignal): Promise<ReadonlyMap<string, QueuedJob>> {
  const found = new Map<string, QueuedJob>();
  if (jobIds.length === 0) return found;
  const output = await mustRunOnLogin(cluster, 'listing jobs (squeue)', `squeue -h -u "$(id -un)" -o ${shellQuote(SQUEUE_FORMAT)}`, signal);
  for (const job of parseSqueue(output)) {
    if (!jobIds.includes(job.id)) continue;
    found.set(job.id, { state: job.state, reason: job.reason ?? null, nodes: job.nodeList !== undefined ? expandNodeList(job.nodeList) : [] });
  }
  return found;
}

/** The login-node script of `stop` (exported for its unit test). */
export function stopScript(runDir: string, jobId: string): string {
  if (!/^\d{1,12}$/.test(jobId)) throw new RangeError(`"${jobId}" is not a Slurm job id`);
  const polls = STOP_GRACE_SECONDS * 2;
  return [
    `touch ${shellQuote(`${runDir}/${STOP_FILE}`)}`,
    `state() { squeue -h -j ${jobId} -o %T 2>/dev/null; }`,
    'gone() { i=0; while [ $i -lt $1 ] && [ -n "$(state)" ]; do sleep 0.5; i=$((i+1)); done; [ -z "$(state)" ]; }',
    'case "$(state)" in',
    '  "") exit 0 ;;',
    // Running: the ranks checkpoint on SIGTERM (to the job's steps, not its batch script, which
    // sees the stop file and ends without requeueing). Waiting: nothing to save.
    `  RUNNING) scancel --signal=TERM ${jobId} ;;`,
    `  *) scancel ${jobId} ;;`,
    'esac',
    `gone ${polls} && exit 0`,
    `scancel ${jobId}`,
    `gone ${polls} && exit 0`,
    `echo "job ${jobId} is still queued after scancel" >&2`,
    'exit 1',
  ].join('\n');
}

async function stop(cluster: Cluster, runDir: string, jobId: string, signal?: AbortSignal): Promise<void> {
  await mustRunOnLogin(cluster, `stopping job ${jobId}`, stopScript(runDir, jobId), signal, (2 * STOP_GRACE_SECONDS + 30) * 1000);
}
