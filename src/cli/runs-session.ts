import { openEnvironmentSession, runsClient } from '../core/api';
import type { CoreContext } from '../core/api';
import type { RunsClient } from '../core/runs/index';
import type { SshSession } from '../core/ssh/session';
import type { ReconnectingRuns } from './follow-run';

/**
 * Runs `work` with a RunsClient on the environment NAME, closing the SSH session afterwards. The
 * third argument reopens the session when it drops (for following a run's log).
 */
export async function withRuns<T>(name: string, ctx: CoreContext, work: (runs: RunsClient, session: SshSession, reconnecting: ReconnectingRuns) => Promise<T>): Promise<T> {
  const first = await openEnvironmentSession(name, { context: ctx });
  let current: { session: SshSession; runs: RunsClient } | undefined = { session: first, runs: runsClient(first) };
  const reconnecting: ReconnectingRuns = {
    client: async () => {
      if (!current) {
        const session = await openEnvironmentSession(name, { context: ctx });
        current = { session, runs: runsClient(session) };
      }
      return current.runs;
    },
    drop: () => {
      current?.session.close();
      current = undefined;
    },
  };
  try {
    return await work(current.runs, first, reconnecting);
  } finally {
    first.close();
    current?.session.close();
  }
}
