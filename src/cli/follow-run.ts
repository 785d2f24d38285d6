import type { RunsClient } from '../core/runs/index';
import { sleep } from '../core/util/abort';
import type { CliIo } from './command';

const POLL_MS = 1000;
const FINISHED = new Set(['succeeded', 'failed', 'stopped']);

/**
 * Streams a run's stdout.log to stdout from the start until the run ends (or the user presses
 * Ctrl-C, which stops following, not the run). Exit code: 0 succeeded, 1 failed or stopped.
 */
export async function followRun(runs: RunsClient, id: string, io: CliIo, fromOffset = 0): Promise<number> {
  let offset = fromOffset;
  for (let polls = 0; polls < 7 * 24 * 3600; polls++) {
    if (io.signal.aborted) return 130;
    const chunk = await runs.readLog(id, offset);
    if (chunk.kind === 'reset') offset = 0;
    if (chunk.kind === 'data' && chunk.data.length > 0) {
      io.stdout.write(chunk.data);
      offset = chunk.nextOffset;
      continue;
    }
    const listing = await runs.status(id);
    const state = listing?.status?.state;
    if (state && FINISHED.has(state)) {
      const diagnosis = state === 'failed' ? await runs.diagnose(id).catch(() => undefined) : undefined;
      io.stderr.write(`run ${id} ${state}${diagnosis ? `: ${diagnosis.title} — ${diagnosis.advice}` : ''}\n`);
      return state === 'succeeded' ? 0 : 1;
    }
    await sleep(POLL_MS, io.signal).catch(() => undefined);
  }
  return 1;
}
