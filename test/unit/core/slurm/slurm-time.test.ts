import { describe, expect, it } from 'vitest';
import { formatSlurmDuration, parseSlurmDuration } from '../../../../src/core/slurm/slurm-time';

describe('Slurm time formats', () => {
  it.each([
    ['90', 90 * 60],
    ['59:30', 59 * 60 + 30],
    ['4:00:00', 4 * 3600],
    ['99:00:00', 99 * 3600],
    ['1-12', 36 * 3600],
    ['1-12:30', 36 * 3600 + 1800],
    ['2-00:00:05', 48 * 3600 + 5],
    ['UNLIMITED', Infinity],
    ['infinite', Infinity],
  ])('parses %s', (text, seconds) => {
    expect(parseSlurmDuration(text)).toBe(seconds);
  });

  it.each(['99:99:99x', '99:99:99', '1:60', '', 'abc', '-5', '1-24', '1-1:2:3:4', '1:2:3:4', '4h'])('refuses %j', (text) => {
    expect(parseSlurmDuration(text)).toBeUndefined();
  });

  it('formats seconds as Slurm prints limits', () => {
    expect(formatSlurmDuration(3599)).toBe('00:59:59');
    expect(formatSlurmDuration(90_061)).toBe('1-01:01:01');
    expect(formatSlurmDuration(Infinity)).toBe('UNLIMITED');
    expect(formatSlurmDuration(parseSlurmDuration('1-12:30')!)).toBe('1-12:30:00');
  });
});
