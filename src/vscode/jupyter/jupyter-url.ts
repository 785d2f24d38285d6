import type { JupyterTunnel } from '../../core/jupyter/jupyter-tunnel';
import type { Ui } from '../ui';

/**
 * The URL for the user's browser. Only the bare origin goes through `asExternalUri` (which a remote
 * host such as Codespaces or code-server may forward and log), so the token never does; the path
 * and `?token=` are added to what comes back.
 */
export async function externalJupyterUrl(ui: Pick<Ui, 'externalUri'>, tunnel: Pick<JupyterTunnel, 'forward' | 'server' | 'url'>): Promise<string> {
  const base = await ui.externalUri(`http://127.0.0.1:${tunnel.forward.port}`);
  const path = new URL(tunnel.url).pathname;
  return `${base.replace(/\/+$/, '')}${path}?token=${encodeURIComponent(tunnel.server.token)}`;
}
