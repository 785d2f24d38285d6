/**
 * Idle stop and `gpus` on a cluster, through the login node: the idle watcher of the environment's
 * job writes its files on the shared file system (cluster-paths.ts idleState), read and touched
 * here without a session into the job (which would count as use); the GPUs are Slurm's account of
 * them (partition-gpus.ts).
 */
import type { CoreContext } from '../lifecycle/context';
import type { GpuHoldersReport, GpusOptions } from '../lifecycle/gpus';
import type { IdleReport } from '../lifecycle/idle-files';
import { GpuEnvError, usageError } from '../errors';
import { parseIdleState, parseIdleStopRecord } from '../idle/idle-state';
import { shellQuote } from '../runs/shell';
import { clusterIdentity, mustRunOnLogin, runOnLogin } from './cluster';
import { clusterPaths } from './cluster-paths';
import { liveJobOf, NoSuchEnvironmentError, openClusterState } from './cluster-state';
import { parseJobGpus, parseSinfoGpus, partitionGpus, SINFO_GPU_FORMAT } from './partition-gpus';

const JOBS_MARKER = '--- gpu-env jobs';

export async function slurmIdleReport(name: string, ctx: CoreContext): Promise<IdleReport> {
  const { cluster, state } = await openClusterState(ctx);
  const record = state.records.find((r) => r.name === name);
  if (!record) throw new NoSuchEnvironmentError(name, cluster.url);
  if (record.idleStopMs === undefined) return {};
  const paths = clusterPaths(cluster.home, name);
  const job = liveJobOf(state, name);
  if (job?.state === 'RUNNING') {
    const result = await runOnLogin(cluster, 'reading the idle clock', `cat ${shellQuote(`${paths.idleState(job.id)}/idle.json`)} 2>/dev/null`, ctx.signal);
    const idle = result.code === 0 ? parseIdleState(result.stdout) : null;
    return { windowMs: record.idleStopMs, ...(idle ? { state: idle } : {}) };
  }
  if (job || record.jobId === undefined) return { windowMs: record.idleStopMs };
  const result = await runOnLogin(cluster, 'reading the idle stop', `cat ${shellQuote(`${paths.idleState(record.jobId)}/idle-stopped`)} 2>/dev/null`, ctx.signal);
  const stopped = result.code === 0 ? parseIdleStopRecord(result.stdout) : null;
  return { windowMs: record.idleStopMs, ...(stopped ? { stopped } : {}) };
}

export async function slurmKeepRunning(name: string, ctx: CoreContext): Promise<void> {
  const { cluster, state } = await openClusterState(ctx);
  const job = liveJobOf(state, name);
  if (job?.state !== 'RUNNING') throw new GpuEnvError(`environment "${name}" is not running on ${cluster.url}`);
  await mustRunOnLogin(cluster, 'keeping it running', `date +%s%N > ${shellQuote(`${clusterPaths(cluster.home, name).idleState(job.id)}/keep-running`)}`, ctx.signal);
}

/** Every GPU of the cluster's nodes (or of one partition) and the running jobs holding them, in one login-node command. */
export async function slurmGpus(ctx: CoreContext, options: GpusOptions = {}): Promise<GpuHoldersReport> {
  const started = Date.now();
  const { cluster, partitions } = await openClusterState(ctx, { partitions: true });
  if (options.partition !== undefined && !(partitions ?? []).some((p) => p.name === options.partition)) {
    throw usageError(`--partition: ${cluster.label} has no partition "${options.partition}"; it has ${(partitions ?? []).map((p) => p.name).join(', ') || 'none'}`);
  }
  const output = await mustRunOnLogin(cluster, 'listing GPUs (sinfo, scontrol)', [
    `sinfo -h -N -o ${shellQuote(SINFO_GPU_FORMAT)}`,
    `echo ${shellQuote(JOBS_MARKER)}`,
    'scontrol -d -o show job 2>/dev/null || true',
  ].join('\n'), ctx.signal);
  const [nodes = '', jobs = ''] = output.split(`${JOBS_MARKER}\n`);
  return {
    engine: cluster.url,
    host: clusterIdentity(cluster),
    sampledAtMs: Date.now(),
    probeMs: Date.now() - started,
    gpus: partitionGpus(parseSinfoGpus(nodes), parseJobGpus(jobs), options.partition),
  };
}
