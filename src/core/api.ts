/**
 * The core's public API for environments, used by the CLI and (through src/core/bundle.ts, the
 * extension's lazily loaded bundle) by VS Code. Every environment operation goes to the target the
 * context names (targets/target-for.ts): a Docker engine or a Slurm cluster; callers never ask which.
 */
import { defaultContext, type CoreContext } from './lifecycle/context';
import type { EnvironmentInfo } from './lifecycle/environment-info';
import type { EnvironmentChange, EventWatcher, EventWatchOptions } from './lifecycle/events';
import type { RemoveResult } from './lifecycle/remove';
import type { UpRequest } from './lifecycle/request';
import type { UpResult } from './lifecycle/up';
import type { GpuHoldersReport, GpusOptions } from './lifecycle/gpus';
import type { IdleReport } from './lifecycle/idle-files';
import { attributionFor } from './gpu/attribution-for';
import type { GpuAttribution } from './gpu/gpu-attribution';
import type { SshSession } from './ssh/session';
import type { WorkspaceAccess } from './targets/workspace-access';
import { targetFor } from './targets/target-for';
import { RunsClient } from './runs/runs-client';
import { pushWorkspace, type SyncReport } from './sync/push';
import { watchAndPush, type WatchPushOptions } from './sync/watch-push';

export type { SyncReport } from './sync/push';

export type { UpResult } from './lifecycle/up';
export type { GpuHoldersReport } from './lifecycle/gpus';
export type { IdleReport } from './lifecycle/idle-files';
export type { IdleState, IdleStopRecord } from './idle/idle-state';
export type { GpuAttribution, HolderOfGpu } from './gpu/gpu-attribution';
export type { HostGpu, GpuHolder, GpuProcessView } from './gpu/gpu-holders';
export { holderName } from './gpu/gpu-holders';
export type { RemoveResult } from './lifecycle/remove';
export { defaultContext, type CoreContext } from './lifecycle/context';
export { validateUpInput, CLI_FIELDS, type UpInput, type UpRequest, type FieldNames } from './lifecycle/request';
export type { EnvironmentInfo, EnvironmentState } from './lifecycle/environment-info';
export { renderHostBlock } from './ssh/openssh-config';
export type { EnvironmentChange, EventWatcher, EventWatchOptions } from './lifecycle/events';
export { ensureUserSshInclude, includeLine, userSshConfigPath, userSshIncludePresent, type IncludeResult } from './ssh/user-config-include';
export { validateEngineUrl } from './engine/resolve';
export { hostAlias, sshConfigPath } from './state/paths';
export type { SshSession } from './ssh/session';
export type { EnvironmentTarget, TargetKind } from './targets/environment-target';
export type { WorkspaceAccess } from './targets/workspace-access';
export { targetFor } from './targets/target-for';

/** Creates or starts the environment and waits until its first SSH command ran (idempotent). */
export function up(request: UpRequest, ctx: CoreContext): Promise<UpResult> {
  return targetFor(ctx).up(request, ctx);
}

/** Stops the environment; its workspace and keys stay. */
export function down(name: string, ctx: CoreContext): Promise<EnvironmentInfo> {
  return targetFor(ctx).down(name, ctx);
}

export function remove(name: string, options: { purge: boolean }, ctx: CoreContext): Promise<RemoveResult> {
  return targetFor(ctx).remove(name, options, ctx);
}

export function list(ctx: CoreContext): Promise<EnvironmentInfo[]> {
  return targetFor(ctx).list(ctx);
}

export function status(name: string, ctx: CoreContext): Promise<EnvironmentInfo> {
  return targetFor(ctx).status(name, ctx);
}

export function logs(name: string, options: { tail: number }, ctx: CoreContext): Promise<string> {
  return targetFor(ctx).logs(name, options, ctx);
}

/** The OpenSSH config for environment NAME, usable on its own with `ssh -F`. */
export function environmentSshConfig(name: string, ctx: CoreContext): Promise<string> {
  return targetFor(ctx).sshConfig(name, ctx);
}

/** Follows changes to the target's environments (engine events, or polling where there are none). */
export function watchEnvironmentEvents(ctx: CoreContext, onChange: (change: EnvironmentChange) => void, options: EventWatchOptions = {}): EventWatcher {
  return targetFor(ctx).watch(ctx, onChange, options);
}

/** Every GPU of the target with its use and who holds it (a fresh sample). */
export async function gpus(ctx: CoreContext, options: GpusOptions = {}): Promise<GpuHoldersReport> {
  return targetFor(ctx).gpus(ctx, options);
}

/** Where the environment's idle-stop clock stands, or why it stopped itself; `{}` without idle stop. */
export async function idleReport(name: string, ctx: CoreContext): Promise<IdleReport> {
  return targetFor(ctx).idle(name, ctx);
}

/** Who a sampled GPU of environment NAME belongs to (its runs, the environments holding it), for the monitor. */
export function gpuAttribution(name: string, ctx: CoreContext, log?: (message: string) => void): GpuAttribution {
  return attributionFor(targetFor(ctx), name, ctx, log);
}

/** Starts the environment's idle-stop window again. */
export async function keepRunning(name: string, ctx: CoreContext): Promise<void> {
  await targetFor(ctx).keepRunning(name, ctx);
}

/** Commands where the environment's workspace folder is, for `sync`. */
export function workspaceAccess(name: string, ctx: CoreContext): Promise<WorkspaceAccess> {
  return targetFor(ctx).workspaceAccess(name, ctx);
}

/**
 * Copies the local folder `localRoot` to environment NAME's workspace on its machine (honouring
 * .gitignore; only new and changed files), over the SSH connection to that machine.
 */
export async function syncWorkspace(name: string, localRoot: string, ctx: CoreContext): Promise<SyncReport> {
  return pushWorkspace(localRoot, await workspaceAccess(name, ctx), ctx.signal);
}

/** syncWorkspace, then again after every change under `localRoot`, until ctx.signal aborts. */
export async function watchWorkspace(name: string, localRoot: string, ctx: CoreContext & { signal: AbortSignal }, handlers: Pick<WatchPushOptions, 'onReport' | 'onError'>): Promise<void> {
  return watchAndPush(localRoot, await workspaceAccess(name, ctx), { signal: ctx.signal, ...handlers });
}

/** An SSH session to the running environment NAME. */
export async function openEnvironmentSession(
  name: string,
  options: { host?: string; stateDir?: string; signal?: AbortSignal; context?: CoreContext } = {},
): Promise<SshSession> {
  const ctx = options.context ?? defaultContext({
    ...(options.stateDir ? { stateDir: options.stateDir } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.host ? { host: { url: options.host, source: '--host' as const } } : {}),
  });
  const session = await targetFor(ctx).openSession(name, ctx);
  sessionPlaces.set(session, { name, ctx });
  return session;
}

/** Which environment, on which target, each session opened here goes to (for its runs' scheduler). */
const sessionPlaces = new WeakMap<SshSession, { readonly name: string; readonly ctx: CoreContext }>();

/**
 * The runs over `session`, with its target's scheduler where a run can be a batch job of its own
 * (`train --nodes N` on a cluster): known for every session openEnvironmentSession opened.
 */
export function runsClient(session: SshSession): RunsClient {
  const place = sessionPlaces.get(session);
  return new RunsClient(session, undefined, undefined, place ? targetFor(place.ctx).runScheduler?.(place.name, place.ctx) : undefined);
}

// Remote Docker hosts over SSH, and Jupyter through a tunnel.
export { closeRemoteHosts } from './remote/host-registry';
export { HostKeyChangedError, HostKeyNotTrustedError, HostKeyRevokedError, type ConfirmHostKey, type HostKeyQuestion } from './remote/host-key-check';
export { filesAreRemote, type HostIdentity } from './remote/host-identity';
export { ACCEPTED_HOST_FORMS } from './remote/target';
export { defaultRemoteWorkspace } from './remote/remote-workspace';
export { engineIsRemote } from './lifecycle/request';
export { openJupyterTunnel, type JupyterTunnel, type JupyterTunnelOptions } from './jupyter/jupyter-tunnel';
export { ensureJupyter, jupyterUrl, type JupyterServer } from './jupyter/jupyter-server';
export { FileTokenStore, generateJupyterToken, type TokenStore } from './jupyter/token';
export { forwardLocalPort, type LocalForward } from './tunnel/local-forward';
