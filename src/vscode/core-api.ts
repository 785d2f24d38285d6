import type { CoreContext, EnvironmentChange, IdleReport, EventWatcher, IncludeResult, JupyterTunnel, JupyterTunnelOptions, SshSession, SyncReport, TokenStore } from '../core/api';
import type { MonitorEvent, MonitorStream } from '../core/gpu/monitor-stream';
import type { RecognisedFailure } from '../core/runs/failure';
import type { FileChunk } from '../core/runs/remote-file';
import type { ListedRun } from '../core/runs/run-facts';
import type { RunStatus } from '../core/runs/run-listing';
import type { StartedRun, StartOptions } from '../core/runs/runs-client';
import type { ShippedAssets } from '../core/runs/shipped-assets';
import type { LocalApi } from '../core/local-api';
import type { EnvironmentTarget } from '../core/targets/environment-target';
import type { DoctorApi } from './doctor-api';
import type { Attribution } from './monitor/gpu-monitor-service';
import { coreBundle, type CoreBundle } from './core-bundle';

/** The runs of one environment over one SSH session (the core's RunsClient, plus the user's own scripts). */
export interface RunsApi {
  /** Validates the train options (throws a usage error listing every problem), installs and starts. */
  start(options: unknown, assets: ShippedAssets, extra?: StartOptions): Promise<StartedRun>;
  /** Starts `script` (absolute, under /workspace) detached through the runner. */
  startScript(script: string, assets: ShippedAssets, extra?: StartOptions): Promise<StartedRun>;
  /** The runs with their facts (state, label, accuracy, …, derived by the core); lines that were not a run, with why. */
  list(signal?: AbortSignal): Promise<{ readonly runs: ListedRun[]; readonly problems: readonly string[] }>;
  status(id: string, signal?: AbortSignal): Promise<ListedRun | null>;
  stop(id: string, options?: { readonly graceSeconds?: number; readonly signal?: AbortSignal }): Promise<RunStatus>;
  resume(id: string, signal?: AbortSignal): Promise<{ readonly action: 'resumed' | 'running'; readonly status: RunStatus }>;
  readLog(id: string, offset: number, maxBytes?: number, signal?: AbortSignal): Promise<FileChunk>;
  diagnose(id: string, signal?: AbortSignal): Promise<RecognisedFailure | undefined>;
  metricsPath(id: string): string;
}

export interface MonitorRequest {
  /** Opens a fresh session; the stream closes it when the connection drops or it stops. */
  readonly openSession: (signal: AbortSignal) => Promise<SshSession>;
  readonly intervalMs: number;
  readonly onEvent: (event: MonitorEvent) => void;
}

/**
 * An environment's operations as every target has them (src/core/targets/environment-target.ts),
 * run on the target the context's host names. sshConfig also rewrites the environment's block in
 * gpu-env's ssh_config to match.
 */
type EnvironmentOperations = Pick<EnvironmentTarget, 'up' | 'down' | 'remove' | 'list' | 'status' | 'openSession' | 'sshConfig' | 'logs'>;

/**
 * Everything the extension does with engines, containers, SSH and files, behind one interface:
 * handlers receive it (unit tests pass a fake), and the real one is loaded on first use so that
 * activating the extension does not evaluate dockerode or ssh2. It is the extension's only way to
 * the core's code (eslint.config.mjs refuses value imports of core modules in src/vscode): the
 * validators, facts and texts too, as `LocalApi` (src/core/local-api.ts).
 */
export interface CoreApi extends DoctorApi, LocalApi, EnvironmentOperations {
  watchEvents(ctx: CoreContext, onChange: (change: EnvironmentChange) => void, onDisconnect: (reason: string, retryInMs: number) => void): EventWatcher;
  ensureUserSshInclude(homeDir: string, stateDir: string): IncludeResult;
  userSshIncludePresent(homeDir: string, stateDir: string): boolean;
  runs(session: SshSession): RunsApi;
  /** The runner and the templates from the extension's install folder. */
  shippedAssets(assetsRoot: string): ShippedAssets;
  /** The GPU sampling agent (from the install folder) over a reconnecting SSH stream. */
  startMonitor(request: MonitorRequest, assetsRoot: string): MonitorStream;
  /** An environment's idle-stop clock, read through the engine (no SSH session, which would count as use). */
  idleReport(name: string, ctx: CoreContext): Promise<IdleReport>;
  /** "Keep running": the environment's idle-stop window starts again. */
  keepRunning(name: string, ctx: CoreContext): Promise<void>;
  /** Who the sampled GPUs of an environment belong to: the run using each, the environments holding it. */
  gpuAttribution(name: string, ctx: CoreContext, log: (message: string) => void): Attribution;
  /** Jupyter in a running environment, forwarded to a free port on this machine's 127.0.0.1. */
  openJupyter(name: string, ctx: CoreContext, tokens: TokenStore, options?: JupyterTunnelOptions): Promise<JupyterTunnel>;
  /** Copies a local folder to the environment's workspace on its machine (remote Docker host, cluster). */
  syncWorkspace(name: string, localRoot: string, ctx: CoreContext): Promise<SyncReport>;
  /** Closes the shared SSH connections to remote Docker hosts and clusters' login nodes. */
  closeRemoteHosts(): void;
}

let loaded: Promise<CoreApi> | undefined;

/** The real core, loaded once on first call from its own bundle. */
export function loadCoreApi(): Promise<CoreApi> {
  loaded ??= Promise.resolve(coreBundle()).then(
    (core): CoreApi => ({
      ...core.localApi,
      up: core.up,
      down: core.down,
      remove: core.remove,
      list: core.list,
      status: core.status,
      openSession: (name, ctx) => core.openEnvironmentSession(name, { context: ctx }),
      sshConfig: core.environmentSshConfig,
      logs: core.logs,
      watchEvents: (ctx, onChange, onDisconnect) => core.watchEnvironmentEvents(ctx, onChange, { onDisconnect }),
      ensureUserSshInclude: core.ensureUserSshInclude,
      userSshIncludePresent: core.userSshIncludePresent,
      runDoctor: core.runDoctor,
      renderDoctorMarkdown: core.renderDoctorMarkdown,
      runs: (session) => runsApi(core, session),
      shippedAssets: core.readShippedAssets,
      startMonitor: (request, assetsRoot) =>
        core.startMonitorStream({
          openSession: request.openSession,
          agent: core.agentInvocation(core.loadAgentScript(assetsRoot), request.intervalMs),
          onEvent: request.onEvent,
        }),
      gpuAttribution: core.gpuAttribution,
      idleReport: core.idleReport,
      keepRunning: core.keepRunning,
      openJupyter: (name, ctx, tokens, options) => core.openJupyterTunnel(name, ctx, tokens, options),
      syncWorkspace: core.syncWorkspace,
      closeRemoteHosts: core.closeRemoteHosts,
    }),
  );
  return loaded;
}

/** On deactivate: closes remote host connections only if the core was ever loaded (never loads it). */
export async function closeLoadedCore(): Promise<void> {
  if (loaded) (await loaded).closeRemoteHosts();
}

function runsApi(core: CoreBundle, session: SshSession): RunsApi {
  const client = core.runsClient(session);
  return {
    start: (options, assets, extra) => client.start(options, assets, extra),
    startScript: (script, assets, extra = {}) => core.startScriptRun(session, assets, { script, ...extra }),
    list: async (signal) => {
      const listed = await client.list(signal);
      return { runs: listed.runs.map(core.withFacts), problems: listed.problems };
    },
    status: async (id, signal) => {
      const listing = await client.status(id, signal);
      return listing && core.withFacts(listing);
    },
    stop: (id, options) => client.stop(id, options),
    resume: (id, signal) => client.resume(id, signal),
    readLog: (id, offset, maxBytes, signal) => client.readLog(id, offset, maxBytes, signal),
    diagnose: (id, signal) => client.diagnose(id, signal),
    metricsPath: (id) => client.metricsPath(id),
  };
}
