import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isUsageError } from '../../../../src/core/errors';
import { parseTrainOptions, TrainOptionsError, validateTrainOptions } from '../../../../src/core/runs/train-options';

function problems(input: unknown): string[] {
  const result = validateTrainOptions(input);
  return result.ok ? [] : result.problems.map((p) => `${p.option}: ${p.message}`);
}

describe('validateTrainOptions', () => {
  it('fills defaults for what is left out', () => {
    expect(parseTrainOptions({})).toEqual({
      template: 'cnn',
      dataset: 'fashion-mnist',
      dataDir: undefined,
      epochs: 5,
      batchSize: undefined,
      lr: undefined,
      seed: 0,
      autoResume: true,
    });
  });

  it('accepts a full set, numbers given as numeric strings too', () => {
    expect(
      parseTrainOptions({ template: 'resnet', dataset: 'cifar10', dataDir: '/workspace/data/c10', epochs: '10', batchSize: 256, lr: '3e-4', seed: '42', autoResume: 'false' }),
    ).toEqual({ template: 'resnet', dataset: 'cifar10', dataDir: '/workspace/data/c10', epochs: 10, batchSize: 256, lr: 3e-4, seed: 42, autoResume: false });
  });

  it.each([
    [{ template: 'vgg' }, /^template: template must be one of cnn, resnet \(got "vgg"\)$/],
    [{ dataset: 'imagenet' }, /^dataset: dataset must be one of mnist, fashion-mnist, cifar10, imagefolder \(got "imagenet"\)$/],
    [{ epochs: 0 }, /^epochs: epochs must be a whole number from 1 to 10000 \(got 0\)$/],
    [{ epochs: 2.5 }, /^epochs: .*\(got 2.5\)$/],
    [{ epochs: '5abc' }, /^epochs: .*\(got "5abc"\)$/],
    [{ epochs: '' }, /^epochs: .*\(got ""\)$/],
    [{ batchSize: 65537 }, /^batchSize: batchSize must be a whole number from 1 to 65536 \(got 65537\)$/],
    [{ batchSize: ' 64' }, /^batchSize: /],
    [{ lr: 0 }, /^lr: lr must be a number greater than 0 and at most 10, e\.g\. 0\.001 or 3e-4 \(got 0\)$/],
    [{ lr: Number.NaN }, /^lr: .*\(got NaN\)$/],
    [{ lr: '0x10' }, /^lr: /],
    [{ seed: -1 }, /^seed: seed must be a whole number from 0 to 4294967295 \(got -1\)$/],
    [{ autoResume: 'yes' }, /^autoResume: autoResume must be true or false \(got "yes"\)$/],
    [{ dataDir: 'data/mnist' }, /^dataDir: dataDir must be an absolute path inside the environment/],
    [{ dataDir: '/data\nrm -rf /' }, /^dataDir: .*without control characters/],
    [{ dataset: 'imagefolder' }, /^dataDir: dataDir is required for the imagefolder dataset/],
    [{ epocs: 3 }, /^epocs: unknown option "epocs"; accepted: template, dataset, dataDir, epochs, batchSize, lr, seed, autoResume$/],
  ])('%j → a problem naming the option and the accepted form', (input, expected) => {
    const found = problems(input);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(expected);
  });

  it('reports every problem at once', () => {
    expect(problems({ template: 'x', epochs: -3, lr: 'fast' }).map((p) => p.split(':')[0])).toEqual(['template', 'epochs', 'lr']);
  });

  it('refuses what is not an object', () => {
    for (const input of [null, 3, 'cnn', [1]]) expect(problems(input)).toEqual(['options: train options must be an object']);
  });

  it('parseTrainOptions throws a usage error that carries the problems', () => {
    try {
      parseTrainOptions({ epochs: 0 });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(TrainOptionsError);
      expect(isUsageError(error)).toBe(true);
      expect((error as TrainOptionsError).problems[0]?.option).toBe('epochs');
    }
  });

  it('anything accepted is within the documented ranges', () => {
    fc.assert(
      fc.property(
        fc.record(
          {
            epochs: fc.oneof(fc.integer(), fc.double(), fc.string()),
            batchSize: fc.oneof(fc.integer(), fc.double(), fc.string()),
            lr: fc.oneof(fc.double(), fc.string()),
            seed: fc.oneof(fc.integer(), fc.string(), fc.bigInt().map(String)),
            dataDir: fc.string(),
          },
          { requiredKeys: [] },
        ),
        (input) => {
          const result = validateTrainOptions(input);
          if (!result.ok) return;
          const o = result.options;
          expect(Number.isInteger(o.epochs) && o.epochs >= 1 && o.epochs <= 10_000).toBe(true);
          if (o.batchSize !== undefined) expect(Number.isInteger(o.batchSize) && o.batchSize >= 1 && o.batchSize <= 65_536).toBe(true);
          if (o.lr !== undefined) expect(o.lr > 0 && o.lr <= 10).toBe(true);
          expect(Number.isInteger(o.seed) && o.seed >= 0 && o.seed <= 4_294_967_295).toBe(true);
          if (o.dataDir !== undefined) expect(o.dataDir.startsWith('/')).toBe(true);
        },
      ),
    );
  });
});
