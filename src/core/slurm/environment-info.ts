import type { EnvironmentInfo, EnvironmentState, JobSummary } from '../lifecycle/environment-info';
import { jumpAlias } from '../ssh/openssh-config';
import { hostAlias } from '../state/paths';
import { jobName } from './batch-job';
import { clusterIdentity, type Cluster } from './cluster';
import { environmentNames, liveJobOf, type ClusterRecord, type ClusterState } from './cluster-state';
import { expandNodeList, type SlurmJob } from './squeue';

/** Every environment the cluster knows, sorted by name. */
export function infosOf(cluster: Pick<Cluster, 'id' | 'label' | 'url' | 'user'>, state: ClusterState, now: Date = new Date()): EnvironmentInfo[] {
  return environmentNames(state).map((name) => slurmEnvironmentInfo(cluster, name, state.records.find((r) => r.name === name), liveJobOf(state, name), now));
}

/** What `ls`, `status` and `up --json` show for an environment on a cluster. */
export function slurmEnvironmentInfo(
  cluster: Pick<Cluster, 'id' | 'label' | 'url' | 'user'>,
  name: string,
  record: ClusterRecord | undefined,
  job: SlurmJob | undefined,
  now: Date = new Date(),
): EnvironmentInfo {
  const nodes = job?.nodeList !== undefined ? expandNodeList(job.nodeList) : [];
  const node = nodes[0];
  const state = environmentState(job);
  const summary: JobSummary | undefined = job && {
    id: job.id,
    state: job.state,
    ...(job.reason !== undefined ? { reason: job.reason } : {}),
    nodes,
    ...(job.gpus !== undefined ? { gpus: job.gpus } : {}),
    partition: job.partition,
    ...(job.timeLeftSeconds !== undefined ? { timeLeftSeconds: job.timeLeftSeconds } : {}),
    ...(job.state === 'PENDING' && job.startTime !== undefined ? { expectedStart: job.startTime } : {}),
  };
  const endsAt = state === 'running' && job?.timeLeftSeconds !== undefined && Number.isFinite(job.timeLeftSeconds)
    ? new Date(now.getTime() + job.timeLeftSeconds * 1000).toISOString()
    : undefined;
  return {
    name,
    container: jobName(name),
    id: job?.id ?? '',
    state,
    status: job ? `${job.state.toLowerCase()}${job.reason !== undefined ? ` (${job.reason})` : ''}` : 'no job',
    image: softwareLabel(record),
    gpus: gpusLabel(job, record),
    workspace: record?.workspace ?? '',
    engine: cluster.url,
    ssh: {
      host: node ?? '',
      port: null,
      user: cluster.user,
      alias: hostAlias(name),
      jump: jumpAlias(cluster.id),
      ...(node !== undefined && job ? { route: `srun --overlap on ${node} (job ${job.id}) via ${cluster.label}` } : {}),
    },
    host: clusterIdentity(cluster),
    ...(summary ? { job: summary } : {}),
    ...(endsAt !== undefined ? { endsAt } : {}),
    ...(record ? { workdir: record.workspace } : {}),
    ...(record?.idleStopMs !== undefined ? { idleStopMs: record.idleStopMs } : {}),
  };
}

function environmentState(job: SlurmJob | undefined): EnvironmentState {
  switch (job?.state) {
    case undefined:
      return 'stopped';
    case 'RUNNING':
      return 'running';
    case 'CONFIGURING':
    case 'RESIZING':
      return 'creating';
    case 'SUSPENDED':
      return 'stopped';
    default:
      return 'pending';
  }
}

function softwareLabel(record: ClusterRecord | undefined): string {
  const software = record?.software;
  if (!software) return '';
  if (software.kind === 'native') return record.spec.setup.length > 0 ? 'node software + setup lines' : 'node software';
  return `${software.kind}: ${software.image}`;
}

function gpusLabel(job: SlurmJob | undefined, record: ClusterRecord | undefined): string {
  const nodes = job?.nodeCount ?? record?.spec.nodes ?? 1;
  const perNode = job?.gpus ?? (record ? (record.spec.gpusPerNode.count > 0 ? `gpu:${record.spec.gpusPerNode.type !== undefined ? `${record.spec.gpusPerNode.type}:` : ''}${record.spec.gpusPerNode.count}` : 'none') : 'none');
  return nodes > 1 ? `${perNode} per node × ${nodes}` : perNode;
}
