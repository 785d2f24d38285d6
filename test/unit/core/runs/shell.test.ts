import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { shellJoin, shellQuote } from '../../../../src/core/runs/shell';
import { shellArgv } from '../../../support/sh-argv';

describe('shellQuote', () => {
  it('leaves plain words alone and quotes the rest', () => {
    expect(shellQuote('--epochs')).toBe('--epochs');
    expect(shellQuote('/workspace/a b')).toBe("'/workspace/a b'");
    expect(shellQuote("it's")).toBe("'it'\\''s'");
    expect(shellQuote('')).toBe("''");
  });

  it('a real sh gives back exactly the argv, whatever the bytes', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'binary' }).filter((s) => !s.includes('\0')), { maxLength: 6 }), (argv) => {
        fc.pre(argv.length > 0);
        expect(shellArgv(shellJoin(argv))).toEqual(argv);
      }),
      { numRuns: 150 },
    );
  });

  it('refuses NUL, which no shell argument can hold', () => {
    expect(() => shellQuote('a\0b')).toThrow(/NUL/);
  });
});
