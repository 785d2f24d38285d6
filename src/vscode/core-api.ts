import type {
  CoreContext, EnvironmentChange, EnvironmentInfo, EventWatcher, IncludeResult, RemoveResult, SshSession, UpRequest, UpResult,
} from '../core/environments';
import type { DoctorApi } from './doctor-api';
import { coreBundle } from './core-bundle';

/**
 * Everything the extension does with engines, containers, SSH and files, behind one interface:
 * handlers receive it (unit tests pass a fake), and the real one is loaded on first use so that
 * activating the extension does not evaluate dockerode or ssh2.
 */
export interface CoreApi extends DoctorApi {
  up(request: UpRequest, ctx: CoreContext): Promise<UpResult>;
  down(name: string, ctx: CoreContext): Promise<EnvironmentInfo>;
  remove(name: string, options: { purge: boolean }, ctx: CoreContext): Promise<RemoveResult>;
  list(ctx: CoreContext): Promise<EnvironmentInfo[]>;
  status(name: string, ctx: CoreContext): Promise<EnvironmentInfo>;
  openSession(name: string, ctx: CoreContext): Promise<SshSession>;
  logs(name: string, options: { tail: number }, ctx: CoreContext): Promise<string>;
  watchEvents(ctx: CoreContext, onChange: (change: EnvironmentChange) => void, onDisconnect: (reason: string, retryInMs: number) => void): EventWatcher;
  ensureUserSshInclude(homeDir: string, stateDir: string): IncludeResult;
  userSshIncludePresent(homeDir: string, stateDir: string): boolean;
}

let loaded: Promise<CoreApi> | undefined;

/** The real core, loaded once on first call from its own bundle. */
export function loadCoreApi(): Promise<CoreApi> {
  loaded ??= Promise.resolve(coreBundle()).then(
    (core): CoreApi => ({
      up: core.up,
      down: core.down,
      remove: core.remove,
      list: core.list,
      status: core.status,
      openSession: (name, ctx) => core.openEnvironmentSession(name, { context: ctx }),
      logs: core.logs,
      watchEvents: (ctx, onChange, onDisconnect) => core.watchEnvironmentEvents(ctx, onChange, { onDisconnect }),
      ensureUserSshInclude: core.ensureUserSshInclude,
      userSshIncludePresent: core.userSshIncludePresent,
      runDoctor: core.runDoctor,
      renderDoctorMarkdown: core.renderDoctorMarkdown,
    }),
  );
  return loaded;
}
