import { shellJoin, shellQuote } from '../runs/shell';
import type { ClusterPaths } from './cluster-paths';
import type { SlurmJobSpec } from './job-options';
import { inNodeSoftware, prepareSoftware, type NodeSoftware } from './node-software';

/**
 * The environment as one long-lived batch job: what is submitted (sbatch's options and the script
 * on its stdin) and the files the job uses. Kept free of connections so that every line is
 * unit-tested, and reusable for multi-node jobs (the next issue builds distributed training on it).
 */
export interface BatchJobPlan {
  readonly name: string;
  readonly spec: SlurmJobSpec;
  readonly paths: ClusterPaths;
  /** The workspace folder on the shared file system, absolute; the job starts there. */
  readonly workspace: string;
  readonly software: NodeSoftware;
  /** Cancel the job after this long unused (the idle watcher, media/agent/gpu_env_idle.py); absent: never. */
  readonly idleStopMs?: number;
}

export const JOB_NAME_PREFIX = 'gpu-env-';
export const SSHD = '/usr/sbin/sshd';

export function jobName(name: string): string {
  return `${JOB_NAME_PREFIX}${name}`;
}

/** sbatch's options (the script goes on stdin); `--parsable` prints `ID[;CLUSTER]`. */
export function sbatchArgv(plan: BatchJobPlan): string[] {
  return [
    'sbatch',
    '--parsable',
    `--job-name=${jobName(plan.name)}`,
    `--output=${plan.paths.outputPattern}`,
    `--chdir=${plan.workspace}`,
    ...allocationOptions(plan.spec, 1),
  ];
}

/**
 * What a job of `spec` asks Slurm for: partition, account, QOS, time, the nodes with `tasksPerNode`
 * tasks each, GPUs per node and the rest, the user's own sbatch options last. Shared by the
 * environment's job and the batch jobs of cluster runs (core/slurm/training-job.ts).
 */
export function allocationOptions(spec: SlurmJobSpec, tasksPerNode: number): string[] {
  const gpus = spec.gpusPerNode.count > 0 ? [`--gres=gpu:${spec.gpusPerNode.type !== undefined ? `${spec.gpusPerNode.type}:` : ''}${spec.gpusPerNode.count}`] : [];
  return [
    ...(spec.partition !== undefined ? [`--partition=${spec.partition}`] : []),
    ...(spec.account !== undefined ? [`--account=${spec.account}`] : []),
    ...(spec.qos !== undefined ? [`--qos=${spec.qos}`] : []),
    ...(spec.time !== undefined ? [`--time=${spec.time}`] : []),
    `--nodes=${spec.nodes}`,
    `--ntasks-per-node=${tasksPerNode}`,
    ...gpus,
    ...(spec.cpusPerTask !== undefined ? [`--cpus-per-task=${spec.cpusPerTask}`] : []),
    ...(spec.mem !== undefined ? [`--mem=${spec.mem}`] : []),
    ...(spec.constraint !== undefined ? [`--constraint=${spec.constraint}`] : []),
    ...spec.sbatchArgs,
  ];
}

/**
 * The batch script: prepares every node (setup lines, that node's sshd_config with the job's
 * variables), says it is ready, then holds the allocation until scancel or the time limit.
 */
export function jobScript(plan: BatchJobPlan): string {
  const { paths, software } = plan;
  const step = inNodeSoftware(software, ['bash', paths.nodeScript]);
  const viaSrun = `srun --overlap --ntasks-per-node=1 ${shellJoin([...step.srunOptions, ...step.argv])}`;
  // One node and the node's own software: no step needed, which saves a second of start-up.
  const prepareNodes = software.kind === 'pyxis'
    ? viaSrun
    : ['if [ "${SLURM_JOB_NUM_NODES:-1}" -gt 1 ]; then', `  ${viaSrun}`, 'else', `  ${shellJoin(step.argv)}`, 'fi'].join('\n');
  return [
    '#!/bin/bash',
    `# gpu-env environment ${plan.name}: holds the allocation until \`gpu-env down\` (scancel) or the time limit.`,
    'set -eu',
    ...prepareSoftware(software),
    prepareNodes,
    `touch ${shellQuote(paths.dir)}/ready-"$SLURM_JOB_ID"`,
    ...(plan.idleStopMs !== undefined ? idleHold(plan, plan.idleStopMs) : ['exec sleep infinity']),
    '',
  ].join('\n');
}

/**
 * Holds the allocation like `sleep infinity`, with the idle watcher beside it on the job's node: it
 * ends the sleep when nobody has used the environment for the window (no SSH session, which is a
 * step of this job, no run running, GPUs idle), and the job then cancels itself. Without python3 on the
 * node there is no watcher, and the job holds until `down` or its time limit, as without idle stop.
 */
function idleHold(plan: BatchJobPlan, windowMs: number): string[] {
  const { paths } = plan;
  const state = `${shellQuote(paths.dir)}/idle-"$SLURM_JOB_ID"`;
  return [
    'sleep infinity &',
    'holder=$!',
    `mkdir -p ${state}`,
    'python=""',
    'for candidate in python3 /usr/bin/python3; do if command -v "$candidate" >/dev/null 2>&1; then python=$candidate; break; fi; done',
    'if [ -n "$python" ]; then',
    `  "$python" ${shellQuote(paths.idleWatcher)} --window-ms ${windowMs} --main-pid "$holder" --state ${state} --runs ${shellQuote(`${plan.workspace}/.gpu-env/runs`)} --slurm-job "$SLURM_JOB_ID" &`,
    'else',
    '  echo "gpu-env: no python3 on $(hostname -s), so idle stop is off for this job" >&2',
    'fi',
    'wait "$holder" || true',
    `if [ -f ${state}/idle-stopped ]; then scancel "$SLURM_JOB_ID"; fi`,
  ];
}

/** Variables of the batch step that describe the step or the shell, not the job: left out of sessions. */
const NOT_CARRIED = [
  'HOME', 'USER', 'LOGNAME', 'SHELL', 'PWD', 'OLDPWD', 'SHLVL', '_', 'TERM', 'MAIL', 'HOSTNAME', 'PS1', 'PS2', 'PS4', 'PROMPT_COMMAND',
  'SSH_*', 'BASH_FUNC_*', 'SLURM_STEP_*', 'SLURM_STEPID', 'SLURM_TASK_PID', 'SLURM_PROCID', 'SLURM_LOCALID', 'SLURM_SRUN_COMM_*', 'SLURM_LAUNCH_NODE_IPADDR',
];

/**
 * Run on each node at job start: the user's setup lines, then that node's sshd_config, whose
 * `SetEnv` carries the job's variables (CUDA_VISIBLE_DEVICES, SLURM_*, and whatever the setup lines
 * exported: PATH, LD_LIBRARY_PATH, VIRTUAL_ENV…) into every SSH session, which would otherwise see
 * none of them. Values with a newline, quote or backslash cannot be written there and are skipped.
 */
export function nodeScript(plan: BatchJobPlan): string {
  const { paths } = plan;
  const own = [`GPU_ENV_ENVIRONMENT=${plan.name}`, `GPU_ENV_WORKSPACE=${plan.workspace}`, `GPU_ENV_JUPYTER_DIR=${paths.jupyterDir}`];
  return [
    '#!/bin/bash',
    `# gpu-env environment ${plan.name}: prepares this node for SSH sessions (run by the job on every node).`,
    'set -eu',
    ...(plan.spec.setup.length > 0 ? ['# --setup', ...plan.spec.setup] : []),
    'node="${SLURMD_NODENAME:-$(hostname -s)}"',
    `out=${shellQuote(paths.dir)}/node-"$node".sshd_config`,
    '{',
    `  cat ${shellQuote(paths.sshdBase)}`,
    "  printf 'SetEnv'",
    "  while IFS= read -r -d '' kv; do",
    '    name=${kv%%=*}',
    `    case $name in ${NOT_CARRIED.join('|')}) continue ;; esac`,
    "    [[ $name =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] || continue",
    "    case $kv in *$'\\n'*|*'\"'*|*\\\\*) continue ;; esac",
    "    printf ' \"%s\"' \"$kv\"",
    '  done < <(env -0)',
    `  printf ' "%s"' ${shellJoin(own)}`,
    "  printf '\\n'",
    '} > "$out.tmp"',
    'mv -f "$out.tmp" "$out"',
    '',
  ].join('\n');
}

/** The compute-node sshd, run by the user in inetd mode: key login with our key only, nothing else. */
export function sshdBaseConfig(paths: ClusterPaths): string {
  return [
    '# Written by gpu-env: the sshd that `srun … sshd -i` runs as you inside the job. No port is opened.',
    `HostKey ${configPath(paths.hostKey)}`,
    `AuthorizedKeysFile ${configPath(paths.authorizedKeys)}`,
    'AuthenticationMethods publickey',
    'PubkeyAuthentication yes',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'PermitRootLogin no',
    'UsePAM no',
    'PidFile none',
    'AllowTcpForwarding local',
    'AllowAgentForwarding no',
    'X11Forwarding no',
    'PermitUserEnvironment no',
    'PrintMotd no',
    'Subsystem sftp internal-sftp',
    '',
  ].join('\n');
}

/** The command that reaches NODE of job JOB: sshd in inetd mode as a job step, no port opened. */
export function sessionArgv(options: { jobId: string; node: string; paths: ClusterPaths; software: NodeSoftware }): string[] {
  const { paths, node } = options;
  const step = inNodeSoftware(options.software, [SSHD, '-i', '-f', paths.nodeConfig(node), '-E', paths.sshdLog(node)]);
  // --unbuffered: without it srun holds the client's bytes and the login times out (field notes).
  return ['srun', '--unbuffered', '--overlap', `--jobid=${options.jobId}`, `--nodelist=${node}`, '--nodes=1', '--ntasks=1', ...step.srunOptions, ...step.argv];
}

function configPath(path: string): string {
  return /\s/.test(path) ? `"${path}"` : path;
}
