import { describe, expect, it } from 'vitest';
import { hasControlChars, hasProtocolControlChars, protocolControlCharsToSpaces, withoutControlChars } from '../../../src/shared/control-chars';

describe('control characters', () => {
  it('C0 and DEL: found and dropped, C1 and ordinary text left alone', () => {
    for (const c of ['\u0000', '\t', '\n', '\u001b', '\u001f', '\u007f']) expect(hasControlChars(`a${c}b`)).toBe(true);
    for (const text of ['/workspace/data', 'a\u0085b', 'é ü 中文', '']) expect(hasControlChars(text)).toBe(false);
    expect(withoutControlChars('\u001b[2Ja\tb\nc\u007f')).toBe('[2Jabc');
    // The global pattern keeps no state between calls.
    expect([withoutControlChars('x\u0001'), withoutControlChars('y\u0001')]).toEqual(['x', 'y']);
  });

  it('protocol names: tab allowed, other C0, DEL and C1 refused or replaced by spaces', () => {
    expect(hasProtocolControlChars('loss\tval')).toBe(false);
    for (const c of ['\u0000', '\n', '\r', '\u007f', '\u0085', '\u009f']) expect(hasProtocolControlChars(`a${c}b`)).toBe(true);
    expect(protocolControlCharsToSpaces('a\nb\u009bc\td')).toBe('a b c\td');
    expect([hasProtocolControlChars('a\n'), hasProtocolControlChars('a\n')]).toEqual([true, true]);
  });
});
