import type { RunsApi } from '../core-api';
import type { Services } from '../services';
import type { RunLogSource } from './follow-run-log';

/** Runs `work` with the runs of `environment` over the window's shared session to it. */
export async function withRuns<T>(services: Pick<Services, 'core' | 'training'>, environment: string, work: (runs: RunsApi) => Promise<T>): Promise<T> {
  const core = await services.core();
  return services.training.sessions.use(environment, (session) => work(core.runs(session)));
}

/** A run's log and status, each read on the live session (reopened after a drop). */
export function runLogSource(services: Pick<Services, 'core' | 'training'>, environment: string, id: string): RunLogSource {
  return {
    readLog: (offset, signal) => withRuns(services, environment, (runs) => runs.readLog(id, offset, undefined, signal)),
    status: (signal) => withRuns(services, environment, (runs) => runs.status(id, signal)),
  };
}
