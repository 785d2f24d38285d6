import type { CoreApi, RunsApi } from '../core-api';
import type { RunLogSource } from '../../core/runs/follow-log';
import type { SessionPool } from './session-pool';

/** What reaching an environment's runs takes: the core, and the window's shared sessions (a slice of Services). */
export interface RunsAccess {
  readonly core: () => Promise<CoreApi>;
  readonly training: { readonly sessions: SessionPool };
}

/** Runs `work` with the runs of `environment` over the window's shared session to it. */
export async function withRuns<T>(services: RunsAccess, environment: string, work: (runs: RunsApi) => Promise<T>): Promise<T> {
  const core = await services.core();
  return services.training.sessions.use(environment, (session) => work(core.runs(session)));
}

/** A run's log and status, each read on the live session (reopened after a drop). */
export function runLogSource(services: RunsAccess, environment: string, id: string): RunLogSource {
  return {
    readLog: (offset, signal) => withRuns(services, environment, (runs) => runs.readLog(id, offset, undefined, signal)),
    status: (signal) => withRuns(services, environment, (runs) => runs.status(id, signal)),
  };
}
