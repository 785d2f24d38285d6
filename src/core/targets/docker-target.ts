import { runDockerDoctor } from '../doctor/run-doctor';
import { GpuEnvError, usageError } from '../errors';
import type { CoreContext } from '../lifecycle/context';
import { down } from '../lifecycle/down';
import { gpuHolders } from '../lifecycle/gpus';
import { idleReport, keepRunning } from '../lifecycle/idle-files';
import { dockerGpuClaims, dockerHostProcessLookup } from '../lifecycle/gpu-processes';
import { openEngine } from '../lifecycle/engine';
import { watchEnvironmentEvents } from '../lifecycle/events';
import { list, status } from '../lifecycle/list';
import { logs } from '../lifecycle/logs';
import { remove } from '../lifecycle/remove';
import { openEnvironmentSession } from '../lifecycle/session';
import { environmentSshConfig } from '../lifecycle/ssh-config-text';
import { up } from '../lifecycle/up';
import type { EnvironmentTarget } from './environment-target';
import type { WorkspaceAccess } from './workspace-access';

/** Environments as containers on a Docker engine: this machine's, tcp://, or ssh:// through one SSH connection. */
export const dockerTarget: EnvironmentTarget = {
  kind: 'docker',
  up: (request, ctx) => {
    if (request.kind === 'slurm') throw new GpuEnvError(`a Slurm request (${request.host}) reached the Docker target; pass the same host in the context`);
    return up(request, ctx);
  },
  down,
  remove,
  list,
  status,
  openSession: openEnvironmentSession,
  sshConfig: environmentSshConfig,
  logs,
  watch: watchEnvironmentEvents,
  doctor: runDockerDoctor,
  workspaceAccess: dockerWorkspaceAccess,
  gpus: gpuHolders,
  idle: idleReport,
  keepRunning,
  hostProcessLookup: dockerHostProcessLookup,
  gpuClaims: dockerGpuClaims,
};

/** The workspace of an environment on an ssh:// host is a folder there; on other engines it is not reachable as files. */
async function dockerWorkspaceAccess(name: string, ctx: CoreContext): Promise<WorkspaceAccess> {
  const info = await status(name, ctx);
  const engine = await openEngine(ctx);
  const remote = engine.remote;
  if (!remote) {
    const why = info.host?.kind === 'local'
      ? 'its workspace is this machine\'s folder, mounted in the container; there is nothing to copy'
      : `its engine (${info.engine}) is reached over TCP, which carries no files; copy them to that machine yourself`;
    throw usageError(`environment "${name}": ${why}`);
  }
  return {
    path: info.workspace,
    where: remote.label,
    exec: (command, options) => remote.connection.exec(command, options),
    spawn: (command, signal) => remote.connection.spawn(command, signal),
  };
}
