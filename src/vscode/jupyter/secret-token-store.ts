import type { TokenStore } from '../../core/jupyter/token';
import type { SecretPort } from '../ui';

export const TOKEN_KEY_PREFIX = 'gpuEnv.jupyter.';

/** Jupyter tokens in VS Code's SecretStorage (the OS keychain), one per environment, instead of a file. */
export function secretTokenStore(secrets: SecretPort): TokenStore {
  return {
    get: (name) => secrets.get(`${TOKEN_KEY_PREFIX}${name}`),
    set: (name, token) => secrets.store(`${TOKEN_KEY_PREFIX}${name}`, token),
  };
}
