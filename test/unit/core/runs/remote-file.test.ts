import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeTail, parseChunkOutput, readChunkCommand, tailCommand } from '../../../../src/core/runs/remote-file';

// The commands run in a real local sh with real coreutils, as they would in the container.
const sh = (command: string): string => execFileSync('sh', ['-c', command]).toString('utf8');
const dir = mkdtempSync(join(tmpdir(), 'runs-remote-file-'));

function readAll(path: string, chunkBytes: number): Buffer {
  const parts: Buffer[] = [];
  let offset = 0;
  for (;;) {
    const chunk = parseChunkOutput(sh(readChunkCommand(path, offset, chunkBytes)), offset);
    if (chunk.kind !== 'data') throw new Error(`unexpected ${chunk.kind}`);
    if (chunk.data.length === 0) return Buffer.concat(parts);
    parts.push(chunk.data);
    offset = chunk.nextOffset;
  }
}

describe('reading by byte offset', () => {
  it('reassembles any file exactly, whatever the chunk size (multi-byte characters cut at edges included)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 3000 }), fc.integer({ min: 1, max: 700 }), (bytes, chunk) => {
        const path = join(dir, 'any.log');
        writeFileSync(path, bytes);
        expect(readAll(path, chunk).equals(Buffer.from(bytes))).toBe(true);
      }),
      { numRuns: 40 },
    );
  });

  it('picks up what was appended since the last offset', () => {
    const path = join(dir, 'grow.log');
    writeFileSync(path, 'épоch 1\n');
    const first = parseChunkOutput(sh(readChunkCommand(path, 0, 1024)), 0);
    expect(first.kind === 'data' && first.data.toString()).toBe('épоch 1\n');
    appendFileSync(path, 'epoch 2\n');
    const offset = first.kind === 'data' ? first.nextOffset : -1;
    const second = parseChunkOutput(sh(readChunkCommand(path, offset, 1024)), offset);
    expect(second).toMatchObject({ kind: 'data', offset, nextOffset: offset + 8 });
    expect(second.kind === 'data' && second.data.toString()).toBe('epoch 2\n');
  });

  it('a file shorter than the offset was replaced: reset', () => {
    const path = join(dir, 'replaced.log');
    writeFileSync(path, 'short\n');
    expect(parseChunkOutput(sh(readChunkCommand(path, 100, 10)), 100)).toEqual({ kind: 'reset', size: 6 });
  });

  it('a missing file is missing, and quoting survives odd names', () => {
    expect(parseChunkOutput(sh(readChunkCommand(join(dir, "no such 'file'"), 0, 10)), 0)).toEqual({ kind: 'missing' });
    const odd = join(dir, "it's $(odd).log");
    writeFileSync(odd, 'x');
    expect(readAll(odd, 4).toString()).toBe('x');
  });

  it('rejects bad offsets and garbage replies', () => {
    expect(() => readChunkCommand('/f', -1, 10)).toThrow(/offset/);
    expect(() => readChunkCommand('/f', 1.5, 10)).toThrow(/offset/);
    expect(() => readChunkCommand('/f', 0, 0)).toThrow(/maxBytes/);
    expect(() => parseChunkOutput('bash: tail: command not found\n', 0)).toThrow(/unexpected reply/);
  });

  it('tail: the last bytes as text, empty for a missing file', () => {
    const path = join(dir, 'tail.log');
    const content = 'a\n'.repeat(1000) + 'RuntimeError: CUDA out of memory\n';
    writeFileSync(path, content);
    expect(decodeTail(sh(tailCommand(path, 40)))).toBe(content.slice(-40));
    expect(decodeTail(sh(tailCommand(join(dir, 'none.log'), 40)))).toBe('');
  });
});
