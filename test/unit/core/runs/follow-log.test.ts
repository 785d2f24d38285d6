import { describe, expect, it } from 'vitest';
import type { FileChunk } from '../../../../src/core/runs/remote-file';
import { followRunLog, type RunLogSource } from '../../../../src/core/runs/follow-log';
import { listing } from '../../../support/runs-fakes';

const ID = '20260101-100000-aaaa';

describe('following a run\'s log', () => {
  function source(chunks: FileChunk[], states: Array<'running' | 'succeeded'>): RunLogSource & { reads: number[] } {
    const reads: number[] = [];
    return {
      reads,
      readLog: async (offset) => {
        reads.push(offset);
        return chunks.shift() ?? { kind: 'data', offset, data: Buffer.alloc(0), nextOffset: offset, size: offset };
      },
      status: async () => listing(ID, { state: states.shift() ?? 'succeeded' }),
    };
  }
  const data = (offset: number, bytes: Buffer): FileChunk => ({ kind: 'data', offset, data: bytes, nextOffset: offset + bytes.length, size: offset + bytes.length });

  it('streams from the start, decodes characters cut between chunks, and ends after the run with its last lines', async () => {
    const text = Buffer.from('loss 0.41 — ok\n');
    const cut = text.indexOf(0xe2) + 1;
    const src = source([data(0, text.subarray(0, cut)), data(cut, text.subarray(cut)), { kind: 'missing' }, { kind: 'missing' }, data(text.length, Buffer.from('done\n'))], ['running']);
    let out = '';
    const end = await followRunLog(src, { write: (t) => void (out += t), signal: new AbortController().signal, sleep: async () => undefined });
    expect(out).toBe('loss 0.41 — ok\ndone\n');
    expect(end).toMatchObject({ kind: 'ended', state: 'succeeded' });
    expect(src.reads.slice(0, 3)).toEqual([0, cut, text.length]);
  });

  it('starts over when the file was replaced, and stops when aborted', async () => {
    const controller = new AbortController();
    const src = source([data(0, Buffer.from('abc')), { kind: 'reset', size: 1 }], ['running', 'running']);
    const end = await followRunLog(src, { write: () => undefined, signal: controller.signal, sleep: async () => controller.abort() });
    expect(src.reads).toEqual([0, 3, 0]);
    expect(end).toEqual({ kind: 'aborted' });
  });

  it('gives up after repeated failures, and stops at a run that no longer exists', async () => {
    const failing: RunLogSource = { readLog: () => Promise.reject(new Error('channel closed')), status: async () => null };
    const errors: string[] = [];
    expect(await followRunLog(failing, { write: () => undefined, signal: new AbortController().signal, sleep: async () => undefined, maxFailures: 2, onError: (m) => void errors.push(m) })).toEqual({ kind: 'gave-up', reason: 'channel closed' });
    expect(errors).toHaveLength(3);
    const gone: RunLogSource = { readLog: async () => ({ kind: 'missing' }), status: async () => null };
    expect(await followRunLog(gone, { write: () => undefined, signal: new AbortController().signal, sleep: async () => undefined })).toEqual({ kind: 'missing' });
  });
});
