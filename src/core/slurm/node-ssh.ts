import { GpuEnvError, messageOf } from '../errors';
import { jumpHostsFor } from '../remote/jump-hosts';
import { shellJoin, shellQuote } from '../runs/shell';
import { connectSsh } from '../ssh/connection';
import { loadKeys } from '../ssh/keys';
import { HostKeyMismatchError } from '../ssh/connection';
import { jumpAlias, renderHostBlock, renderJumpBlock, writeHostBlock, type SshEndpoint } from '../ssh/openssh-config';
import type { SshSession } from '../ssh/session';
import { sshConfigPath } from '../state/paths';
import { CancelledError, sleep } from '../util/abort';
import { sessionArgv } from './batch-job';
import type { Cluster } from './cluster';
import { clusterPaths } from './cluster-paths';
import type { NodeSoftware } from './node-software';

/** Where one session goes: a node of a running job, with the environment's workspace. */
export interface NodeRoute {
  readonly name: string;
  readonly jobId: string;
  readonly node: string;
  readonly workspace: string;
  readonly software: NodeSoftware;
}

/** The command on the login node whose stdin/stdout is the node's sshd (in inetd mode, as a job step). */
export function nodeSessionCommand(cluster: Pick<Cluster, 'home'>, route: NodeRoute): string {
  return shellJoin(sessionArgv({ jobId: route.jobId, node: route.node, paths: clusterPaths(cluster.home, route.name), software: route.software }));
}

/**
 * The OpenSSH endpoint: `ssh -F <gpu-env's ssh_config> <login alias> srun … sshd -i` as
 * ProxyCommand, so `ssh -F … gpu-env-NAME`, Remote-SSH and anything else speaking OpenSSH reach
 * the compute node through the login node, with no port opened anywhere.
 */
export function nodeEndpoint(stateDir: string, cluster: Pick<Cluster, 'home' | 'id' | 'user'>, route: NodeRoute): SshEndpoint {
  const remote = nodeSessionCommand(cluster, route);
  const command = ['ssh', '-F', shellQuote(sshConfigPath(stateDir)), '-T', '-o', 'BatchMode=yes', jumpAlias(cluster.id), shellQuote(remote)].join(' ');
  // ProxyCommand expands %-tokens: a literal % is written twice.
  return { host: route.node, port: 22, user: cluster.user, proxyCommand: command.replace(/%/g, '%%') };
}

/** Writes the environment's block (and the login node's, with its ProxyJump hops) into gpu-env's ssh_config. */
export function writeNodeBlock(stateDir: string, homeDir: string, cluster: Cluster, route: NodeRoute): void {
  writeHostBlock(stateDir, route.name, nodeEndpoint(stateDir, cluster, route), jumpHostsFor(cluster.chain, homeDir));
}

/** The same blocks as text, for `gpu-env ssh-config` (self-contained for `ssh -F`). */
export function nodeBlocksText(stateDir: string, homeDir: string, cluster: Cluster, route: NodeRoute): string {
  return [...jumpHostsFor(cluster.chain, homeDir).map(renderJumpBlock), renderHostBlock(stateDir, route.name, nodeEndpoint(stateDir, cluster, route))].join('\n');
}

export const NODE_SSH_ATTEMPTS = 3;
export const NODE_SSH_READY_TIMEOUT_MS = 30_000;

/**
 * An ssh2 session to the node: the same `srun … sshd -i` as OpenSSH's ProxyCommand, run on an exec
 * channel of the login node's connection, whose stream carries the SSH handshake. Host key pinned.
 */
export async function openNodeSession(cluster: Cluster, stateDir: string, route: NodeRoute, signal?: AbortSignal): Promise<SshSession> {
  const keys = loadKeys(stateDir, route.name);
  const command = nodeSessionCommand(cluster, route);
  let stderr = '';
  const target = {
    host: route.node,
    port: 22,
    user: cluster.user,
    privateKey: keys.userPrivateKey,
    pinnedHostKey: keys.hostPublicKey,
    label: `gpu-env-${route.name} (${route.node}, job ${route.jobId})`,
    workspace: route.workspace,
    dial: async () => {
      const channel = await cluster.connection.openExec(command, signal);
      channel.stderr.on('data', (chunk: Buffer) => {
        if (stderr.length < 4096) stderr += chunk.toString();
      });
      return channel;
    },
  };
  let lastError: unknown;
  for (let attempt = 0; attempt < NODE_SSH_ATTEMPTS; attempt++) {
    if (attempt > 0) await sleep(500 * attempt, signal);
    stderr = '';
    try {
      return await connectSsh(target, { readyTimeoutMs: NODE_SSH_READY_TIMEOUT_MS, ...(signal ? { signal } : {}) });
    } catch (error) {
      if (error instanceof HostKeyMismatchError || error instanceof CancelledError) throw error;
      lastError = error;
    }
  }
  const said = stderr.trim() !== '' ? `; srun said: ${stderr.trim().split('\n').slice(-3).join(' ')}` : '';
  throw new GpuEnvError(`cannot reach ${route.node} of job ${route.jobId} through ${cluster.label} (srun --overlap … sshd -i): ${messageOf(lastError)}${said}`, 'failure', { cause: lastError });
}
