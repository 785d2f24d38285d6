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
}

export const ENTRYPOINT = '/opt/gpu-env/entrypoint.sh';
export const DEFAULT_SHM_BYTES = 8 * 1024 ** 3;

/** The engine's create request for an environment. Pure, so every field is unit-tested. */
export function containerCreateOptions(plan: ContainerPlan): ContainerCreateOptions {
  const port = `${CONTAINER_SSH_PORT}/tcp`;
  return {
    name: containerName(plan.name),
    Image: plan.image,
    Hostname: plan.name.replace(/[._]/g, '-').slice(0, 63),
    WorkingDir: '/workspace',
    Env: [`GPU_ENV_USER=${plan.user}`, `GPU_ENV_UID=${plan.uid}`, `GPU_ENV_GID=${plan.gid}`, `GPU_ENV_NAME=${plan.name}`],
    ...(plan.overrideEntrypoint ? { Entrypoint: [ENTRYPOINT], Cmd: [] } : {}),
    Labels: {
      [LABEL.name]: plan.name,
      [LABEL.workspace]: plan.workspace,
      [LABEL.recipe]: plan.recipeHash,
      [LABEL.sshPort]: String(CONTAINER_SSH_PORT),
      [LABEL.user]: plan.user,
      [LABEL.gpus]: plan.gpus.description,
      [LABEL.version]: plan.version,
    },
    ExposedPorts: { [port]: {} },
    HostConfig: {
      Init: true,
      SecurityOpt: ['no-new-privileges'],
      RestartPolicy: { Name: 'unless-stopped' },
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
