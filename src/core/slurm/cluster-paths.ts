/**
 * Where an environment's files live on the cluster's shared file system, under the user's home:
 * `~/.gpu-env/envs/NAME/`. Every path is absolute (the home as the login node reports it), since
 * sshd, srun and #SBATCH options do not expand `~`.
 */
export interface ClusterPaths {
  readonly home: string;
  readonly dir: string;
  /** What `up` asked for (workspace, options, node software), for `ls` and the next `up`. */
  readonly record: string;
  /** The compute-node sshd's host key: generated on the client, whose known_hosts pins it. */
  readonly hostKey: string;
  readonly authorizedKeys: string;
  /** sshd_config without the environment's variables; each node's copy adds them. */
  readonly sshdBase: string;
  /** Run once per node at job start: setup lines, then that node's sshd_config. */
  readonly nodeScript: string;
  readonly jobScript: string;
  /** `%j` is the job id (sbatch's --output pattern). */
  readonly outputPattern: string;
  readonly jupyterDir: string;
  nodeConfig(node: string): string;
  sshdLog(node: string): string;
  output(jobId: string): string;
  /** Written by the job once every node's sshd_config is in place. */
  ready(jobId: string): string;
  /** The idle watcher and the agent it samples GPUs with (media/agent/), when idle stop is on. */
  readonly idleWatcher: string;
  readonly idleAgent: string;
  /** The idle watcher's files of one job: idle.json, keep-running, idle-stopped. */
  idleState(jobId: string): string;
}

export const CLUSTER_STATE_DIR = '.gpu-env/envs';

export function clusterPaths(home: string, name: string): ClusterPaths {
  const root = home.replace(/\/+$/, '');
  const dir = `${root}/${CLUSTER_STATE_DIR}/${name}`;
  return {
    home: root,
    dir,
    record: `${dir}/environment.json`,
    hostKey: `${dir}/ssh_host_ed25519_key`,
    authorizedKeys: `${dir}/authorized_keys`,
    sshdBase: `${dir}/sshd_config.base`,
    nodeScript: `${dir}/node.sh`,
    jobScript: `${dir}/job.sh`,
    outputPattern: `${dir}/job-%j.out`,
    jupyterDir: `${dir}/jupyter`,
    nodeConfig: (node) => `${dir}/node-${node}.sshd_config`,
    sshdLog: (node) => `${dir}/sshd-${node}.log`,
    output: (jobId) => `${dir}/job-${jobId}.out`,
    ready: (jobId) => `${dir}/ready-${jobId}`,
    idleWatcher: `${dir}/gpu_env_idle.py`,
    idleAgent: `${dir}/gpu_env_agent.py`,
    idleState: (jobId) => `${dir}/idle-${jobId}`,
  };
}

/** `~/x` → `<home>/x`; absolute paths stay. */
export function absoluteOnCluster(path: string, home: string): string {
  if (path === '~') return home;
  if (path.startsWith('~/')) return `${home.replace(/\/+$/, '')}/${path.slice(2)}`;
  return path;
}
