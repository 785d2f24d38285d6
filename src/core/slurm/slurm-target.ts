import { existsSync, rmSync } from 'node:fs';
import { GpuEnvError, usageError } from '../errors';
import type { CoreContext } from '../lifecycle/context';
import type { EnvironmentInfo } from '../lifecycle/environment-info';
import type { RemoveResult } from '../lifecycle/remove';
import { MAX_LOG_LINES } from '../lifecycle/logs';
import { removeHostBlock } from '../ssh/openssh-config';
import type { SshSession } from '../ssh/session';
import { environmentPaths } from '../state/paths';
import { shellQuote } from '../runs/shell';
import type { EnvironmentTarget } from '../targets/environment-target';
import type { WorkspaceAccess } from '../targets/workspace-access';
import { sleep } from '../util/abort';
import { jobName } from './batch-job';
import { mustRunOnLogin, type Cluster } from './cluster';
import { clusterPaths } from './cluster-paths';
import { NoSuchEnvironmentError, liveJobOf, openClusterState, readClusterState, type ClusterRecord, type ClusterState } from './cluster-state';
import { infosOf, slurmEnvironmentInfo } from './environment-info';
import { nodeBlocksText, openNodeSession, writeNodeBlock, type NodeRoute } from './node-ssh';
import { runSlurmDoctor } from './slurm-doctor';
import { slurmGpus, slurmIdleReport, slurmKeepRunning } from './slurm-idle';
import { slurmUp } from './slurm-up';
import { slurmRunScheduler } from './slurm-run-scheduler';
import { watchCluster } from './watch-cluster';

/** Environments as long-lived batch jobs on a Slurm cluster, reached through its login node. */
export const slurmTarget: EnvironmentTarget = {
  kind: 'slurm',
  up: (request, ctx) => {
    if (request.kind !== 'slurm') throw usageError(`${ctx.host?.url ?? 'this target'} is a Slurm cluster: give its options (partition, time, …), not a Docker engine's`);
    return slurmUp(request, ctx);
  },
  down,
  remove,
  list,
  status,
  openSession,
  sshConfig,
  logs,
  watch: watchCluster,
  doctor: runSlurmDoctor,
  workspaceAccess,
  gpus: slurmGpus,
  idle: slurmIdleReport,
  keepRunning: slurmKeepRunning,
  runScheduler: slurmRunScheduler,
};

export const CANCEL_WAIT_MS = 60_000;

/** scancel; waits (bounded) until the job has left the running states. The workspace and keys stay. */
async function down(name: string, ctx: CoreContext): Promise<EnvironmentInfo> {
  const { cluster, state } = await openClusterState(ctx);
  const record = requireEnvironment(state, name, cluster);
  const job = liveJobOf(state, name);
  if (job) {
    ctx.progress({ kind: 'step', step: 'stop', message: `Cancelling job ${job.id} (scancel)` });
    await mustRunOnLogin(cluster, `cancelling job ${job.id}`, `scancel ${job.id}`, ctx.signal);
    await untilGone(cluster, name, ctx);
  }
  return slurmEnvironmentInfo(cluster, name, record, undefined);
}

/**
 * Cancels the job and drops the environment's state on the cluster (its keys, configs, job output)
 * and its OpenSSH block here. `purge` also deletes the local keys and the workspace's run files; the
 * user's own workspace files are never touched.
 */
async function remove(name: string, options: { purge: boolean }, ctx: CoreContext): Promise<RemoveResult> {
  const { cluster, state } = await openClusterState(ctx);
  const record = state.records.find((r) => r.name === name);
  const job = liveJobOf(state, name);
  const keysDir = environmentPaths(ctx.stateDir, name).dir;
  if (!record && !job && !(options.purge && existsSync(keysDir))) throw new NoSuchEnvironmentError(name, cluster.url);
  const paths = clusterPaths(cluster.home, name);
  ctx.progress({ kind: 'step', step: 'remove', message: `Removing gpu-env-${name} from ${cluster.label}` });
  const runs = record ? `${record.workspace}/.gpu-env` : undefined;
  const script = [
    ...(job ? [`scancel ${job.id}`] : []),
    `rm -rf -- ${shellQuote(paths.dir)}`,
    ...(options.purge && runs ? [`if [ -e ${shellQuote(runs)} ]; then rm -rf -- ${shellQuote(runs)}; echo purged-runs; fi`] : []),
  ].join('\n');
  const output = await mustRunOnLogin(cluster, `removing gpu-env-${name}`, script, ctx.signal);
  if (job) await untilGone(cluster, name, ctx);
  removeHostBlock(ctx.stateDir, name);
  const purged: string[] = [];
  if (options.purge) {
    if (existsSync(keysDir)) {
      rmSync(keysDir, { recursive: true, force: true });
      purged.push(keysDir);
    }
    if (output.includes('purged-runs')) purged.push(`${cluster.label}:${runs!}`);
  }
  return { removedContainer: record !== undefined || job !== undefined, purged };
}

async function list(ctx: CoreContext): Promise<EnvironmentInfo[]> {
  const { cluster, state } = await openClusterState(ctx);
  return infosOf(cluster, state);
}

async function status(name: string, ctx: CoreContext): Promise<EnvironmentInfo> {
  const { cluster, state } = await openClusterState(ctx);
  const record = requireEnvironment(state, name, cluster);
  return slurmEnvironmentInfo(cluster, name, record, liveJobOf(state, name));
}

async function openSession(name: string, ctx: CoreContext): Promise<SshSession> {
  const { cluster, route } = await runningRoute(name, ctx);
  return openNodeSession(cluster, ctx.stateDir, route, ctx.signal);
}

async function sshConfig(name: string, ctx: CoreContext): Promise<string> {
  const { cluster, route } = await runningRoute(name, ctx);
  // Kept in step with the file Remote-SSH reads: the job (and so the node) may have changed since `up`.
  writeNodeBlock(ctx.stateDir, ctx.homeDir, cluster, route);
  return nodeBlocksText(ctx.stateDir, ctx.homeDir, cluster, route);
}

/** The last lines of the batch job's output (the setup lines' output, errors of the job script). */
async function logs(name: string, options: { tail: number }, ctx: CoreContext): Promise<string> {
  if (!Number.isInteger(options.tail) || options.tail < 1 || options.tail > MAX_LOG_LINES) {
    throw usageError(`tail: ${String(options.tail)} is not accepted; use a whole number of lines from 1 to ${MAX_LOG_LINES}`);
  }
  const { cluster, state } = await openClusterState(ctx);
  const record = requireEnvironment(state, name, cluster);
  const jobId = liveJobOf(state, name)?.id ?? record.jobId;
  if (jobId === undefined) return '';
  return mustRunOnLogin(cluster, 'reading the job output', `tail -n ${options.tail} ${shellQuote(clusterPaths(cluster.home, name).output(jobId))} 2>/dev/null || true`, ctx.signal);
}

/** The workspace is a folder of the shared file system: reached through the login node, job or not. */
async function workspaceAccess(name: string, ctx: CoreContext): Promise<WorkspaceAccess> {
  const { cluster, state } = await openClusterState(ctx);
  const record = requireEnvironment(state, name, cluster);
  return {
    path: record.workspace,
    where: cluster.label,
    exec: (command, options) => cluster.connection.exec(command, options),
    spawn: (command, signal) => cluster.connection.spawn(command, signal),
  };
}

async function runningRoute(name: string, ctx: CoreContext): Promise<{ cluster: Cluster; route: NodeRoute }> {
  const { cluster, state } = await openClusterState(ctx);
  const record = requireEnvironment(state, name, cluster);
  const info = slurmEnvironmentInfo(cluster, name, record, liveJobOf(state, name));
  const node = info.job?.nodes[0];
  if (info.state !== 'running' || !info.job || node === undefined) {
    const why = info.job ? `its job ${info.job.id} is ${info.job.state}${info.job.reason !== undefined ? ` (${info.job.reason})` : ''}` : 'it has no job';
    throw new GpuEnvError(`environment "${name}" is not running on ${cluster.url}: ${why}; start it with \`gpu-env up --name ${name} --host ${cluster.url}\``);
  }
  return { cluster, route: { name, jobId: info.job.id, node, workspace: record.workspace, software: record.software } };
}

function requireEnvironment(state: ClusterState, name: string, cluster: Cluster): ClusterRecord {
  const record = state.records.find((r) => r.name === name);
  if (!record) throw new NoSuchEnvironmentError(name, cluster.url);
  return record;
}

/** Until squeue shows no job of the environment at all (not even COMPLETING), bounded; scancel's SIGTERM/SIGKILL take KillWait. */
async function untilGone(cluster: Cluster, name: string, ctx: CoreContext): Promise<void> {
  const deadline = Date.now() + CANCEL_WAIT_MS;
  for (let attempt = 0; attempt < 600 && Date.now() < deadline; attempt++) {
    if (!(await readClusterState(cluster, ctx.signal)).jobs.some((job) => job.name === jobName(name))) return;
    await sleep(attempt < 20 ? 100 : 500, ctx.signal);
  }
  throw new GpuEnvError(`the job of "${name}" was cancelled but still shows in squeue after ${CANCEL_WAIT_MS / 1000} s; check \`squeue -u ${cluster.user}\` on ${cluster.label}`);
}
