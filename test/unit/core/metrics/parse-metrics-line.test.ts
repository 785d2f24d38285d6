import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseMetricsLine, quoteBareNonFinite, type MetricsPoint } from '../../../../src/core/metrics/parse-metrics-line';

function point(line: string): MetricsPoint {
  const parsed = parseMetricsLine(line);
  if (parsed.kind !== 'point') throw new Error(`expected a point, got ${JSON.stringify(parsed)}`);
  return parsed;
}

describe('parseMetricsLine', () => {
  it('parses a training point with standard and extra metrics', () => {
    const p = point('{"v":1,"time":1700000000.25,"step":12,"epoch":0.5,"split":"train","loss":0.7,"accuracy":0.81,"lr":0.001,"images_per_s":5120,"grad_norm":1.5,"note":"text","nested":{"a":1}}');
    expect(p).toMatchObject({ time: 1700000000.25, step: 12, epoch: 0.5, split: 'train' });
    expect([...p.values]).toEqual([
      ['loss', 0.7],
      ['accuracy', 0.81],
      ['lr', 0.001],
      ['images_per_s', 5120],
      ['grad_norm', 1.5],
    ]);
  });

  it('turns "NaN"/"Infinity"/"-Infinity" strings into non-finite numbers', () => {
    const p = point('{"v":1,"time":1,"step":1,"split":"val","loss":"NaN","a":"Infinity","b":"-Infinity","c":"nan"}');
    expect(p.values.get('loss')).toBeNaN();
    expect(p.values.get('a')).toBe(Infinity);
    expect(p.values.get('b')).toBe(-Infinity);
    expect(p.values.has('c')).toBe(false);
  });

  it("accepts Python json.dumps' bare NaN and Infinity, but not inside strings", () => {
    const p = point('{"v":1,"time":1,"step":1,"split":"train","loss":NaN,"x":-Infinity,"tag":"NaN Infinity"}');
    expect(p.values.get('loss')).toBeNaN();
    expect(p.values.get('x')).toBe(-Infinity);
    expect(quoteBareNonFinite('{"a":"say \\"NaN\\"","b":NaN}')).toBe('{"a":"say \\"NaN\\"","b":"NaN"}');
  });

  it('parses events', () => {
    expect(parseMetricsLine('{"v":1,"time":5,"event":"resume","step":100,"checkpoint":"ckpt-3"}')).toEqual({ kind: 'event', time: 5, event: 'resume', step: 100 });
    expect(parseMetricsLine('{"v":1,"time":5,"event":"end"}')).toEqual({ kind: 'event', time: 5, event: 'end', step: null });
  });

  it('treats names such as __proto__ as plain metric names', () => {
    const p = point('{"v":1,"time":1,"step":1,"split":"train","__proto__":3,"constructor":4}');
    expect(p.values.get('__proto__')).toBe(3);
    expect(p.values.get('constructor')).toBe(4);
  });

  it('keeps a metric name with markup as it is (the view escapes it)', () => {
    expect(point('{"v":1,"time":1,"step":1,"split":"train","<img src=x onerror=alert(1)>":1}').values.get('<img src=x onerror=alert(1)>')).toBe(1);
  });

  it('bounds the number of metrics per line', () => {
    const fields = Array.from({ length: 200 }, (_, i) => `"m${i}":${i}`).join(',');
    expect(point(`{"v":1,"time":1,"step":1,"split":"train",${fields}}`).values.size).toBe(64);
  });

  it.each([
    ['', 'empty'],
    ['   ', 'empty'],
    ['{"v":1,', 'invalid-json'],
    ['[1,2]', 'not-object'],
    ['42', 'not-object'],
    ['{"time":1,"step":1,"split":"train"}', 'unsupported-version'],
    ['{"v":2,"time":1,"step":1,"split":"train"}', 'unsupported-version'],
    ['{"v":1,"step":1,"split":"train"}', 'bad-time'],
    ['{"v":1,"time":"NaN","step":1,"split":"train"}', 'bad-time'],
    ['{"v":1,"time":-1,"step":1,"split":"train"}', 'bad-time'],
    ['{"v":1,"time":1,"step":1.5,"split":"train"}', 'bad-step'],
    ['{"v":1,"time":1,"step":-1,"split":"train"}', 'bad-step'],
    ['{"v":1,"time":1,"split":"train"}', 'bad-step'],
    ['{"v":1,"time":1,"step":1,"split":"holdout"}', 'bad-split'],
    ['{"v":1,"time":1,"step":1}', 'bad-split'],
    ['{"v":1,"time":1,"event":"explode"}', 'unknown-event'],
    ['{"v":1,"time":1,"event":"checkpoint","step":"x"}', 'bad-step'],
  ])('rejects %j as %s', (line, reason) => {
    expect(parseMetricsLine(line)).toEqual({ kind: 'rejected', reason });
  });

  it('rejects over-long lines before parsing them', () => {
    const big = `{"v":1,"time":1,"step":1,"split":"train","pad":"${'x'.repeat(70_000)}"}`;
    expect(parseMetricsLine(big)).toEqual({ kind: 'rejected', reason: 'too-long' });
    expect(parseMetricsLine(big, { maxLineChars: 100_000, maxMetricsPerLine: 64, maxMetricNameChars: 128 }).kind).toBe('point');
  });

  it('never throws, whatever the line (fuzz)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary' }), fc.jsonValue().map((v) => JSON.stringify(v))), (line) => {
        expect(['point', 'event', 'rejected']).toContain(parseMetricsLine(line).kind);
      }),
      { numRuns: 3000 },
    );
  });

  it('reads back every finite value it is given (fuzz)', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string({ minLength: 1, maxLength: 20 }).filter((k) => !['v', 'time', 'step', 'epoch', 'split', 'event'].includes(k)), fc.double({ noNaN: true, noDefaultInfinity: true }), { maxKeys: 20 }), (metrics) => {
        const p = point(JSON.stringify({ v: 1, time: 1, step: 0, split: 'train', ...metrics }));
        for (const [k, v] of Object.entries(metrics)) expect(p.values.get(k)).toBe(Object.is(v, -0) ? 0 : v);
      }),
    );
  });
});
