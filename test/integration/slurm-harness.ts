import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runProcess, type CliResult } from './harness-env';

/**
 * The Slurm test cluster of test/harness/slurm-cluster.sh, as its `start` exported it: a login node
 * reached with OpenSSH through the printed config, compute nodes `node1`/`node2`, shared /home.
 */
export const SLURM = {
  host: process.env.GPU_ENV_TEST_SLURM_HOST ?? '',
  sshConfig: process.env.GPU_ENV_TEST_SLURM_SSH_CONFIG ?? '',
  knownHosts: process.env.GPU_ENV_TEST_SLURM_KNOWN_HOSTS ?? '',
  key: process.env.GPU_ENV_TEST_SLURM_KEY ?? '',
  user: process.env.GPU_ENV_TEST_SLURM_USER ?? '',
  login: process.env.GPU_ENV_TEST_SLURM_LOGIN ?? '',
  containerPrefix: process.env.GPU_ENV_TEST_SLURM_CONTAINER_PREFIX ?? '',
};
export const SLURM_READY = SLURM.host.startsWith('slurm://') && SLURM.sshConfig !== '' && (process.env.DOCKER_HOST ?? '').startsWith('unix://');
export const SLURM_SKIP_REASON = 'Slurm tests need the test cluster: run `npm test` (test/harness/slurm-cluster.sh start sets GPU_ENV_TEST_SLURM_*)';
export const COMPUTE_NODES = ['node1', 'node2'] as const;

/** The `Host` alias of the login node in the printed ssh config (the part after slurm://). */
export function loginAlias(): string {
  return SLURM.host.replace(/^slurm:\/\//, '');
}

/** A shell command on the login node as the test user, over OpenSSH with the printed config. */
export function onLogin(command: string, timeoutMs = 60_000): Promise<CliResult> {
  return runProcess('ssh', ['-F', SLURM.sshConfig, '-o', 'BatchMode=yes', loginAlias(), command], {}, timeoutMs);
}

/** Writes a file (mode 0600, folders 0700) on the shared /home through the login node, content on stdin. */
export function writeOnLogin(path: string, content: string): void {
  const result = spawnSync('ssh', ['-F', SLURM.sshConfig, '-o', 'BatchMode=yes', loginAlias(), `umask 077 && mkdir -p "$(dirname '${path}')" && cat > '${path}'`], { input: content, encoding: 'utf8', timeout: 30_000 });
  if (result.status !== 0) throw new Error(`writing ${path} on the login node failed: ${result.stderr}`);
}

/** A command in one of the cluster's containers as root (`docker exec`), for what a user cannot see. */
export function inNode(node: 'ctl' | 'login' | (typeof COMPUTE_NODES)[number], args: readonly string[], timeoutMs = 30_000): CliResult {
  const result = spawnSync('docker', ['exec', `${SLURM.containerPrefix}-${node}`, ...args], { encoding: 'utf8', timeout: timeoutMs });
  return { code: result.status, stdout: result.stdout ?? '', stderr: result.stderr ?? '' };
}

/** The test user's jobs: `id state nodes name` per line. */
export async function userJobs(): Promise<string[]> {
  const result = await onLogin(`squeue -h -u ${SLURM.user} -o '%i %T %N %j'`);
  if (result.code !== 0) throw new Error(`squeue failed: ${result.stderr}`);
  return result.stdout.split('\n').filter((line) => line.trim() !== '');
}

/** Cancels every job of the test user and waits (bounded) until squeue shows none. */
export async function cancelAllJobs(): Promise<void> {
  await onLogin(`scancel -u ${SLURM.user}`);
  const deadline = Date.now() + 60_000;
  for (let attempt = 0; attempt < 300 && Date.now() < deadline; attempt++) {
    if ((await userJobs()).length === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`jobs of ${SLURM.user} still queued after scancel: ${(await userJobs()).join('; ')}`);
}

/** Waits (bounded) until job `id` is in `state`; returns the squeue line `state node reason`. */
export async function waitForJobState(id: string, state: string, timeoutMs = 60_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (let attempt = 0; attempt < 1000 && Date.now() < deadline; attempt++) {
    const result = await onLogin(`squeue -h -j ${id} -o '%T %N %r'`);
    last = result.stdout.trim();
    if (last.split(' ')[0] === state) return last;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`job ${id} not ${state} after ${timeoutMs} ms (last: "${last}")`);
}

/**
 * A HOME for the product whose ~/.ssh/config includes the cluster's printed config, so that
 * `slurm://ALIAS` resolves exactly as it would for a user with that block in their own config.
 */
export function homeWithClusterAlias(home: string): string {
  const ssh = join(home, '.ssh');
  mkdirSync(ssh, { recursive: true, mode: 0o700 });
  writeFileSync(join(ssh, 'config'), `Include ${SLURM.sshConfig}\n`, { mode: 0o600 });
  return home;
}

/** Listening TCP ports on a node, from /proc/net/tcp{,6} (state 0A), sorted. */
export function listeningPorts(node: (typeof COMPUTE_NODES)[number]): number[] {
  const result = inNode(node, ['sh', '-c', 'cat /proc/net/tcp /proc/net/tcp6 2>/dev/null']);
  const ports = new Set<number>();
  for (const line of result.stdout.split('\n')) {
    const fields = line.trim().split(/\s+/);
    if (fields[3] === '0A') ports.add(parseInt(fields[1]!.split(':')[1]!, 16));
  }
  return [...ports].sort((a, b) => a - b);
}

/** A node failure: `slurm-cluster.sh kill-node` (docker kill of the node's container). */
export function killNode(node: (typeof COMPUTE_NODES)[number]): void {
  harnessCommand(['kill-node', node]);
}

/** The node back in service (`slurm-cluster.sh revive-node`: container, names, munge, slurmd), waited for. */
export function reviveNode(node: (typeof COMPUTE_NODES)[number]): void {
  harnessCommand(['revive-node', node], 120_000);
}

function harnessCommand(args: readonly string[], timeoutMs = 60_000): void {
  const script = join(__dirname, '..', 'harness', 'slurm-cluster.sh');
  // The cluster's own instance (its containers are gpu-env-slurm-INSTANCE-*), whatever this process says.
  const instance = SLURM.containerPrefix.replace(/^gpu-env-slurm-/, '');
  const result = spawnSync('bash', [script, ...args], { encoding: 'utf8', timeout: timeoutMs, env: { ...process.env, GPU_ENV_TEST_INSTANCE: instance } });
  if (result.status !== 0) throw new Error(`slurm-cluster.sh ${args.join(' ')} failed (${String(result.status)}): ${result.stderr}`);
}

/** A file on the shared /home, as the test user reads it ('' when it is not there). */
export async function readOnCluster(path: string): Promise<string> {
  return (await onLogin(`cat '${path}' 2>/dev/null || true`)).stdout;
}
