import { describe, expect, it } from 'vitest';
import { environmentMemoryText } from '../../../../media/monitor/memory-text';

describe('monitor: environment memory text', () => {
  it('MiB below 1 GiB, so an idle environment does not read "0.0 GiB"', () => {
    expect(environmentMemoryText(43.6, 24 * 1024)).toBe('44 MiB / 24 GiB');
    expect(environmentMemoryText(0, 24 * 1024)).toBe('0 MiB / 24 GiB');
    expect(environmentMemoryText(1023.4, null)).toBe('1023 MiB');
  });

  it('GiB with one decimal from 1 GiB, the limit in whole GiB', () => {
    expect(environmentMemoryText(1024, 24 * 1024)).toBe('1.0 / 24 GiB');
    expect(environmentMemoryText(12 * 1024, 64 * 1024)).toBe('12.0 / 64 GiB');
    expect(environmentMemoryText(2560, null)).toBe('2.5 GiB');
    expect(environmentMemoryText(2560, 0)).toBe('2.5 GiB');
  });
});
