import { GpuEnvError } from '../errors';
import { demuxText } from '../engine/demux';
import type { Engine } from '../engine/connect';
import { loadKeys } from '../ssh/keys';
import type { SshSession } from '../ssh/session';
import { waitForSsh } from '../ssh/wait';
import { CONTAINER_WORKSPACE } from '../runs/paths';
import type { CoreContext } from './context';
import { openEngine } from './engine';
import { environmentInfoOn, inspectEnvironment, type EnvironmentInfo } from './environment-info';

export const SSH_READY_TIMEOUT_MS = 60_000;

/** An SSH session to a running environment whose container is known; waits while sshd starts. */
export async function connectToEnvironment(engine: Engine, info: EnvironmentInfo, ctx: Pick<CoreContext, 'stateDir' | 'signal'>): Promise<SshSession> {
  if (info.ssh.port === null) throw new GpuEnvError(`environment "${info.name}" is ${info.state}; start it with \`gpu-env up --name ${info.name}\``);
  const keys = loadKeys(ctx.stateDir, info.name);
  const port = info.ssh.port;
  // On a remote host the port is on that host's 127.0.0.1: each attempt is a fresh channel of the host's SSH connection.
  const remote = engine.remote;
  const dial = remote ? { dial: () => remote.connection.forwardOut(info.ssh.host, port, ctx.signal) } : {};
  return waitForSsh(
    { host: info.ssh.host, port, user: info.ssh.user, privateKey: keys.userPrivateKey, pinnedHostKey: keys.hostPublicKey, label: info.ssh.alias, workspace: CONTAINER_WORKSPACE, ...dial },
    {
      timeoutMs: SSH_READY_TIMEOUT_MS,
      ...(ctx.signal ? { signal: ctx.signal } : {}),
      stillWorthWaiting: async () => {
        const now = await engine.docker.getContainer(info.id).inspect();
        if (!now.State.Running) {
          const logs = await engine.docker.getContainer(info.id).logs({ stdout: true, stderr: true, tail: 20 });
          throw new GpuEnvError(`environment "${info.name}" stopped while waiting for SSH (exit ${now.State.ExitCode}); last log lines:\n${demuxText(logs)}`);
        }
      },
    },
  );
}

/** Opens an SSH session to the environment NAME on the resolved engine. */
export async function openEnvironmentSession(name: string, ctx: import('./context').CoreContext): Promise<SshSession> {
  const engine = await openEngine(ctx);
  const inspect = await inspectEnvironment(engine.docker, name, ctx.signal);
  if (!inspect) throw new GpuEnvError(`no environment named "${name}" on ${engine.endpoint.url}; list them with \`gpu-env ls\``);
  return connectToEnvironment(engine, environmentInfoOn(engine, inspect), ctx);
}
