import type { StoreState } from './environment-store';
import type { Services } from './services';

/**
 * `gpuEnv.autoStart`: once per window, when the environments are first listed (the view was opened)
 * and this workspace's environment is not running, start it. Activation itself never does this, and
 * an untrusted workspace is left alone.
 */
export function autoStartOnFirstList(services: Services, start: () => Promise<unknown>): (state: StoreState) => void {
  let decided = false;
  return (state) => {
    if (decided || state.kind !== 'ready') return;
    decided = true;
    let settings;
    try {
      settings = services.settings();
    } catch {
      return; // A bad setting is reported when the user starts by hand.
    }
    const noFolder = services.ui.workspaceFolderPaths().length === 0 && settings.workspaceFolder === undefined;
    if (!settings.autoStart || noFolder) return;
    if (!services.ui.isTrusted()) return services.log.info('gpuEnv.autoStart: skipped, the workspace is not trusted');
    const name = settings.environmentName ?? 'default';
    if (state.environments.some((info) => info.name === name && info.state === 'running')) return;
    services.log.info(`gpuEnv.autoStart: starting "${name}"`);
    void start();
  };
}
