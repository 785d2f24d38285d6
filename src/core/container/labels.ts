/** Labels on every container the product creates; `ls` and cleanup find environments by them. */
export const LABEL = {
  name: 'dev.gpu-env.name',
  workspace: 'dev.gpu-env.workspace',
  recipe: 'dev.gpu-env.recipe',
  sshPort: 'dev.gpu-env.ssh-port',
  user: 'dev.gpu-env.user',
  gpus: 'dev.gpu-env.gpus',
  version: 'dev.gpu-env.version',
  /** Who created it: the user running gpu-env (on an ssh:// host, the SSH user there). */
  owner: 'dev.gpu-env.owner',
  /** Set when `--gpus N` chose the GPUs: N; `gpus` then lists the chosen ones. */
  gpuCount: 'dev.gpu-env.gpu-count',
  /** The idle-stop window in ms; absent: idle stop is off. */
  idleStop: 'dev.gpu-env.idle-stop',
} as const;

/** The short-lived container that samples every GPU of the engine's machine (core/gpu/gpu-probe.ts). */
export const PROBE_LABEL = 'dev.gpu-env.gpu-probe';

export const CONTAINER_SSH_PORT = 22;

export function containerName(name: string): string {
  return `gpu-env-${name}`;
}
