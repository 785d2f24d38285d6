/** The core's public face for the CLI and the extension. */
import { defaultContext, type CoreContext } from './lifecycle/context';
import { openEnvironmentSession as openSession } from './lifecycle/session';
import type { SshSession } from './ssh/session';

export { up, type UpResult } from './lifecycle/up';
export { down } from './lifecycle/down';
export { remove, type RemoveResult } from './lifecycle/remove';
export { list, status } from './lifecycle/list';
export { defaultContext, type CoreContext } from './lifecycle/context';
export { validateUpInput, CLI_FIELDS, type UpInput, type UpRequest, type FieldNames } from './lifecycle/request';
export type { EnvironmentInfo, EnvironmentState } from './lifecycle/environment-info';
export { renderHostBlock } from './ssh/openssh-config';
export { logs } from './lifecycle/logs';
export { watchEnvironmentEvents, type EnvironmentChange, type EventWatcher, type EventWatchOptions } from './lifecycle/events';
export { ensureUserSshInclude, includeLine, userSshConfigPath, userSshIncludePresent, type IncludeResult } from './ssh/user-config-include';
export { validateEngineUrl } from './engine/resolve';
export { hostAlias, sshConfigPath } from './state/paths';
export type { SshSession } from './ssh/session';

/** An SSH session to the running environment NAME (the engine resolved as the docker CLI does). */
export function openEnvironmentSession(
  name: string,
  options: { host?: string; stateDir?: string; signal?: AbortSignal; context?: CoreContext } = {},
): Promise<SshSession> {
  const ctx = options.context ?? defaultContext({
    ...(options.stateDir ? { stateDir: options.stateDir } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.host ? { host: { url: options.host, source: '--host' as const } } : {}),
  });
  return openSession(name, ctx);
}

// Remote Docker hosts over SSH, and Jupyter through a tunnel.
export { closeRemoteHosts } from './remote/host-registry';
export { HostKeyChangedError, HostKeyNotTrustedError, HostKeyRevokedError, type ConfirmHostKey, type HostKeyQuestion } from './remote/host-key-check';
export type { HostIdentity } from './remote/host-identity';
export { ACCEPTED_HOST_FORMS } from './remote/target';
export { defaultRemoteWorkspace } from './remote/remote-workspace';
export { engineIsRemote } from './lifecycle/request';
export { environmentSshConfig } from './lifecycle/ssh-config-text';
export { openJupyterTunnel, type JupyterTunnel, type JupyterTunnelOptions } from './jupyter/jupyter-tunnel';
export { ensureJupyter, jupyterUrl, type JupyterServer } from './jupyter/jupyter-server';
export { FileTokenStore, generateJupyterToken, type TokenStore } from './jupyter/token';
export { forwardLocalPort, type LocalForward } from './tunnel/local-forward';
