import type { CoreContext } from '../lifecycle/context';
import { targetFor } from '../targets/target-for';
import { forwardLocalPort, type LocalForward } from '../tunnel/local-forward';
import { SessionDialer } from '../tunnel/session-dialer';
import { ensureJupyter, jupyterUrl, type JupyterServer } from './jupyter-server';
import type { TokenStore } from './token';

export interface JupyterTunnel {
  readonly server: JupyterServer;
  /** The port on this machine's 127.0.0.1 that reaches Jupyter. */
  readonly forward: LocalForward;
  /** `http://127.0.0.1:PORT/lab?token=…`: a secret, show it only where the user asked for it. */
  readonly url: string;
  /** Closes the local port and the SSH session; Jupyter keeps running in the environment. */
  close(): Promise<void>;
}

export interface JupyterTunnelOptions {
  /** Local port; 0 or absent for a free one. */
  readonly port?: number;
  /** How the user gave `port`, for the error when it is taken. */
  readonly portField?: string;
  readonly onStep?: (message: string) => void;
  /** A forwarded connection failed (the tunnel goes on). */
  readonly onError?: (message: string) => void;
}

/**
 * Jupyter in environment NAME, started if needed, reachable on a local 127.0.0.1 port through the
 * environment's SSH connection (reconnected when it drops). For the CLI's `gpu-env jupyter` and the
 * extension's "Open Jupyter" (which passes `forward.port` through asExternalUri).
 */
export async function openJupyterTunnel(name: string, ctx: CoreContext, tokens: TokenStore, options: JupyterTunnelOptions = {}): Promise<JupyterTunnel> {
  const session = await targetFor(ctx).openSession(name, ctx);
  let dialer: SessionDialer | undefined;
  try {
    const server = await ensureJupyter(session, name, tokens, { ...(ctx.signal ? { signal: ctx.signal } : {}), ...(options.onStep ? { onStep: options.onStep } : {}) });
    // Later sessions are opened without the command's signal: the tunnel outlives the start-up.
    const { signal: _startSignal, ...lasting } = ctx;
    dialer = new SessionDialer(() => targetFor(lasting).openSession(name, lasting), '127.0.0.1', server.port, {}, session);
    const own = dialer;
    const forward = await forwardLocalPort(() => own.dial(), { ...(options.port !== undefined ? { port: options.port } : {}), ...(options.portField !== undefined ? { portField: options.portField } : {}), ...(options.onError ? { onError: options.onError } : {}) });
    return {
      server,
      forward,
      url: jupyterUrl(server, forward.port),
      async close() {
        await forward.close();
        own.dispose();
      },
    };
  } catch (error) {
    if (dialer) dialer.dispose();
    else session.close();
    throw error;
  }
}
