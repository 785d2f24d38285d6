import { usageError } from '../errors';
import { mustRunOnLogin, type Cluster } from './cluster';
import { formatSlurmDuration, parseSlurmDuration } from './slurm-time';

export interface Partition {
  readonly name: string;
  readonly isDefault: boolean;
  /** Seconds; Infinity when unlimited. */
  readonly maxTimeSeconds?: number;
  readonly up: boolean;
  /** How many nodes it has (sinfo's %D, summed over its lines); absent when sinfo did not say. */
  readonly nodes?: number;
}

export const PARTITION_FORMAT = '%P|%l|%a|%D';

/**
 * `sinfo -h -o '%P|%l|%a|%D'` lines → partitions (the default one carries a `*`); one per name, its
 * node counts summed where sinfo splits a partition over several lines.
 */
export function parsePartitions(output: string): Partition[] {
  const seen = new Map<string, Partition>();
  for (const line of output.split('\n')) {
    const [rawName, limit, avail, count] = line.trim().split('|');
    if (!rawName || limit === undefined || avail === undefined) continue;
    const name = rawName.replace(/\*$/, '');
    if (!/^[A-Za-z0-9_.-]+$/.test(name)) continue;
    const nodes = count !== undefined && /^\d{1,7}$/.test(count) ? Number(count) : undefined;
    const known = seen.get(name);
    if (known) {
      if (known.nodes !== undefined && nodes !== undefined) seen.set(name, { ...known, nodes: known.nodes + nodes });
      continue;
    }
    const max = parseSlurmDuration(limit);
    seen.set(name, { name, isDefault: rawName.endsWith('*'), ...(max !== undefined ? { maxTimeSeconds: max } : {}), up: avail === 'up', ...(nodes !== undefined ? { nodes } : {}) });
  }
  return [...seen.values()];
}

export async function readPartitions(cluster: Cluster, signal?: AbortSignal): Promise<Partition[]> {
  return parsePartitions(await mustRunOnLogin(cluster, 'listing partitions (sinfo)', `sinfo -h -o '${PARTITION_FORMAT}'`, signal));
}

/**
 * Before anything is submitted: the partitions asked for exist, and the time limit fits theirs
 * (else the job would wait forever with reason PartitionTimeLimit). Errors name the field.
 */
export function checkPartitionRequest(partitions: readonly Partition[], request: { partition?: string; time?: string; timeSeconds?: number }, fields: { partition: string; time: string }, cluster: string): void {
  const names = partitions.map((p) => p.name);
  const wanted = request.partition?.split(',') ?? partitions.filter((p) => p.isDefault).map((p) => p.name);
  for (const name of request.partition?.split(',') ?? []) {
    if (!names.includes(name)) {
      throw usageError(`${fields.partition}: "${name}" is not a partition of ${cluster}; its partitions are ${names.join(', ') || '(none)'}`);
    }
  }
  if (request.timeSeconds === undefined) return;
  for (const name of wanted) {
    const max = partitions.find((p) => p.name === name)?.maxTimeSeconds;
    if (max !== undefined && request.timeSeconds > max) {
      throw usageError(`${fields.time}: "${request.time ?? ''}" is longer than partition ${name} allows (${formatSlurmDuration(max)}); ask for at most that`);
    }
  }
}
