import { describe, expect, it } from 'vitest';
import { metricsToCsv, numberCell, textCell } from '../../../../src/vscode/dashboard/csv-export';

describe('metricsToCsv', () => {
  it('writes one row per point, series in a stable order, non-finite values spelled out', () => {
    const csv = metricsToCsv(
      [
        { key: { kind: 'metric', run: 'r2', split: 'val', metric: 'loss' }, points: { t: [1700000001], v: [0.5], s: [10] }, nonFinite: 0 },
        { key: { kind: 'metric', run: 'r1', split: 'train', metric: 'loss' }, points: { t: [1700000000, 1700000000.5], v: [NaN, -Infinity], s: [1, 2] }, nonFinite: 2 },
      ],
      (id) => (id === 'r1' ? 'first run' : id),
    );
    expect(csv.split('\r\n')).toEqual([
      'run,split,metric,step,time_unix,time_iso,value',
      'first run,train,loss,1,1700000000,2023-11-14T22:13:20.000Z,NaN',
      'first run,train,loss,2,1700000000.5,2023-11-14T22:13:20.500Z,-Infinity',
      'r2,val,loss,10,1700000001,2023-11-14T22:13:21.000Z,0.5',
      '',
    ]);
  });

  it('quotes separators and defuses spreadsheet formulas in names', () => {
    expect(textCell('a,b')).toBe('"a,b"');
    expect(textCell('say "hi"')).toBe('"say ""hi"""');
    expect(textCell('=HYPERLINK("http://x")')).toBe(`"'=HYPERLINK(""http://x"")"`);
    expect(textCell('-1+2')).toBe("'-1+2");
    expect(textCell('<img src=x onerror=alert(1)>')).toBe('<img src=x onerror=alert(1)>');
    expect(numberCell(1e-7)).toBe('1e-7');
    expect(numberCell(Infinity)).toBe('Infinity');
  });
});
