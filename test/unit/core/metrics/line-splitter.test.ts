import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LineSplitter } from '../../../../src/core/metrics/line-splitter';

interface Seen {
  lines: { text: string; end: number }[];
  oversized: { start: number; end: number }[];
}

function splitInChunks(bytes: Buffer, cuts: number[], max: number, start = 0): { seen: Seen; splitter: LineSplitter } {
  const seen: Seen = { lines: [], oversized: [] };
  const splitter = new LineSplitter(start, max, {
    line: (text, end) => seen.lines.push({ text, end }),
    oversized: (s, end) => seen.oversized.push({ start: s, end }),
  });
  let from = 0;
  for (const cut of [...cuts].sort((a, b) => a - b)) {
    splitter.push(bytes.subarray(from, cut));
    from = cut;
  }
  splitter.push(bytes.subarray(from));
  return { seen, splitter };
}

describe('LineSplitter', () => {
  it('delivers complete lines with the byte offset past each newline, and holds the partial tail', () => {
    const { seen, splitter } = splitInChunks(Buffer.from('ab\r\nc\n\npartial'), [1, 3, 5], 100, 10);
    expect(seen.lines).toEqual([
      { text: 'ab', end: 14 },
      { text: 'c', end: 16 },
      { text: '', end: 17 },
    ]);
    expect(splitter.committedOffset).toBe(17);
    expect(splitter.pendingBytes).toBe(7);
  });

  it('counts offsets in bytes and decodes characters split across chunks', () => {
    const text = 'λ→😀\nß\n';
    const bytes = Buffer.from(text);
    const { seen } = splitInChunks(bytes, [1, 3, 5, 6], 100);
    expect(seen.lines.map((l) => l.text)).toEqual(['λ→😀', 'ß']);
    expect(seen.lines[1]!.end).toBe(bytes.length);
  });

  it('drops an over-long line without buffering it, reports it once with its start offset, and goes on', () => {
    const long = 'x'.repeat(50);
    const { seen, splitter } = splitInChunks(Buffer.from(`ok\n${long}\nnext\n`), [5, 20, 40], 10);
    expect(seen.lines.map((l) => l.text)).toEqual(['ok', 'next']);
    expect(seen.oversized).toEqual([{ start: 3, end: 54 }]);
    expect(splitter.committedOffset).toBe(59);
  });

  it('splits the same way however the stream is chunked (fuzz)', () => {
    const lineArb = fc.string({ unit: 'grapheme', maxLength: 30 }).map((s) => s.replace(/[\n\r]/g, ''));
    fc.assert(
      fc.property(fc.array(lineArb, { maxLength: 20 }), fc.string({ maxLength: 10 }).map((s) => s.replace(/\n/g, '')), fc.array(fc.nat(), { maxLength: 15 }), fc.integer({ min: 1, max: 40 }), (lines, tail, rawCuts, max) => {
        const bytes = Buffer.from(lines.map((l) => `${l}\n`).join('') + tail);
        const cuts = rawCuts.map((c) => c % (bytes.length + 1));
        const { seen, splitter } = splitInChunks(bytes, cuts, max);
        const expected = lines.filter((l) => Buffer.byteLength(l) <= max);
        expect(seen.lines.map((l) => l.text)).toEqual(expected);
        expect(seen.lines.length + seen.oversized.length).toBe(lines.length);
        expect(splitter.committedOffset).toBe(bytes.length - Buffer.byteLength(tail));
      }),
      { numRuns: 500 },
    );
  });
});

describe('LineSplitter on bytes that are not valid UTF-8', () => {
  it('keeps byte offsets exact when invalid bytes decode to U+FFFD, however the stream is chunked', () => {
    const bytes = Buffer.concat([Buffer.from('a'), Buffer.from([0xff]), Buffer.from('b\n'), Buffer.from([0xe2, 0x82]), Buffer.from('c\nok\r\n')]);
    for (let cut = 0; cut <= bytes.length; cut++) {
      const seen: { text: string; end: number }[] = [];
      const splitter = new LineSplitter(5, 100, { line: (text, end) => seen.push({ text, end }), oversized: () => undefined });
      splitter.push(bytes.subarray(0, cut));
      splitter.push(bytes.subarray(cut));
      expect(seen).toEqual([
        { text: 'a\ufffdb', end: 5 + 4 },
        { text: '\ufffdc', end: 5 + 8 },
        { text: 'ok', end: 5 + 12 },
      ]);
      expect(splitter.committedOffset).toBe(5 + bytes.length);
    }
  });
});
