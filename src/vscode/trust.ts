import type { Services } from './services';

export const MANAGE_TRUST_COMMAND = 'workbench.trust.manage';

/**
 * Commands that create containers or run code refuse in an untrusted workspace: its settings pick the
 * engine, the image and the folder to mount. Returns whether the caller may go on.
 */
export function requireTrustedWorkspace(services: Services, commandTitle: string): boolean {
  const { ui, t } = services;
  if (ui.isTrusted()) return true;
  const manage = t('Manage Workspace Trust');
  const message = t('"{0}" requires a trusted workspace: this workspace\'s settings choose the Docker engine, the image and the folder to mount. Nothing was started.', commandTitle);
  services.log.warn(`refused "${commandTitle}": workspace not trusted`);
  void ui.showError(message, manage).then((choice) => {
    if (choice === manage) void ui.executeCommand(MANAGE_TRUST_COMMAND);
  });
  return false;
}
