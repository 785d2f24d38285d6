import type { TokenStore } from '../../core/jupyter/token';
import { GpuEnvError, messageOf } from '../../shared/errors';
import type { Translate } from '../l10n';
import type { SecretPort } from '../ui';

export const TOKEN_KEY_PREFIX = 'gpuEnv.jupyter.';

/**
 * Jupyter tokens in VS Code's SecretStorage (the OS keychain), one per environment, instead of a file.
 * When the keychain cannot be used (Linux without a Secret Service, a locked keyring) the token is
 * kept nowhere else: Open Jupyter fails saying what is missing, rather than writing it in plain text.
 */
export function secretTokenStore(secrets: SecretPort, t: Translate): TokenStore {
  /** The keyring's own failure, said as what to do about it. */
  const viaKeyring = <T>(work: Promise<T>): Promise<T> =>
    work.catch((cause: unknown) => {
      throw new GpuEnvError(
        t(
          'VS Code could not use the system keyring, where the Jupyter token is kept ({0}); the token was not saved anywhere else. On Linux, install and unlock a Secret Service keyring (for example gnome-keyring), then open Jupyter again.',
          messageOf(cause),
        ),
        'failure',
        { cause },
      );
    });
  return {
    get: (name) => viaKeyring(secrets.get(`${TOKEN_KEY_PREFIX}${name}`)),
    set: (name, token) => viaKeyring(secrets.store(`${TOKEN_KEY_PREFIX}${name}`, token)),
  };
}
