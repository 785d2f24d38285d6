/** Labels on every container the product creates; `ls` and cleanup find environments by them. */
export const LABEL = {
  name: 'dev.gpu-env.name',
  workspace: 'dev.gpu-env.workspace',
  recipe: 'dev.gpu-env.recipe',
  sshPort: 'dev.gpu-env.ssh-port',
  user: 'dev.gpu-env.user',
  gpus: 'dev.gpu-env.gpus',
  version: 'dev.gpu-env.version',
} as const;

export const CONTAINER_SSH_PORT = 22;

export function containerName(name: string): string {
  return `gpu-env-${name}`;
}
