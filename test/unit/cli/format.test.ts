/**
 * Defect 11 of issue 16: terminal escapes in run folder names and labels were printed raw by
 * `gpu-env runs` (a run folder named "\x1b]0;owned\x07…" retitles the terminal, "\x1b[2J" clears it).
 */
import { describe, expect, it } from 'vitest';
import { table, terminalSafe } from '../../../src/cli/format';

describe('terminalSafe', () => {
  it('writes every control character (C0, DEL, C1) and bidirectional override as a visible escape', () => {
    expect(terminalSafe('a\x1b[2Jb')).toBe('a\\x1b[2Jb');
    expect(terminalSafe('\x1b]0;owned\x07')).toBe('\\x1b]0;owned\\x07');
    expect(terminalSafe('x\ry\nz\t\0')).toBe('x\\ry\\nz\\t\\x00');
    expect(terminalSafe('\x7f\u009b31m')).toBe('\\x7f\\x9b31m');
    expect(terminalSafe('evil\u202etxt.py')).toBe('evil\\u202etxt.py');
    expect(terminalSafe('line 1\nline\x1b[2J 2', { keepNewlines: true })).toBe('line 1\nline\\x1b[2J 2');
    expect(terminalSafe('cnn · fashion-mnist · 5 epochs — 日本')).toBe('cnn · fashion-mnist · 5 epochs — 日本');
  });
});

describe('table', () => {
  it('never lets a cell carry a control character to the terminal, and pads by what is shown', () => {
    const text = table(['RUN', 'LABEL'], [['\x1b]0;owned\x07', 'a\x1b[31mred'], ['ok', 'plain']]);
    // eslint-disable-next-line no-control-regex -- no control byte may reach the terminal
    expect(text).not.toMatch(/[\x00-\x09\x0b-\x1f\x7f-\x9f]/);
    expect(text.split('\n')).toEqual([
      `${'RUN'.padEnd(16)}  LABEL`,
      '\\x1b]0;owned\\x07  a\\x1b[31mred',
      `${'ok'.padEnd(16)}  plain`,
      '',
    ]);
  });
});
