import { randomBytes } from 'node:crypto';
import { shellJoin, shellQuote } from '../runs/shell';
import type { EnvironmentKeys } from '../ssh/keys';
import { jobScript, nodeScript, sbatchArgv, sshdBaseConfig, type BatchJobPlan } from './batch-job';
import { recordText, type ClusterRecord } from './cluster-state';
import { SBATCH_REFUSED } from './wait-for-job';

/** One file written on the cluster by the upload script. */
interface ClusterFile {
  readonly path: string;
  readonly content: string;
}

/**
 * Shell for the login node that writes the environment's files on the shared file system (the host
 * key and authorised key each time, so that a job already running accepts this client's keys), then
 * either submits the job (sbatch, the job script on its stdin; exit SBATCH_REFUSED when sbatch says
 * no) or takes the one being reused, and prints `gpu-env-job ID` with `$id` set for what follows.
 * Everything travels on the SSH channel's stdin: no key is on a command line or in a process list.
 */
export function prepareScript(
  plan: BatchJobPlan,
  keys: EnvironmentKeys,
  record: ClusterRecord,
  job: { readonly submit: true } | { readonly reuse: string },
  idleFiles?: { readonly watcher: string; readonly agent: string },
): string {
  const { paths } = plan;
  const files: ClusterFile[] = [
    ...(idleFiles ? [{ path: paths.idleWatcher, content: idleFiles.watcher }, { path: paths.idleAgent, content: idleFiles.agent }] : []),
    { path: paths.hostKey, content: keys.hostPrivateKey },
    { path: paths.authorizedKeys, content: `${keys.userPublicKey}\n` },
    { path: paths.sshdBase, content: sshdBaseConfig(paths) },
    { path: paths.nodeScript, content: nodeScript(plan) },
    { path: paths.jobScript, content: jobScript(plan) },
  ];
  return [
    'set -e',
    `dir=${shellQuote(paths.dir)}`,
    `mkdir -p -- ${shellQuote(plan.workspace)}`,
    'umask 077',
    'mkdir -p -- "$dir"',
    'chmod 700 "$dir"',
    ...files.flatMap((file) => heredoc(file.path, file.content)),
    ...('submit' in job
      ? [
        `out=$(${shellJoin(sbatchArgv(plan))} < ${shellQuote(paths.jobScript)}) || exit ${SBATCH_REFUSED}`,
        'id=${out%%;*}',
        'case $id in ""|*[!0-9]*) echo "sbatch printed no job id: $out" >&2; exit 4;; esac',
        ...heredoc(`${paths.record}.tmp`, recordText({ ...record, jobId: '__JOB_ID__' })),
        `sed "s/__JOB_ID__/$id/" ${shellQuote(`${paths.record}.tmp`)} > ${shellQuote(paths.record)}`,
        `rm -f ${shellQuote(`${paths.record}.tmp`)}`,
      ]
      : [`id=${job.reuse}`, ...heredoc(paths.record, recordText({ ...record, jobId: job.reuse }))]),
    'echo "gpu-env-job $id"',
    'set +e',
  ].join('\n');
}

/** `cat > PATH <<'DELIM'` with a delimiter the content cannot contain. */
function heredoc(path: string, content: string): string[] {
  let delimiter: string;
  do delimiter = `GPU_ENV_${randomBytes(8).toString('hex')}`; while (content.includes(delimiter));
  const body = content.endsWith('\n') ? content : `${content}\n`;
  return [`cat > ${shellQuote(path)} <<'${delimiter}'`, `${body}${delimiter}`];
}
