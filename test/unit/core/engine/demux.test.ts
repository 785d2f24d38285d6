/**
 * Defect 13 of issue 16: demuxText (container logs) dropped everything after a stdin (0) or
 * system-error (3) frame. Frames as the Engine API sends them for a container without a TTY:
 * [type, 0, 0, 0, size (uint32 BE), payload].
 */
import { describe, expect, it } from 'vitest';
import { demuxText } from '../../../../src/core/engine/demux';

function frame(type: number, text: string): Buffer {
  const payload = Buffer.from(text);
  const header = Buffer.alloc(8);
  header[0] = type;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

describe('demuxText', () => {
  it('keeps stdout and stderr in order', () => {
    expect(demuxText(Buffer.concat([frame(1, 'out 1\n'), frame(2, 'err 1\n'), frame(1, 'out 2\n')]))).toBe('out 1\nerr 1\nout 2\n');
  });

  it('goes on after a stdin frame and a system-error frame, and shows the error', () => {
    const logs = Buffer.concat([frame(1, 'before\n'), frame(0, 'typed\n'), frame(3, 'exec failed: no such file'), frame(2, 'after\n')]);
    expect(demuxText(logs)).toBe('before\ntyped\n[engine error] exec failed: no such file\nafter\n');
  });

  it('keeps what a frame cut short holds, and passes a TTY stream (no frames) through', () => {
    const whole = frame(1, 'complete line\n');
    const cut = frame(2, 'cut in the mid');
    expect(demuxText(Buffer.concat([whole, cut.subarray(0, cut.length - 3)]))).toBe('complete line\ncut in the ');
    expect(demuxText(Buffer.from('plain TTY output\n'))).toBe('plain TTY output\n');
    expect(demuxText('a string already\n')).toBe('a string already\n');
  });

  it('keeps bytes after a header that is not a frame as they are', () => {
    const logs = Buffer.concat([frame(1, 'ok\n'), Buffer.from('garbage that is no header')]);
    expect(demuxText(logs)).toBe('ok\ngarbage that is no header');
  });
});
