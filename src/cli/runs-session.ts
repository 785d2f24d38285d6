import { openEnvironmentSession } from '../core/api';
import type { CoreContext } from '../core/api';
import { RunsClient } from '../core/runs/index';
import type { SshSession } from '../core/ssh/session';

/** Runs `work` with a RunsClient on the environment NAME, closing the SSH session afterwards. */
export async function withRuns<T>(name: string, ctx: CoreContext, work: (runs: RunsClient, session: SshSession) => Promise<T>): Promise<T> {
  const session = await openEnvironmentSession(name, { context: ctx });
  try {
    return await work(new RunsClient(session), session);
  } finally {
    session.close();
  }
}
