import { homedir } from 'node:os';
import { join } from 'node:path';
import { GpuEnvError } from '../errors';
import { isValidName } from '../validate';

/** `$XDG_CONFIG_HOME/gpu-env`, else `~/.config/gpu-env`; `GPU_ENV_STATE_DIR` overrides both. */
export function defaultStateDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.GPU_ENV_STATE_DIR) return env.GPU_ENV_STATE_DIR;
  const base = env.XDG_CONFIG_HOME && env.XDG_CONFIG_HOME !== '' ? env.XDG_CONFIG_HOME : join(homedir(), '.config');
  return join(base, 'gpu-env');
}

export interface EnvironmentPaths {
  readonly dir: string;
  readonly userKey: string;
  readonly userPublicKey: string;
  readonly hostKey: string;
  readonly hostPublicKey: string;
  readonly knownHosts: string;
  /** The secret that seals the environment's runs (run.json), so that only they resume at its start. */
  readonly runKey: string;
}

export function environmentPaths(stateDir: string, name: string): EnvironmentPaths {
  // Defence in depth: a name like ".." would make this the state folder itself.
  if (!isValidName(name)) throw new GpuEnvError(`"${name}" is not a valid environment name; its files cannot be in the state folder`, 'usage');
  const dir = join(stateDir, 'envs', name);
  return {
    dir,
    userKey: join(dir, 'id_ed25519'),
    userPublicKey: join(dir, 'id_ed25519.pub'),
    hostKey: join(dir, 'ssh_host_ed25519_key'),
    hostPublicKey: join(dir, 'ssh_host_ed25519_key.pub'),
    knownHosts: join(dir, 'known_hosts'),
    runKey: join(dir, 'run_key'),
  };
}

export function sshConfigPath(stateDir: string): string {
  return join(stateDir, 'ssh_config');
}

export function hostAlias(name: string): string {
  return `gpu-env-${name}`;
}
