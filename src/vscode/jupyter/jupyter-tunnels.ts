import type { JupyterTunnel } from '../../core/jupyter/jupyter-tunnel';
import { messageOf } from '../../shared/errors';
import type { StoreState } from '../environment-store';
import type { Disposable, Subscribe } from '../ui';
import type { Log } from '../log';

/**
 * The Jupyter tunnels the extension holds open, one per environment. A tunnel lives until its
 * environment stops (seen in the environment list, or told by Stop/Remove) or the extension
 * deactivates; asking again for the same environment reuses it rather than opening a second port.
 */
export class JupyterTunnels implements Disposable {
  private readonly open = new Map<string, Promise<JupyterTunnel>>();
  private readonly subscription: Disposable;

  constructor(
    onEnvironmentsChange: Subscribe<StoreState>,
    private readonly log: Pick<Log, 'info' | 'warn'>,
  ) {
    this.subscription = onEnvironmentsChange((state) => this.closeStopped(state));
  }

  /** The environment's tunnel: the open one, else one made by `opener` (forgotten again if that fails). */
  get(name: string, opener: () => Promise<JupyterTunnel>): Promise<JupyterTunnel> {
    const existing = this.open.get(name);
    if (existing) return existing;
    const opening = opener();
    this.open.set(name, opening);
    opening.catch(() => {
      if (this.open.get(name) === opening) this.open.delete(name);
    });
    return opening;
  }

  has(name: string): boolean {
    return this.open.has(name);
  }

  /** Closes the environment's tunnel, if there is one; Jupyter itself keeps running in the container. */
  async close(name: string): Promise<void> {
    const tunnel = this.open.get(name);
    if (!tunnel) return;
    this.open.delete(name);
    try {
      await (await tunnel).close();
      this.log.info(`closed the Jupyter tunnel to ${name}`);
    } catch (error) {
      // A tunnel that never opened, or a connection already gone: nothing left to close.
      this.log.warn(`closing the Jupyter tunnel to ${name}: ${messageOf(error)}`);
    }
  }

  /** Closes every tunnel; awaited on deactivate, before the remote host connections go. */
  async closeAll(): Promise<void> {
    await Promise.all([...this.open.keys()].map((name) => this.close(name)));
  }

  dispose(): void {
    this.subscription.dispose();
    void this.closeAll();
  }

  /** Only a list that loaded says an environment stopped; a failed list (engine away) closes nothing. */
  private closeStopped(state: StoreState): void {
    if (state.kind !== 'ready') return;
    const running = new Set(state.environments.filter((info) => info.state === 'running').map((info) => info.name));
    for (const name of [...this.open.keys()]) if (!running.has(name)) void this.close(name);
  }
}
