import { secretTokenStore } from '../jupyter/secret-token-store';
import { externalJupyterUrl } from '../jupyter/jupyter-url';
import { chooseEnvironment } from '../pick-environment';
import { coreContext } from '../services';
import { ensureRunning } from '../start-flow';
import { requireTrustedWorkspace } from '../trust';
import type { GpuCommand } from './command';

export const JUPYTER_EXTENSION = 'ms-toolsai.jupyter';

/**
 * Starts Jupyter in the environment (bound to its 127.0.0.1) and opens it in the browser through a
 * tunnel that stays open until the environment stops or the extension deactivates. The token lives
 * in SecretStorage and appears only in the opened (or copied) URL, never in the log.
 */
export const openJupyterCommand: GpuCommand = {
  id: 'gpuEnv.openJupyter',
  title: (t) => t('Open Jupyter'),
  async run(services, arg) {
    const { ui, log, t } = services;
    // Jupyter runs code from the workspace folder, and the settings pick the engine it runs on.
    if (!requireTrustedWorkspace(services, openJupyterCommand.title(t))) return;
    const chosen = await chooseEnvironment(services, arg, { filter: 'any', placeHolder: t('Environment to open Jupyter in') });
    if (!chosen) return;
    const info = await ensureRunning(services, chosen);
    if (!info) return;
    const core = await services.core();
    const tokens = secretTokenStore(ui.secrets, t);
    const tunnel = await ui.withProgress(t('Opening Jupyter in GPU environment "{0}"', info.name), (report, signal) =>
      services.jupyter.get(info.name, () =>
        core.openJupyter(info.name, coreContext(core, services, { signal }), tokens, {
          onStep: (message) => {
            log.info(message);
            report({ message });
          },
          onError: (message) => log.warn(`Jupyter tunnel to ${info.name}: ${message}`),
        }),
      ),
    );
    log.info(`Jupyter in ${info.name}: 127.0.0.1:${tunnel.forward.port} here → 127.0.0.1:${tunnel.server.port} in the container`);
    const url = await externalJupyterUrl(ui, tunnel);
    if (!(await ui.openExternal(url))) log.warn(`the browser could not be opened for Jupyter in ${info.name}`);
    const copy = t('Copy URL for Jupyter: Existing Server');
    // The Jupyter extension runs beside this one, so it takes the local URL, not the browser's.
    const actions = ui.hasExtension(JUPYTER_EXTENSION) ? [copy] : [];
    const choice = await ui.showInfo(t('Jupyter in "{0}" is open in your browser. The tunnel stays open until the environment stops.', info.name), ...actions);
    if (choice === copy) {
      await ui.writeClipboard(tunnel.url);
      void ui.showInfo(t('Copied the Jupyter URL. Paste it in "Jupyter: Existing Server" when selecting a kernel.'));
    }
  },
};
