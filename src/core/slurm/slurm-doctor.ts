import { runCheck, skipped, fail, ok, warn, type Check, type CheckResult } from '../doctor/check';
import { containerProbe, type ContainerProbe } from '../doctor/container-probe';
import { parseNvidiaSmiList } from '../doctor/parse/nvidia-smi';
import { requestedEnvironments, summarize, type DoctorOptions } from '../doctor/run-doctor';
import type { DoctorCheck, DoctorReport } from '../doctor/types';
import { messageOf } from '../errors';
import type { CoreContext } from '../lifecycle/context';
import type { EnvironmentInfo } from '../lifecycle/environment-info';
import type { SshSession } from '../ssh/session';
import { connectCluster, runOnLogin, type Cluster } from './cluster';
import { liveJobOf, readClusterState } from './cluster-state';
import { containerRuntimes } from './container-runtimes';
import { infosOf } from './environment-info';
import { openNodeSession } from './node-ssh';
import { readPartitions, type Partition } from './partitions';

const SLURM_COMMANDS = ['sbatch', 'srun', 'squeue', 'scancel', 'sinfo'] as const;
const FIX_LOGIN_FIRST = 'Fix the "Slurm login node reachable" check first.';

/**
 * The doctor on a cluster: the login node, Slurm's commands there, the partitions, container support
 * (pyxis, Apptainer), and for each running environment an SSH session to its node and `nvidia-smi -L`
 * there. Like the Docker doctor it never throws for what it finds, and bounds every check.
 */
export async function runSlurmDoctor(ctx: CoreContext, options: DoctorOptions = {}): Promise<DoctorReport> {
  const requested = requestedEnvironments(options);
  const started = Date.now();
  const checks: DoctorCheck[] = [];
  const login = await runCheck(loginCheck, ctx, ctx.signal);
  checks.push(login.check);
  let names: readonly string[] = requested ?? [];
  const cluster = login.value;
  if (cluster) {
    checks.push((await runCheck(commandsCheck, cluster, ctx.signal)).check);
    checks.push((await runCheck(partitionsCheck, cluster, ctx.signal)).check);
    checks.push((await runCheck(containerRuntimeCheck, cluster, ctx.signal)).check);
    const infos = infosOf(cluster, await readClusterState(cluster, ctx.signal));
    if (requested === undefined) names = infos.filter((info) => info.state === 'running').map((info) => info.name);
    for (const name of names) checks.push(...(await checkEnvironment(ctx, cluster, infos.find((info) => info.name === name), name)));
  } else {
    for (const check of [commandsCheck, partitionsCheck, containerRuntimeCheck]) checks.push(skipped(check, 'Not checked: the login node did not answer.', FIX_LOGIN_FIRST));
  }
  const url = ctx.host?.url ?? '';
  const source = ctx.host?.source ?? '--host';
  return {
    startedAt: new Date(started).toISOString(),
    durationMs: Date.now() - started,
    engine: { url, source, description: `${url} (from ${source})` },
    environments: names,
    checks,
    summary: summarize(checks),
    ok: checks.every((check) => check.status !== 'fail'),
  };
}

const loginCheck: Check<CoreContext, Cluster> = {
  id: 'login',
  title: 'Slurm login node reachable over SSH',
  timeoutMs: 45_000,
  fixWhenBroken: 'Try `ssh LOGIN true` with the same address; gpu-env uses your ~/.ssh/config and known_hosts for it.',
  async run(ctx) {
    try {
      const cluster = await connectCluster({ ...ctx, progress: () => {} });
      return { status: 'ok', detail: `Logged in to ${cluster.label} (home ${cluster.home}).`, value: cluster };
    } catch (error) {
      return { status: 'fail', detail: `Cannot log in to the login node: ${messageOf(error)}`, fix: 'Check the address (slurm://[user@]login[:port] or a Host of ~/.ssh/config), that `ssh` to it works with a key, and that its host key is in known_hosts.' };
    }
  },
};

const commandsCheck: Check<Cluster> = {
  id: 'slurm-commands',
  title: 'Slurm commands on the login node (sbatch, srun, squeue, scancel, sinfo)',
  timeoutMs: 30_000,
  fixWhenBroken: 'Run `command -v sbatch srun squeue` on the login node.',
  async run(cluster, signal) {
    const result = await runOnLogin(cluster, 'looking for the Slurm commands', SLURM_COMMANDS.map((c) => `command -v ${c} >/dev/null 2>&1 || echo "missing ${c}"`).join('\n'), signal);
    const missing = result.stdout.split('\n').filter((line) => line.startsWith('missing ')).map((line) => line.slice(8));
    if (missing.length === 0) return ok(`All on the PATH of non-interactive SSH sessions: ${SLURM_COMMANDS.join(', ')}.`);
    return fail(`Not on the PATH of a non-interactive SSH session on ${cluster.label}: ${missing.join(', ')}.`, 'If your cluster loads Slurm with a module, load it from ~/.bashrc for non-interactive shells too (or ask your administrators where the commands are).');
  },
};

const partitionsCheck: Check<Cluster> = {
  id: 'partition',
  title: 'Partitions (sinfo)',
  timeoutMs: 30_000,
  fixWhenBroken: 'Run `sinfo` on the login node.',
  async run(cluster, signal) {
    const partitions = await readPartitions(cluster, signal);
    if (partitions.length === 0) return fail('sinfo lists no partition.', 'Ask your administrators which partition to use, and give it with --partition.');
    const list = partitions.map(describePartition).join(', ');
    const down = partitions.filter((p) => !p.up);
    if (!partitions.some((p) => p.isDefault)) return warn(`No default partition: ${list}.`, 'Give one with --partition (or the gpuEnv.slurm.partition setting).');
    if (down.length > 0) return warn(`Partitions: ${list}; not up: ${down.map((p) => p.name).join(', ')}.`, 'Jobs in a partition that is not up wait until it is; pick another with --partition.');
    return ok(`Partitions: ${list}.`);
  },
};

const containerRuntimeCheck: Check<Cluster> = {
  id: 'container-runtime',
  title: 'Containers on the cluster (pyxis, Apptainer)',
  timeoutMs: 30_000,
  fixWhenBroken: 'Run `srun --help | grep container` and `command -v apptainer` on the login node.',
  async run(cluster, signal) {
    const found = await containerRuntimes(cluster, signal);
    if (found.length > 0) return ok(`Found ${found.join(' and ')}: --container-image uses ${found[0]} (untried by gpu-env's own tests on a real cluster).`);
    return ok('Neither pyxis nor Apptainer: environments use the nodes\' own software, with --setup lines (e.g. module load) run first. --container-image is not available here.');
  },
};

async function checkEnvironment(ctx: CoreContext, cluster: Cluster, info: EnvironmentInfo | undefined, name: string): Promise<DoctorCheck[]> {
  const state = await runCheck(jobCheck, { info, name, cluster }, ctx.signal, name);
  if (!state.value) return [state.check, ...[nodeSshCheck, nodeGpuCheck].map((check) => skipped(check, 'Not checked: the environment\'s job is not running.', 'See the "Environment job running" check.', name))];
  const ssh = await runCheck(nodeSshCheck, { ctx, cluster, info: state.value }, ctx.signal, name);
  if (!ssh.value) return [state.check, ssh.check, skipped(nodeGpuCheck, 'Not checked: no SSH session to the node.', 'Fix the "SSH into the environment" check first.', name)];
  try {
    const gpu = await runCheck(nodeGpuCheck, { info: state.value, probe: containerProbe(ssh.value, state.value.ssh.alias, ctx.signal) }, ctx.signal, name);
    return [state.check, ssh.check, gpu.check];
  } finally {
    ssh.value.close();
  }
}

const jobCheck: Check<{ info: EnvironmentInfo | undefined; name: string; cluster: Cluster }, EnvironmentInfo> = {
  id: 'environment',
  title: 'Environment job running',
  timeoutMs: 30_000,
  fixWhenBroken: 'Run `squeue -u $USER` on the login node.',
  async run({ info, name, cluster }) {
    if (!info) return fail(`There is no environment named "${name}" on ${cluster.url}.`, `List them with \`gpu-env ls --host ${cluster.url}\`, or create it with \`gpu-env up --name ${name} --host ${cluster.url}\`.`);
    if (!info.job) return warn(`gpu-env-${name} has no job (stopped with \`down\`, or its time limit passed).`, `Start it with \`gpu-env up --name ${name} --host ${cluster.url}\`.`);
    const what = `Job ${info.job.id} (${info.job.partition}, GPUs ${info.job.gpus ?? 'none'})`;
    if (info.state === 'running') return { status: 'ok', detail: `${what} runs on ${info.job.nodes.join(', ')}.`, value: info };
    return warn(`${what} is ${info.job.state}${info.job.reason !== undefined ? ` (${info.job.reason})` : ''}${info.job.expectedStart !== undefined ? `, expected start ${info.job.expectedStart}` : ''}.`, 'Its node checks run once it runs; `gpu-env up` waits for it and shows the queue.');
  },
};

const nodeSshCheck: Check<{ ctx: CoreContext; cluster: Cluster; info: EnvironmentInfo }, SshSession> = {
  id: 'ssh',
  title: 'SSH into the environment (srun --overlap … sshd -i)',
  timeoutMs: 60_000,
  fixWhenBroken: 'Try `gpu-env exec NAME --host slurm://… -- true`.',
  async run({ ctx, cluster, info }, signal) {
    const state = await readClusterState(cluster, signal);
    const job = liveJobOf(state, info.name);
    const record = state.records.find((r) => r.name === info.name);
    const node = info.job?.nodes[0];
    if (!job || !record || node === undefined) return fail(`The job of ${info.name} is gone.`, `Start it again with \`gpu-env up --name ${info.name} --host ${cluster.url}\`.`);
    try {
      const session = await openNodeSession(cluster, ctx.stateDir, { name: info.name, jobId: job.id, node, workspace: record.workspace, software: record.software }, signal);
      return { status: 'ok', detail: `Connected to ${node} as ${cluster.user} through ${cluster.label}, host key pinned for ${info.ssh.alias}; no port opened.`, value: session };
    } catch (error) {
      return { status: 'fail', detail: `SSH to ${node} failed: ${messageOf(error)}`, fix: `Read ~/.gpu-env/envs/${info.name}/sshd-${node}.log on the cluster; \`gpu-env down ${info.name}\` then \`gpu-env up\` starts a fresh job.` };
    }
  },
};

/** `nvidia-smi -L` on the node, as the environment's sessions see it (CUDA_VISIBLE_DEVICES applies). */
const nodeGpuCheck: Check<{ info: EnvironmentInfo; probe: ContainerProbe }> = {
  id: 'nvidia-smi',
  title: 'GPUs visible on the node (nvidia-smi -L)',
  timeoutMs: 45_000,
  fixWhenBroken: 'Run `gpu-env exec NAME -- nvidia-smi -L`.',
  async run({ info, probe }): Promise<CheckResult> {
    const node = info.job?.nodes[0] ?? 'the node';
    if (!(await probe.which('nvidia-smi'))) {
      return fail(`nvidia-smi is not on the PATH of the environment's sessions on ${node} (the job holds ${info.job?.gpus ?? 'no GPUs'}).`, 'If the node has NVIDIA GPUs, its driver utilities may come from a module: add `--setup "module load cuda"` (or your cluster\'s equivalent); otherwise pick a GPU partition with --partition.');
    }
    const list = parseNvidiaSmiList((await probe.run('nvidia-smi -L 2>&1')).stdout, 0);
    if (list.kind === 'gpus') return ok(`${list.gpus.length} GPU(s) on ${node}: ${list.gpus.map((gpu) => gpu.name).join('; ')}.`);
    return fail(`nvidia-smi -L on ${node} lists no usable GPU (${list.kind}).`, `Ask for GPUs with --gpus-per-node (the job holds ${info.job?.gpus ?? 'none'}), or check the node's driver with your administrators.`);
  },
};

function describePartition(partition: Partition): string {
  return `${partition.name}${partition.isDefault ? ' (default)' : ''}`;
}
