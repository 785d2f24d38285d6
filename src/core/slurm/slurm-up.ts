import { GpuEnvError, usageError } from '../errors';
import { readAsset } from '../assets';
import type { CoreContext } from '../lifecycle/context';
import type { SlurmUpRequest } from '../lifecycle/request';
import type { UpResult } from '../lifecycle/up';
import { ensureKeys } from '../ssh/keys';
import { CancelledError } from '../util/abort';
import { shellQuote } from '../runs/shell';
import { jobName, type BatchJobPlan } from './batch-job';
import { runOnLogin, type Cluster } from './cluster';
import { containerRuntimes } from './container-runtimes';
import { absoluteOnCluster, clusterPaths } from './cluster-paths';
import { liveJobOf, openClusterState, type ClusterRecord } from './cluster-state';
import { slurmEnvironmentInfo } from './environment-info';
import type { NodeSoftware } from './node-software';
import { openNodeSession, writeNodeBlock } from './node-ssh';
import { checkPartitionRequest } from './partitions';
import { prepareScript } from './submit';
import { followJob } from './wait-for-job';

/**
 * `up` on a cluster: reuses the environment's pending or running job, else submits a new one;
 * waits (reporting the queue) until it runs with its nodes prepared, writes the OpenSSH block and
 * runs the first SSH command on the node. Everything that only the cluster can check (partitions,
 * their time limits, container support) is checked before anything is submitted. A job this call
 * submitted, or one still waiting for its allocation, is cancelled if `up` fails or is cancelled.
 */
export async function slurmUp(request: SlurmUpRequest, ctx: CoreContext): Promise<UpResult> {
  const { cluster, state, partitions } = await openClusterState(ctx, { partitions: true });
  const existing = liveJobOf(state, request.name);
  const previous = state.records.find((record) => record.name === request.name);
  const warnings: string[] = [];
  if (!existing) {
    checkPartitionRequest(partitions ?? [], request.job, request.fields, cluster.url);
  } else if (previous && JSON.stringify(previous.spec) !== JSON.stringify(request.job)) {
    warnings.push(`job ${existing.id} of "${request.name}" was submitted with other options; it is reused as it is. Run \`gpu-env down ${request.name}\` then \`gpu-env up\` to apply the new ones`);
  }
  const workspace = absoluteOnCluster(existing && previous ? previous.workspace : request.workspace, cluster.home);
  const software = existing && previous ? previous.software : await chooseSoftware(cluster, request, ctx.signal);
  const paths = clusterPaths(cluster.home, request.name);
  const idleStopMs = existing && previous ? previous.idleStopMs : request.idleStopMs;
  if (existing && request.idleStopMs !== undefined && request.idleStopMs !== idleStopMs) {
    warnings.push(`job ${existing.id} of "${request.name}" was submitted with another idle stop; it keeps it. Run \`gpu-env down ${request.name}\` then \`gpu-env up\` to apply the new one`);
  }
  const plan: BatchJobPlan = { name: request.name, spec: existing && previous ? previous.spec : request.job, paths, workspace, software, ...(idleStopMs !== undefined ? { idleStopMs } : {}) };
  const record: Omit<ClusterRecord, 'jobId'> = { name: request.name, workspace, spec: plan.spec, software, ...(idleStopMs !== undefined ? { idleStopMs } : {}) };
  const keys = ensureKeys(ctx.stateDir, request.name);

  ctx.progress({ kind: 'step', step: 'submit', message: existing ? `Reusing job ${existing.id} (${existing.state})` : `Submitting gpu-env-${request.name} to ${cluster.label}` });
  // One login-node command writes the files, submits (or takes the live job) and follows the queue.
  const idleFiles = idleStopMs !== undefined
    ? { watcher: readAsset(ctx.assetsRoot, 'media', 'agent', 'gpu_env_idle.py'), agent: readAsset(ctx.assetsRoot, 'media', 'agent', 'gpu_env_agent.py') }
    : undefined;
  const prepare = prepareScript(plan, keys, record, existing ? { reuse: existing.id } : { submit: true }, idleFiles);
  let jobId = existing?.id;
  let ready = false;
  try {
    const job = await followJob(cluster, paths, prepare, { progress: ctx.progress, onJobId: (id) => (jobId = id), ...(ctx.signal ? { signal: ctx.signal } : {}) });
    ready = true;
    const node = job.nodes[0]!;
    const route = { name: request.name, jobId: job.id, node, workspace, software };
    writeNodeBlock(ctx.stateDir, ctx.homeDir, cluster, route);
    ctx.progress({ kind: 'step', step: 'ssh', message: `Connecting to ${node} through srun --overlap (job ${job.id})` });
    const session = await openNodeSession(cluster, ctx.stateDir, route, ctx.signal);
    try {
      const first = await session.exec('true');
      if (first.code !== 0) throw new GpuEnvError(`first SSH command on ${node} (job ${job.id}) failed (exit ${String(first.code)}): ${first.stderr.trim()}`);
    } finally {
      session.close();
    }
    const info = slurmEnvironmentInfo(cluster, request.name, { ...record, jobId: job.id }, job.job);
    return { info, action: existing ? 'running' : 'created', warnings };
  } catch (error) {
    // A job that never became the environment is not left holding (or waiting for) an allocation;
    // an environment this call was creating is not left behind either (its empty workspace neither).
    const created = previous ? undefined : { dir: paths.dir, workspace };
    if (!existing && jobId === undefined) {
      // Cancelled between sbatch and its answer, or sbatch refused: whatever carries the name goes.
      await cleanUp(cluster, ctx, { name: request.name, ...(created ? { created } : {}) });
    } else if (jobId !== undefined && (!existing || (!ready && error instanceof CancelledError))) {
      await cleanUp(cluster, ctx, { jobId, ...(created ? { created } : {}) });
    }
    throw error;
  }
}

async function cleanUp(cluster: Cluster, ctx: CoreContext, what: { jobId?: string; name?: string; created?: { dir: string; workspace: string } }): Promise<void> {
  if (what.jobId !== undefined) ctx.progress({ kind: 'step', step: 'stop', message: `Cancelling job ${what.jobId} (scancel)` });
  const script = [
    ...(what.jobId !== undefined ? [`scancel ${what.jobId}`] : []),
    ...(what.name !== undefined ? [`scancel --name=${shellQuote(jobName(what.name))} -u "$(id -un)"`] : []),
    ...(what.created ? [`rm -rf -- ${shellQuote(what.created.dir)}`, `rmdir -- ${shellQuote(what.created.workspace)} 2>/dev/null || true`] : []),
  ].join('\n');
  // Without the caller's signal, which may be the very cancel that brought us here.
  await runOnLogin(cluster, 'cancelling the job', script).catch(() => undefined);
}

/**
 * The node's own software, or a container: pyxis when srun knows --container-image, else Apptainer
 * when installed (checked on the login node; both untried on a real cluster, see docs/scaling.md).
 */
async function chooseSoftware(cluster: Cluster, request: SlurmUpRequest, signal?: AbortSignal): Promise<NodeSoftware> {
  const image = request.job.containerImage;
  if (image === undefined) return { kind: 'native' };
  const found = await containerRuntimes(cluster, signal);
  const paths = clusterPaths(cluster.home, request.name);
  const workspace = absoluteOnCluster(request.workspace, cluster.home);
  if (found.includes('pyxis')) return { kind: 'pyxis', image, containerName: `gpu-env-${request.name}`, mounts: [cluster.home], workdir: workspace };
  if (found.includes('apptainer')) return { kind: 'apptainer', image, sif: `${paths.dir}/image.sif`, binds: [cluster.home] };
  throw usageError(`${request.fields.containerImage}: ${cluster.label} has neither pyxis (srun --container-image) nor Apptainer on the PATH; leave ${request.fields.containerImage} out to use the nodes' own software`);
}
