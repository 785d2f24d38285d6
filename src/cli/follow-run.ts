import { followRunLog, type RunLogSource } from '../core/runs/follow-log';
import type { RunsClient } from '../core/runs/index';
import type { CliIo } from './command';

/** Consecutive failed reads (each reconnecting, backing off to 30 s) before following gives up: ~8 minutes. */
const MAX_FAILURES = 20;
const MAX_RETRY_MS = 30_000;

/** The runs of one environment over a connection that can be reopened after it dropped. */
export interface ReconnectingRuns {
  /** The live client, connecting again if the last one was dropped. */
  client(): Promise<RunsClient>;
  /** Forget the current connection (it failed); the next client() reconnects. */
  drop(): void;
}

/**
 * Streams a run's stdout.log to stdout from the start until the run ends and its last lines are
 * read (or the user presses Ctrl-C, which stops following, not the run). A dropped connection is
 * reopened and the log continues from where it was. Exit code: 0 succeeded, 1 failed or stopped.
 */
export async function followRun(runs: ReconnectingRuns, id: string, io: CliIo, fromOffset = 0): Promise<number> {
  const through = async <T>(work: (client: RunsClient) => Promise<T>): Promise<T> => {
    try {
      return await work(await runs.client());
    } catch (error) {
      runs.drop();
      throw error;
    }
  };
  const source: RunLogSource = {
    readLog: (offset, signal) => through((client) => client.readLog(id, offset, undefined, signal)),
    status: (signal) => through((client) => client.status(id, signal)),
  };
  const end = await followRunLog(source, {
    write: (text) => io.stdout.write(text),
    signal: io.signal,
    maxFailures: MAX_FAILURES,
    maxRetryMs: MAX_RETRY_MS,
    onError: (message) => io.stderr.write(`gpu-env: lost the connection while following run ${id} (${message}); reconnecting\n`),
  }, fromOffset);
  switch (end.kind) {
    case 'aborted':
      return 130;
    case 'missing':
      io.stderr.write(`run ${id} no longer exists\n`);
      return 1;
    case 'gave-up':
      io.stderr.write(`gpu-env: stopped following run ${id}: ${end.reason} (the run itself goes on; follow it again with \`gpu-env logs … ${id} --follow\`)\n`);
      return 1;
    case 'ended': {
      const diagnosis = end.state === 'failed' ? await through((client) => client.diagnose(id)).catch(() => undefined) : undefined;
      io.stderr.write(`run ${id} ${end.state}${diagnosis ? `: ${diagnosis.title} — ${diagnosis.advice}` : ''}\n`);
      return end.state === 'succeeded' ? 0 : 1;
    }
  }
}
