import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generateRunId, isRunId } from '../../../../src/core/runs/run-id';

/** The start time an id spells (UTC, whole seconds): YYYYMMDD-HHMMSS-xxxx. */
function timeOf(id: string): number {
  const [y, mo, d, h, mi, s] = [id.slice(0, 4), id.slice(4, 6), id.slice(6, 8), id.slice(9, 11), id.slice(11, 13), id.slice(13, 15)].map(Number) as [number, number, number, number, number, number];
  return Date.UTC(y, mo - 1, d, h, mi, s);
}

const fixed = (...bytes: number[]) => () => Uint8Array.from(bytes);

describe('generateRunId', () => {
  it('is YYYYMMDD-HHMMSS-xxxx in UTC', () => {
    expect(generateRunId(new Date(Date.UTC(2026, 10, 24, 18, 30, 12)), fixed(0xab, 0x12))).toBe('20261124-183012-ab12');
    expect(generateRunId(new Date(Date.UTC(2027, 0, 2, 3, 4, 5)), fixed(0, 1))).toBe('20270102-030405-0001');
  });

  it('sorts by start time: a later second always sorts after an earlier one', () => {
    const date = fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2999-12-31T23:59:59Z'), noInvalidDate: true });
    fc.assert(
      fc.property(date, date, fc.uint8Array({ minLength: 2, maxLength: 2 }), fc.uint8Array({ minLength: 2, maxLength: 2 }), (a, b, ra, rb) => {
        const [sa, sb] = [Math.floor(a.getTime() / 1000), Math.floor(b.getTime() / 1000)];
        fc.pre(sa !== sb);
        const [ia, ib] = [generateRunId(a, () => ra), generateRunId(b, () => rb)];
        expect(ia < ib).toBe(sa < sb);
      }),
    );
  });

  it('round-trips its time and is a valid id', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true }), (d) => {
        const id = generateRunId(d);
        expect(isRunId(id)).toBe(true);
        expect(timeOf(id)).toBe(Math.floor(d.getTime() / 1000) * 1000);
      }),
    );
  });

  it('refuses dates it cannot encode', () => {
    expect(() => generateRunId(new Date(NaN))).toThrow(/invalid date/);
    expect(() => generateRunId(new Date(Date.UTC(10000, 0, 1)))).toThrow(/does not fit/);
  });
});

describe('isRunId', () => {
  it.each(['20261124-183012-ab12', '19991231-235959-0000'])('accepts %s', (id) => expect(isRunId(id)).toBe(true));
  it.each(['', '20261124-183012-AB12', '20261124-183012-ab1', '20261124-183012-ab12 ', '../20261124-183012-ab12', '20261124183012ab12', "x'; rm -rf /"])(
    'rejects %j',
    (id) => expect(isRunId(id)).toBe(false),
  );
});
