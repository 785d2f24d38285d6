import { GpuEnvError } from '../errors';
import { shellQuote } from '../runs/shell';
import { validateName } from '../validate';
import { JOB_NAME_PREFIX } from './batch-job';
import { CLUSTER_STATE_DIR } from './cluster-paths';
import type { CoreContext } from '../lifecycle/context';
import { connectLogin, knownHome, mustRunOnLogin, rememberHome, type Cluster } from './cluster';
import { PARTITION_FORMAT, parsePartitions, type Partition } from './partitions';
import type { SlurmJobSpec } from './job-options';
import type { NodeSoftware } from './node-software';
import { SQUEUE_FORMAT, isLiveJob, parseSqueue, type SlurmJob } from './squeue';

/**
 * What `up` wrote to `~/.gpu-env/envs/NAME/environment.json` on the cluster: the environment exists
 * while this does, with or without a job (after `down`, `ls` still shows it, stopped).
 */
export interface ClusterRecord {
  readonly name: string;
  /** The workspace folder, absolute. */
  readonly workspace: string;
  readonly spec: SlurmJobSpec;
  readonly software: NodeSoftware;
  /** The job submitted last; its output file is the environment's log. */
  readonly jobId?: string;
  /** The job cancels itself after this long unused (its idle watcher); absent: never. */
  readonly idleStopMs?: number;
}

/** The user's gpu-env jobs and environment records, as one login-node command reads them. */
export interface ClusterState {
  readonly jobs: readonly SlurmJob[];
  readonly records: readonly ClusterRecord[];
}

const QUEUE_MARKER = '--- gpu-env queue';
const RECORDS_MARKER = '--- gpu-env records';
const PARTITIONS_MARKER = '--- gpu-env partitions';

/** One command: the user's jobs from squeue, then every environment record on the shared file system. */
export async function readClusterState(cluster: Cluster, signal?: AbortSignal): Promise<ClusterState> {
  return parseStateOutput(await mustRunOnLogin(cluster, 'listing jobs (squeue)', stateScript(false, false), signal)).state;
}

/**
 * Connects and reads, in one login-node command, what nearly every operation starts with: the home
 * folder (the first time), the jobs, the records, and with `partitions` sinfo's partitions too.
 * Each round trip saved is one SSH channel and one shell on the login node, counted in time to ready.
 */
export async function openClusterState(ctx: CoreContext, options: { partitions?: boolean } = {}): Promise<{ cluster: Cluster; state: ClusterState; partitions?: Partition[] }> {
  const login = await connectLogin(ctx);
  const known = knownHome(login);
  const output = await mustRunOnLogin(login, 'listing jobs (squeue)', stateScript(known === undefined, options.partitions === true), ctx.signal);
  const parsed = parseStateOutput(output);
  const home = known ?? rememberHome(login, parsed.home ?? '');
  return { cluster: { ...login, home }, state: parsed.state, ...(parsed.partitions !== undefined ? { partitions: parsed.partitions } : {}) };
}

function stateScript(withHome: boolean, withPartitions: boolean): string {
  return [
    ...(withHome ? ['printf \'%s\\n\' "$HOME"'] : []),
    `echo ${shellQuote(QUEUE_MARKER)}`,
    `squeue -h -u "$(id -un)" -o ${shellQuote(SQUEUE_FORMAT)}`,
    `echo ${shellQuote(RECORDS_MARKER)}`,
    `for f in "$HOME"/${CLUSTER_STATE_DIR}/*/environment.json; do`,
    '  if [ -f "$f" ]; then cat "$f"; echo; fi',
    'done',
    ...(withPartitions ? [`echo ${shellQuote(PARTITIONS_MARKER)}`, `sinfo -h -o ${shellQuote(PARTITION_FORMAT)}`] : []),
  ].join('\n');
}

function parseStateOutput(output: string): { home?: string; state: ClusterState; partitions?: Partition[] } {
  const [head = '', rest = ''] = output.split(`${QUEUE_MARKER}\n`);
  const [queue = '', afterQueue = ''] = rest.split(`${RECORDS_MARKER}\n`);
  const [records = '', partitions] = afterQueue.split(`${PARTITIONS_MARKER}\n`);
  const home = head.trim().split('\n').pop();
  return {
    ...(home ? { home } : {}),
    state: {
      jobs: parseSqueue(queue).filter((job) => job.name.startsWith(JOB_NAME_PREFIX)),
      records: records.split('\n').map(parseRecord).filter((record): record is ClusterRecord => record !== undefined),
    },
    ...(partitions !== undefined ? { partitions: parsePartitions(partitions) } : {}),
  };
}

/** The environment's live job, if any (the newest, should there be several). */
export function liveJobOf(state: ClusterState, name: string): SlurmJob | undefined {
  return state.jobs.filter((job) => job.name === `${JOB_NAME_PREFIX}${name}` && isLiveJob(job)).sort((a, b) => Number(b.id.split('_')[0]) - Number(a.id.split('_')[0]))[0];
}

/** Every environment name the cluster knows: by record, or by a live job without one. */
export function environmentNames(state: ClusterState): string[] {
  const names = new Set(state.records.map((record) => record.name));
  for (const job of state.jobs) {
    const name = job.name.slice(JOB_NAME_PREFIX.length);
    if (job.name.startsWith(JOB_NAME_PREFIX) && isLiveJob(job) && isEnvironmentName(name)) names.add(name);
  }
  return [...names].sort();
}

export function recordText(record: ClusterRecord): string {
  return `${JSON.stringify(record)}\n`;
}

/** A record as read from the cluster: anyone's file there, so every field is checked. */
export function parseRecord(line: string): ClusterRecord | undefined {
  if (line.trim() === '') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (!isObject(value) || typeof value.name !== 'string' || !isEnvironmentName(value.name)) return undefined;
  if (typeof value.workspace !== 'string' || !value.workspace.startsWith('/')) return undefined;
  if (!isObject(value.spec) || typeof value.spec.nodes !== 'number' || !isObject(value.spec.gpusPerNode)) return undefined;
  if (!isObject(value.software) || !['native', 'pyxis', 'apptainer'].includes(String(value.software.kind))) return undefined;
  if (value.jobId !== undefined && (typeof value.jobId !== 'string' || !/^\d+$/.test(value.jobId))) return undefined;
  if (value.idleStopMs !== undefined && !(typeof value.idleStopMs === 'number' && Number.isInteger(value.idleStopMs) && value.idleStopMs > 0)) return undefined;
  return value as unknown as ClusterRecord;
}

function isEnvironmentName(name: string): boolean {
  try {
    validateName('name', name);
    return true;
  } catch {
    return false;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export class NoSuchEnvironmentError extends GpuEnvError {
  constructor(name: string, cluster: string) {
    super(`no environment named "${name}" on ${cluster}; list them with \`gpu-env ls --host ${cluster}\``);
    this.name = 'NoSuchEnvironmentError';
  }
}
