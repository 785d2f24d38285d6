/**
 * Reading a growing file in the environment by byte offset, over plain `exec` (no long-lived
 * channel), for stdout.log. Bytes travel base64-encoded because exec results are decoded as text:
 * a multi-byte character cut at a chunk edge would otherwise be mangled and the offsets lost.
 * (metrics.jsonl has a streaming line tail of its own: src/core/metrics/metrics-tail.ts.)
 */
import type { SshSession } from '../ssh/session';
import { shellQuote } from './shell';
import { pause } from '../util/abort';

export type FileChunk =
  | { readonly kind: 'missing' }
  /** The file is shorter than the offset: it was truncated or replaced; start again from 0. */
  | { readonly kind: 'reset'; readonly size: number }
  | { readonly kind: 'data'; readonly offset: number; readonly data: Buffer; readonly nextOffset: number; readonly size: number };

export const DEFAULT_CHUNK_BYTES = 256 * 1024;

export function checkOffset(offset: number): void {
  if (!Number.isSafeInteger(offset) || offset < 0) throw new RangeError(`byte offset must be a whole number >= 0 (got ${offset})`);
}

/** Prints "size N" then the base64 of at most `maxBytes` bytes from `offset`; "missing" if unreadable. */
export function readChunkCommand(path: string, offset: number, maxBytes: number): string {
  checkOffset(offset);
  if (!Number.isSafeInteger(maxBytes) || maxBytes < 1) throw new RangeError(`maxBytes must be a whole number >= 1 (got ${maxBytes})`);
  const f = shellQuote(path);
  return `if [ -r ${f} ]; then echo "size $(wc -c < ${f})"; tail -c +${offset + 1} -- ${f} | head -c ${maxBytes} | base64 | tr -d '\\n'; echo; else echo missing; fi`;
}

export function parseChunkOutput(stdout: string, offset: number): FileChunk {
  const [first = '', second = ''] = stdout.split('\n');
  if (first.trim() === 'missing') return { kind: 'missing' };
  const match = /^size\s+(\d+)\s*$/.exec(first);
  if (!match) throw new Error(`unexpected reply from the environment while reading a file: ${JSON.stringify(stdout.slice(0, 120))}`);
  const size = Number(match[1]);
  if (size < offset) return { kind: 'reset', size };
  const data = Buffer.from(second.trim(), 'base64');
  return { kind: 'data', offset, data, nextOffset: offset + data.length, size };
}

export async function readChunk(session: SshSession, path: string, offset: number, maxBytes = DEFAULT_CHUNK_BYTES, signal?: AbortSignal): Promise<FileChunk> {
  const result = await session.exec(readChunkCommand(path, offset, maxBytes), signal ? { signal } : {});
  if (result.code !== 0) throw new Error(`reading ${path} in the environment failed (exit ${result.code ?? result.signal}): ${result.stderr.trim()}`);
  return parseChunkOutput(result.stdout, offset);
}

/** The last `bytes` bytes of a file as text ('' when it does not exist). */
export function tailCommand(path: string, bytes: number): string {
  if (!Number.isSafeInteger(bytes) || bytes < 1) throw new RangeError(`bytes must be a whole number >= 1 (got ${bytes})`);
  const f = shellQuote(path);
  return `if [ -r ${f} ]; then tail -c ${bytes} -- ${f} | base64 | tr -d '\\n'; fi; echo`;
}

export function decodeTail(stdout: string): string {
  return Buffer.from(stdout.trim(), 'base64').toString('utf8');
}

export interface FollowFileOptions {
  readonly offset?: number;
  readonly intervalMs?: number;
  readonly maxBytes?: number;
  readonly signal?: AbortSignal;
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/**
 * Yields chunks as the file grows, polling every `intervalMs` when there is nothing new, until
 * `signal` aborts. A 'reset' chunk means the file was replaced: following continues from 0.
 */
export async function* followFile(session: SshSession, path: string, options: FollowFileOptions = {}): AsyncGenerator<FileChunk, void, undefined> {
  let offset = options.offset ?? 0;
  checkOffset(offset);
  const maxBytes = options.maxBytes ?? DEFAULT_CHUNK_BYTES;
  const sleep = options.sleep ?? pause;
  while (!options.signal?.aborted) {
    const chunk = await readChunk(session, path, offset, maxBytes, options.signal);
    if (chunk.kind === 'reset') {
      offset = 0;
      yield chunk;
      continue;
    }
    if (chunk.kind === 'data' && chunk.data.length > 0) {
      offset = chunk.nextOffset;
      yield chunk;
      if (chunk.data.length === maxBytes) continue; // more is waiting: no pause
    }
    await sleep(options.intervalMs ?? 1000, options.signal);
  }
}
