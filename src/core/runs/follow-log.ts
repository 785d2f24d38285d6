import { StringDecoder } from 'node:string_decoder';
import type { RunState } from '../../shared/protocol/dashboard';
import { messageOf } from '../errors';
import { pause } from '../util/abort';
import { backoffDelay } from '../util/backoff';
import type { FileChunk } from './remote-file';
import { runFacts } from './run-facts';
import type { RunListing } from './run-listing';

/** One run's log and status, over whatever session the caller holds. */
export interface RunLogSource {
  readLog(offset: number, signal: AbortSignal): Promise<FileChunk>;
  status(signal: AbortSignal): Promise<RunListing | null>;
}

export interface FollowLogOptions {
  readonly write: (text: string) => void;
  readonly signal: AbortSignal;
  readonly pollMs?: number;
  /** Consecutive read failures (a dropped connection) tolerated before giving up. */
  readonly maxFailures?: number;
  /** The longest wait between attempts after failures (they back off from pollMs up to this). */
  readonly maxRetryMs?: number;
  /** Idle polls before giving up: a week at one per second. */
  readonly maxPolls?: number;
  readonly sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  readonly onError?: (message: string) => void;
}

export type FollowEnd =
  | { readonly kind: 'ended'; readonly state: RunState; readonly listing: RunListing }
  | { readonly kind: 'missing' }
  | { readonly kind: 'aborted' }
  | { readonly kind: 'gave-up'; readonly reason: string };

const ENDED: ReadonlySet<RunState> = new Set(['succeeded', 'failed', 'stopped', 'unknown']);

/**
 * Streams a run's stdout.log from `fromOffset` (the start) until the run has ended and its log is
 * drained, the signal aborts, or the connection keeps failing (each failed read is retried, backing
 * off; the source reconnects). Text is decoded across chunk edges. Used by the CLI and the extension.
 */
export async function followRunLog(source: RunLogSource, options: FollowLogOptions, fromOffset = 0): Promise<FollowEnd> {
  const { signal } = options;
  const sleep = options.sleep ?? pause;
  const pollMs = options.pollMs ?? 1000;
  const decoder = new StringDecoder('utf8');
  let offset = fromOffset;
  let failures = 0;
  for (let polls = 0; polls < (options.maxPolls ?? 7 * 24 * 3600); polls++) {
    if (signal.aborted) return { kind: 'aborted' };
    try {
      const chunk = await source.readLog(offset, signal);
      failures = 0;
      if (chunk.kind === 'reset') {
        offset = 0;
        continue;
      }
      if (chunk.kind === 'data' && chunk.data.length > 0) {
        options.write(decoder.write(chunk.data));
        offset = chunk.nextOffset;
        continue;
      }
      const listing = await source.status(signal);
      if (!listing) return { kind: 'missing' };
      const { state } = runFacts(listing);
      // Awaited here so that a read failing during the drain is retried like any other.
      if (ENDED.has(state)) return await drain(source, offset, decoder, options, listing, state);
    } catch (error) {
      if (signal.aborted) return { kind: 'aborted' };
      failures++;
      options.onError?.(messageOf(error));
      if (failures > (options.maxFailures ?? 5)) return { kind: 'gave-up', reason: messageOf(error) };
      await sleep(backoffDelay(failures - 1, pollMs, Math.max(pollMs, options.maxRetryMs ?? pollMs)), signal);
      continue;
    }
    await sleep(pollMs, signal);
  }
  return { kind: 'gave-up', reason: 'the run did not end within a week' };
}

/** The run ended between two reads: whatever it wrote last is read before saying so. */
async function drain(source: RunLogSource, from: number, decoder: StringDecoder, options: FollowLogOptions, listing: RunListing, state: RunState): Promise<FollowEnd> {
  let offset = from;
  for (let reads = 0; reads < 64; reads++) {
    const chunk = await source.readLog(offset, options.signal);
    if (chunk.kind !== 'data' || chunk.data.length === 0) break;
    options.write(decoder.write(chunk.data));
    offset = chunk.nextOffset;
  }
  const rest = decoder.end();
  if (rest !== '') options.write(rest);
  return { kind: 'ended', state, listing };
}
