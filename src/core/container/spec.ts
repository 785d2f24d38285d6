import type { ContainerCreateOptions } from 'dockerode';
import { CONTAINER_SSH_PORT, LABEL, containerName } from './labels';
import type { GpuPlan } from './gpu-support';

export interface ContainerPlan {
  readonly name: string;
  readonly image: string;
  readonly workspace: string;
  readonly uid: number;
  readonly gid: number;
  readonly user: string;
  readonly gpus: GpuPlan;
  readonly memoryBytes?: number;
  readonly nanoCpus?: number;
  readonly shmSizeBytes: number;
  readonly recipeHash: string;
  readonly version: string;
  /** Run our entrypoint even when the image has its own (ready images given with --image). */
  readonly overrideEntrypoint: boolean;
  /** Who creates it (labelled, so that others see whose GPUs these are). */
  readonly owner: string;
  /** The count of `--gpus N`, when the GPUs were chosen as free ones. */
  readonly gpuCount?: number;
  /** Stop after this long unused (the entrypoint's idle watcher decides); absent: never. */
  readonly idleStopMs?: number;
}

/**
 * Docker's default set minus everything sshd and the entrypoint do not use. CHOWN: useradd's home,
 * the run key's group; SETUID/SETGID: sshd's privilege separation and login, su and the runner
 * dropping to the run's owner; NET_BIND_SERVICE: sshd on port 22; SYS_CHROOT: sshd's privsep chroot;
 * KILL: sshd and the runner signalling processes of the user; DAC_READ_SEARCH (read only): root's
 * idle watcher reading the runs in a workspace the user keeps at 0700; AUDIT_WRITE: sshd records a
 * pty login in the audit log and ends the session when it may not (no terminal, no Remote - SSH).
 * Gone: DAC_OVERRIDE (writing others' files), FOWNER, FSETID, MKNOD, NET_RAW, SETPCAP, SETFCAP.
 */
export const KEPT_CAPABILITIES = ['CHOWN', 'DAC_READ_SEARCH', 'SETUID', 'SETGID', 'NET_BIND_SERVICE', 'SYS_CHROOT', 'KILL', 'AUDIT_WRITE'] as const;

export const ENTRYPOINT = '/opt/gpu-env/entrypoint.sh';
/** Where the idle watcher and the agent it samples GPUs with are copied (media/agent/). */
export const IDLE_WATCHER_DIR = '/opt/gpu-env/idle';
export const DEFAULT_SHM_BYTES = 8 * 1024 ** 3;

/** The engine's create request for an environment. Pure, so every field is unit-tested. */
export function containerCreateOptions(plan: ContainerPlan): ContainerCreateOptions {
  const port = `${CONTAINER_SSH_PORT}/tcp`;
  return {
    name: containerName(plan.name),
    Image: plan.image,
    Hostname: plan.name.replace(/[._]/g, '-').slice(0, 63),
    WorkingDir: '/workspace',
    Env: [
      `GPU_ENV_USER=${plan.user}`, `GPU_ENV_UID=${plan.uid}`, `GPU_ENV_GID=${plan.gid}`, `GPU_ENV_NAME=${plan.name}`,
      ...(plan.idleStopMs !== undefined ? [`GPU_ENV_IDLE_STOP_MS=${plan.idleStopMs}`] : []),
    ],
    ...(plan.overrideEntrypoint ? { Entrypoint: [ENTRYPOINT], Cmd: [] } : {}),
    // The first start reads the SSH keys from standard input (see lifecycle/key-delivery.ts): open
    // for the one client that attaches before that start, closed once it has written them.
    OpenStdin: true,
    StdinOnce: true,
    AttachStdin: true,
    Labels: {
      [LABEL.name]: plan.name,
      [LABEL.workspace]: plan.workspace,
      [LABEL.recipe]: plan.recipeHash,
      [LABEL.sshPort]: String(CONTAINER_SSH_PORT),
      [LABEL.user]: plan.user,
      [LABEL.gpus]: plan.gpus.description,
      [LABEL.version]: plan.version,
      [LABEL.owner]: plan.owner,
      ...(plan.gpuCount !== undefined ? { [LABEL.gpuCount]: String(plan.gpuCount) } : {}),
      ...(plan.idleStopMs !== undefined ? { [LABEL.idleStop]: String(plan.idleStopMs) } : {}),
    },
    ExposedPorts: { [port]: {} },
    HostConfig: {
      Init: true,
      SecurityOpt: ['no-new-privileges'],
      CapDrop: ['ALL'],
      CapAdd: [...KEPT_CAPABILITIES],
      RestartPolicy: restartPolicy(plan),
      // Loopback only, host port chosen by the engine and read back after every start.
      PortBindings: { [port]: [{ HostIp: '127.0.0.1', HostPort: '' }] },
      // Mounts, not Binds: a ':' in the folder's path would split a "src:dst" bind string.
      Mounts: [{ Type: 'bind', Source: plan.workspace, Target: '/workspace' }],
      ShmSize: plan.shmSizeBytes,
      ...(plan.memoryBytes !== undefined ? { Memory: plan.memoryBytes } : {}),
      ...(plan.nanoCpus !== undefined ? { NanoCpus: plan.nanoCpus } : {}),
      ...(plan.gpus.deviceRequests.length > 0 ? { DeviceRequests: plan.gpus.deviceRequests.map((r) => ({ ...r })) } : {}),
    },
  };
}

/**
 * Environments come back after the engine restarts. One with idle stop ends itself with exit code 0
 * when idle (and when `gpu-env down` asked it to stop): `on-failure` then leaves it stopped, also
 * across an engine restart, while a stop by the engine's own shutdown (exit 143) still brings it
 * back, runs auto-resuming. `unless-stopped` would restart an environment that stopped itself.
 */
function restartPolicy(plan: ContainerPlan): { Name: 'unless-stopped' | 'on-failure'; MaximumRetryCount?: number } {
  return plan.idleStopMs !== undefined ? { Name: 'on-failure', MaximumRetryCount: 0 } : { Name: 'unless-stopped' };
}
