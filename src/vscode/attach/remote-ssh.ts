import type { CoreApi } from '../core-api';
import type { Services } from '../services';

export const REMOTE_SSH_EXTENSION = 'ms-vscode-remote.remote-ssh';
/** globalState key: the user's answer to adding the Include line ('added' | 'declined'). */
export const INCLUDE_ANSWER_KEY = 'gpuEnv.sshConfigInclude';

/** Remote-SSH's URI for the environment's workspace folder (/workspace in a container) on a host alias of the user's OpenSSH config. */
export function remoteWorkspaceUri(alias: string, folder = '/workspace'): string {
  return `vscode-remote://ssh-remote+${alias}${folder.split('/').map(encodeURIComponent).join('/')}`;
}

/**
 * Remote-SSH only reads ~/.ssh/config, so the product's ssh_config has to be included there. That
 * file is the user's: the line is added only after a modal yes, and a no is remembered (the user is
 * then told how to add it by hand instead of being asked again).
 */
export async function ensureSshConfigInclude(services: Services): Promise<boolean> {
  const { ui, t, homeDir, stateDir } = services;
  const core = await services.core();
  if (core.userSshIncludePresent(homeDir, stateDir)) return true;
  if (ui.globalState.get(INCLUDE_ANSWER_KEY) === 'declined') return explainManualInclude(services, core);
  const add = t('Add Include Line');
  const decline = t('Don\'t Add');
  const choice = await ui.askModal(
    t('Let Remote - SSH find GPU environments?'),
    t('gpu-env keeps the SSH settings of its environments in {0}. To attach, Remote - SSH needs this line at the top of {1}:\n\n{2}\n\nNothing else in that file changes.', core.sshConfigPath(stateDir), core.userSshConfigPath(homeDir), core.includeLine(stateDir)),
    [add, decline],
  );
  if (choice === decline) {
    await ui.globalState.update(INCLUDE_ANSWER_KEY, 'declined');
    services.log.info('the user declined adding the Include line to ~/.ssh/config');
    return explainManualInclude(services, core);
  }
  if (choice !== add) return false;
  const result = core.ensureUserSshInclude(homeDir, stateDir);
  await ui.globalState.update(INCLUDE_ANSWER_KEY, 'added');
  services.log.info(`${result === 'added' ? 'added' : 'found'} "${core.includeLine(stateDir)}" in ${core.userSshConfigPath(homeDir)}`);
  return true;
}

/** Says what is missing; true when the user then chose to add the line after all. */
async function explainManualInclude(services: Services, core: CoreApi): Promise<boolean> {
  const { ui, t, homeDir, stateDir } = services;
  const copy = t('Copy Include Line');
  const addNow = t('Add It Now');
  const choice = await ui.showWarning(
    t('Remote - SSH cannot find GPU environments until {0} starts with: {1}', core.userSshConfigPath(homeDir), core.includeLine(stateDir)),
    copy,
    addNow,
  );
  if (choice === copy) await ui.writeClipboard(core.includeLine(stateDir));
  if (choice !== addNow) return false;
  core.ensureUserSshInclude(homeDir, stateDir);
  await ui.globalState.update(INCLUDE_ANSWER_KEY, 'added');
  services.log.info(`added "${core.includeLine(stateDir)}" to ${core.userSshConfigPath(homeDir)}`);
  return true;
}
