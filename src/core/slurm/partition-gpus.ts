/**
 * A cluster's GPUs as Slurm accounts for them: every GPU of every node (sinfo's gres), and which
 * running job holds which one (`scontrol -d show job`: `GRES=gpu:1(IDX:0)` per node). Slurm does not
 * sample GPUs, so their use is unknown here (null); who holds them is Slurm's own answer. Pure:
 * command output in, GPUs out.
 */
import type { HostGpu, GpuHolder } from '../gpu/gpu-holders';
import { JOB_NAME_PREFIX } from './batch-job';
import { expandNodeList } from './squeue';

export const SINFO_GPU_FORMAT = '%N|%P|%G|%T';

interface NodeGpus {
  readonly node: string;
  readonly partitions: string[];
  readonly count: number;
  readonly type: string | null;
  readonly state: string;
}

/** States in which a node's GPUs cannot be given to a job. */
const UNUSABLE = /^(down|drain|drained|draining|fail|failing|maint|reserved|inval|unk|future|power_down|powered_down|powering_down|not_responding)/i;

/** `sinfo -h -N -o SINFO_GPU_FORMAT`: one line per node and partition; nodes without GPUs are left out. */
export function parseSinfoGpus(output: string): NodeGpus[] {
  const nodes = new Map<string, NodeGpus>();
  for (const line of output.split('\n')) {
    const [node, partition, gres, state] = line.trim().split('|');
    if (!node || partition === undefined || gres === undefined || state === undefined) continue;
    const gpus = gpuGres(gres);
    if (gpus === null) continue;
    const known = nodes.get(node);
    const name = partition.replace(/\*$/, '');
    if (known) known.partitions.push(name);
    else nodes.set(node, { node, partitions: [name], count: gpus.count, type: gpus.type, state });
  }
  return [...nodes.values()];
}

/** `gpu:2`, `gpu:a100:4(S:0-1)`, `gpu:a100:2,gpu:v100:1` → total count and a type when there is one. */
function gpuGres(gres: string): { count: number; type: string | null } | null {
  let count = 0;
  let type: string | null = null;
  for (const entry of gres.split(',')) {
    const match = /^gpu(?::([^:(]+))?:(\d+)/.exec(entry.trim());
    if (!match) continue;
    count += Number(match[2]);
    type = match[1] ?? type;
  }
  return count > 0 ? { count, type } : null;
}

export interface JobGpus {
  readonly jobId: string;
  readonly jobName: string;
  readonly user: string;
  /** Node → GPU indices on it. */
  readonly indices: ReadonlyMap<string, readonly number[]>;
}

/** `scontrol -d -o show job`: the GPUs (by index on each node) of every running job. */
export function parseJobGpus(output: string): JobGpus[] {
  const jobs: JobGpus[] = [];
  for (const line of output.split('\n')) {
    if (!/\bJobState=RUNNING\b/.test(line)) continue;
    const jobId = /\bJobId=(\d+)/.exec(line)?.[1];
    const jobName = /\bJobName=(\S*)/.exec(line)?.[1] ?? '';
    const user = /\bUserId=([^(\s]+)/.exec(line)?.[1] ?? '?';
    if (jobId === undefined) continue;
    const indices = new Map<string, number[]>();
    for (const match of line.matchAll(/\bNodes=(\S+)\s[^\n]*?\bGRES=(\S*)/g)) {
      const found = [...match[2]!.matchAll(/gpu[^(,]*\(IDX:([^)]*)\)/g)].flatMap((m) => expandIndices(m[1]!));
      if (found.length === 0) continue;
      for (const node of expandNodeList(match[1]!)) indices.set(node, [...(indices.get(node) ?? []), ...found]);
    }
    if (indices.size > 0) jobs.push({ jobId, jobName, user, indices });
  }
  return jobs;
}

/** `0-1,3` → [0, 1, 3] (bounded). */
function expandIndices(text: string): number[] {
  const out: number[] = [];
  for (const part of text.split(',')) {
    const range = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!range) continue;
    const from = Number(range[1]);
    const to = Math.min(Number(range[2] ?? range[1]), from + 1024);
    for (let i = from; i <= to; i++) out.push(i);
  }
  return out;
}

/** Every GPU of the cluster's nodes (of `partition`, when given), with the running jobs that hold it. */
export function partitionGpus(nodes: readonly NodeGpus[], jobs: readonly JobGpus[], partition?: string): HostGpu[] {
  const gpus: HostGpu[] = [];
  for (const node of nodes) {
    if (partition !== undefined && !node.partitions.includes(partition)) continue;
    for (let index = 0; index < node.count; index++) {
      const holders = jobs.filter((job) => job.indices.get(node.node)?.includes(index)).map((job): GpuHolder => ({
        environment: job.jobName.startsWith(JOB_NAME_PREFIX) ? job.jobName.slice(JOB_NAME_PREFIX.length) : null,
        container: `job ${job.jobId}${job.jobName.startsWith(JOB_NAME_PREFIX) ? '' : ` (${job.jobName})`}`,
        owner: job.user,
        kind: 'job',
      }));
      gpus.push({
        index, node: node.node, uuid: null, name: node.type ?? 'gpu',
        utilizationGpuPercent: null, memoryUsedBytes: null, memoryTotalBytes: null,
        holders, processes: null, free: holders.length === 0 && !UNUSABLE.test(node.state),
      });
    }
  }
  return gpus;
}
