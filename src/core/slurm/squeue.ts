import { parseSlurmDuration } from './slurm-time';

/**
 * One squeue call gives everything an environment's row needs. START_TIME (%S) is, for a pending
 * job, the expected start that `squeue --start` shows (N/A until the scheduler has estimated it).
 */
export const SQUEUE_FIELDS = ['%i', '%j', '%T', '%r', '%N', '%b', '%L', '%S', '%l', '%P', '%D'] as const;
export const SQUEUE_FORMAT = SQUEUE_FIELDS.join('|');

/** A job as squeue shows it. Times are the cluster's local time, as Slurm prints them. */
export interface SlurmJob {
  readonly id: string;
  readonly name: string;
  /** PENDING, CONFIGURING, RUNNING, COMPLETING, SUSPENDED, … */
  readonly state: string;
  /** Why it waits (Priority, Resources, QOSMaxGRESPerUser, …); absent when there is none. */
  readonly reason?: string;
  /** The nodes, in Slurm's compressed form (`node[1-2]`); absent while pending. */
  readonly nodeList?: string;
  /** GPUs per node as Slurm counts them (`gpu:1`, `gpu:a100:2`); absent when none. */
  readonly gpus?: string;
  /** Seconds left before the time limit; Infinity when unlimited; absent when unknown. */
  readonly timeLeftSeconds?: number;
  /** The (expected) start; absent when Slurm has no estimate. */
  readonly startTime?: string;
  readonly timeLimitSeconds?: number;
  readonly partition: string;
  readonly nodeCount: number;
}

/** States in which the job holds (or will hold) the allocation: the environment exists. */
const LIVE_STATES = new Set(['PENDING', 'CONFIGURING', 'RUNNING', 'SUSPENDED', 'RESV_DEL_HOLD', 'REQUEUED', 'REQUEUE_HOLD', 'REQUEUE_FED', 'RESIZING', 'SIGNALING', 'STAGE_OUT']);

export function isLiveJob(job: SlurmJob): boolean {
  return LIVE_STATES.has(job.state);
}

/** Lines of `squeue -h -o SQUEUE_FORMAT`; lines that do not parse are skipped. */
export function parseSqueue(output: string): SlurmJob[] {
  return output.split('\n').map((line) => parseSqueueLine(line.trim())).filter((job): job is SlurmJob => job !== undefined);
}

export function parseSqueueLine(line: string): SlurmJob | undefined {
  const fields = line.split('|');
  if (fields.length !== SQUEUE_FIELDS.length) return undefined;
  const [id, name, state, reason, nodeList, gres, timeLeft, start, limit, partition, count] = fields.map((field) => field.trim()) as [string, string, string, string, string, string, string, string, string, string, string];
  if (!/^\d+(_\d+)?$/.test(id) || !/^[A-Z_]+$/.test(state)) return undefined;
  const gpus = gpusOf(gres);
  const left = parseSlurmDuration(timeLeft);
  const timeLimit = parseSlurmDuration(limit);
  return {
    id,
    name,
    state,
    ...(reason !== '' && reason !== 'None' ? { reason } : {}),
    ...(nodeList !== '' && state !== 'PENDING' ? { nodeList } : {}),
    ...(gpus !== undefined ? { gpus } : {}),
    ...(left !== undefined ? { timeLeftSeconds: left } : {}),
    ...(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/.test(start) ? { startTime: start } : {}),
    ...(timeLimit !== undefined ? { timeLimitSeconds: timeLimit } : {}),
    partition,
    nodeCount: /^\d+$/.test(count) ? Number(count) : 0,
  };
}

/** `gres/gpu:1`, `gres:gpu:a100:2`, `gpu:2` → `gpu:…`; other resources are not GPUs. */
function gpusOf(tres: string): string | undefined {
  for (const part of tres.split(',')) {
    const match = /^(?:gres[/:])?(gpu(?::[^,]*)?)$/.exec(part.trim());
    if (match) return match[1]!;
  }
  return undefined;
}

/** `node[1-3,5],gpu7` → every node name (for --nodelist a single one is picked); bounded at 4096 names. */
export function expandNodeList(list: string): string[] {
  const names: string[] = [];
  for (const item of list.match(/[^,[]+(?:\[[^\]]*\])?[^,]*/g) ?? []) {
    const match = /^([^[]*)\[([^\]]*)\](.*)$/.exec(item);
    if (!match) {
      names.push(item);
      continue;
    }
    const [, prefix, ranges, suffix] = match;
    for (const range of ranges!.split(',')) {
      const [from, to] = range.split('-');
      if (to === undefined) {
        names.push(`${prefix}${from}${suffix}`);
        continue;
      }
      const width = from!.length;
      for (let n = Number(from); n <= Number(to) && names.length < 4096; n++) names.push(`${prefix}${String(n).padStart(width, '0')}${suffix}`);
    }
  }
  return names.slice(0, 4096);
}
