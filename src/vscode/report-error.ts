import { isUsageError, messageOf } from '../shared/errors';
import type { Services } from './services';

export function isCancellation(error: unknown): boolean {
  return error instanceof Error && error.name === 'CancelledError';
}

/**
 * The one place a command's failure reaches the user. Cancelling is not an error; a usage error
 * (a bad setting) is shown as is, since it names the setting and what is accepted; anything else
 * also offers the log, where the steps before the failure are.
 */
export async function reportError(services: Services, commandTitle: string, error: unknown): Promise<void> {
  const { ui, log, t } = services;
  const message = messageOf(error);
  if (isCancellation(error)) {
    log.info(`${commandTitle}: cancelled`);
    return;
  }
  if (isHostKeyRefusal(error)) {
    // The core's text says what changed, what was expected and how to fix it: shown word for word.
    log.error(`${commandTitle}: ${message}`);
    await ui.showError(message);
    return;
  }
  if (isHostKeyNotTrusted(error)) {
    // The user said no to the fingerprint: not a failure of the command.
    log.warn(`${commandTitle}: ${message}`);
    void ui.showWarning(t('{0}: {1}', commandTitle, message));
    return;
  }
  if (isUsageError(error)) {
    log.warn(`${commandTitle}: ${message}`);
    await ui.showError(t('{0}: {1}', commandTitle, message));
    return;
  }
  log.error(`${commandTitle} failed: ${message}`);
  const showLog = t('Show Log');
  const choice = await ui.showError(t('{0} failed: {1}', commandTitle, message), showLog);
  if (choice === showLog) log.show();
}

/** By name: the classes live in the core bundle, which this file must not load. */
function isHostKeyRefusal(error: unknown): boolean {
  return error instanceof Error && (error.name === 'HostKeyChangedError' || error.name === 'HostKeyRevokedError');
}

function isHostKeyNotTrusted(error: unknown): boolean {
  return error instanceof Error && error.name === 'HostKeyNotTrustedError';
}
