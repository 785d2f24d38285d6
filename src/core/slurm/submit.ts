import { randomBytes } from 'node:crypto';
import { GpuEnvError, usageError } from '../errors';
import { shellJoin, shellQuote } from '../runs/shell';
import type { EnvironmentKeys } from '../ssh/keys';
import { jobScript, nodeScript, sbatchArgv, sshdBaseConfig, type BatchJobPlan } from './batch-job';
import { runOnLogin, type Cluster } from './cluster';
import { recordText, type ClusterRecord } from './cluster-state';

/** One file written on the cluster by the upload script. */
interface ClusterFile {
  readonly path: string;
  readonly content: string;
}

/**
 * Writes the environment's files on the shared file system in one login-node command (the host key
 * and authorised key each time, so that a job already running accepts this client's keys), and with
 * `submit`, then runs sbatch with the job script on its stdin. Returns the new job id.
 * Everything travels on the SSH channel's stdin: no key is on a command line or in a process list.
 */
export async function uploadAndSubmit(cluster: Cluster, plan: BatchJobPlan, keys: EnvironmentKeys, record: ClusterRecord, submit: boolean, signal?: AbortSignal): Promise<string | undefined> {
  const { paths } = plan;
  const files: ClusterFile[] = [
    { path: paths.hostKey, content: keys.hostPrivateKey },
    { path: paths.authorizedKeys, content: `${keys.userPublicKey}\n` },
    { path: paths.sshdBase, content: sshdBaseConfig(paths) },
    { path: paths.nodeScript, content: nodeScript(plan) },
    { path: paths.jobScript, content: jobScript(plan) },
  ];
  const script = [
    'set -e',
    `dir=${shellQuote(paths.dir)}`,
    `mkdir -p -- ${shellQuote(plan.workspace)}`,
    'umask 077',
    'mkdir -p -- "$dir"',
    'chmod 700 "$dir"',
    ...files.flatMap((file) => heredoc(file.path, file.content)),
    ...(submit
      ? [
        `out=$(${shellJoin(sbatchArgv(plan))} < ${shellQuote(paths.jobScript)}) || exit 3`,
        'id=${out%%;*}',
        'case $id in ""|*[!0-9]*) echo "sbatch printed no job id: $out" >&2; exit 4;; esac',
        ...heredoc(`${paths.record}.tmp`, recordText({ ...record, jobId: '__JOB_ID__' })),
        `sed "s/__JOB_ID__/$id/" ${shellQuote(`${paths.record}.tmp`)} > ${shellQuote(paths.record)}`,
        `rm -f ${shellQuote(`${paths.record}.tmp`)}`,
        'echo "$id"',
      ]
      : heredoc(paths.record, recordText(record))),
  ].join('\n');
  const result = await runOnLogin(cluster, submit ? 'submitting the job (sbatch)' : 'writing the environment files', script, signal);
  const said = (result.stderr.trim() || result.stdout.trim()).split('\n').slice(-4).join(' ');
  if (result.code === 3) {
    // sbatch refused the request itself: an account, QOS or combination the cluster does not accept.
    const error = `sbatch on ${cluster.label} refused the job: ${said}`;
    throw /invalid|not allowed|not permitted|unrecognized|requested node configuration is not available/i.test(said) ? usageError(error) : new GpuEnvError(error);
  }
  if (result.code !== 0) throw new GpuEnvError(`preparing the environment on ${cluster.label} failed (exit ${String(result.code)}): ${said}`);
  if (!submit) return undefined;
  const id = result.stdout.trim().split('\n').pop() ?? '';
  if (!/^\d+$/.test(id)) throw new GpuEnvError(`sbatch on ${cluster.label} printed no job id: ${result.stdout.trim()}`);
  return id;
}

/** `cat > PATH <<'DELIM'` with a delimiter the content cannot contain. */
function heredoc(path: string, content: string): string[] {
  let delimiter = '';
  do delimiter = `GPU_ENV_${randomBytes(8).toString('hex')}`; while (content.includes(delimiter));
  const body = content.endsWith('\n') ? content : `${content}\n`;
  return [`cat > ${shellQuote(path)} <<'${delimiter}'`, `${body}${delimiter}`];
}
