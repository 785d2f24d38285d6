import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isUsageError } from '../../../../src/core/errors';
import { parseTrainOptions, processesPerNode, TrainOptionsError, validateTrainOptions } from '../../../../src/core/runs/train-options';

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
      targetAccuracy: undefined,
      nprocPerNode: undefined,
      nodes: undefined,
      autoResume: true,
    });
  });

  it('accepts a full set, numbers given as numeric strings too', () => {
    expect(
      parseTrainOptions({ template: 'resnet', dataset: 'cifar10', dataDir: '/workspace/data/c10', epochs: '10', batchSize: 256, lr: '3e-4', seed: '42', targetAccuracy: '0.9', nprocPerNode: '2', nodes: 1, autoResume: 'false' }),
    ).toEqual({ template: 'resnet', dataset: 'cifar10', dataDir: '/workspace/data/c10', epochs: 10, batchSize: 256, lr: 3e-4, seed: 42, targetAccuracy: 0.9, nprocPerNode: 2, nodes: 1, autoResume: false });
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
    [{ targetAccuracy: 0 }, /^targetAccuracy: targetAccuracy must be a number above 0 and at most 1, e\.g\. 0\.88 for 88 % \(got 0\)$/],
    [{ targetAccuracy: 88 }, /^targetAccuracy: .*\(got 88\)$/],
    [{ targetAccuracy: '88%' }, /^targetAccuracy: .*\(got "88%"\)$/],
    [{ nprocPerNode: 0 }, /^nprocPerNode: nprocPerNode must be a whole number from 1 to 1024: the processes per machine, default one per GPU \(got 0\)$/],
    [{ nodes: '0' }, /^nodes: nodes must be a whole number from 1 to 1024 \(got "0"\)$/],
    [{ autoResume: 'yes' }, /^autoResume: autoResume must be true or false \(got "yes"\)$/],
    [{ dataDir: 'data/mnist' }, /^dataDir: dataDir must be an absolute path inside the environment/],
    [{ dataDir: '/data\nrm -rf /' }, /^dataDir: .*without control characters/],
    [{ dataset: 'imagefolder' }, /^dataDir: dataDir is required for the imagefolder dataset/],
    [{ epocs: 3 }, /^epocs: unknown option "epocs"; accepted: template, dataset, dataDir, epochs, batchSize, lr, seed, targetAccuracy, nprocPerNode, nodes, subset, time, autoResume$/],
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

describe('processesPerNode', () => {
  const machine = (gpus: number) => ({ target: 'machine' as const, gpus });

  it('defaults to one process per GPU, and to one without GPUs', () => {
    expect(processesPerNode(parseTrainOptions({}), machine(4))).toEqual({ ok: true, nprocPerNode: 4 });
    expect(processesPerNode(parseTrainOptions({}), machine(0))).toEqual({ ok: true, nprocPerNode: 1 });
  });

  it('runs any number of processes on CPUs, and at most one per GPU', () => {
    expect(processesPerNode(parseTrainOptions({ nprocPerNode: 2 }), machine(0))).toEqual({ ok: true, nprocPerNode: 2 });
    expect(processesPerNode(parseTrainOptions({ nprocPerNode: 8 }), machine(8))).toEqual({ ok: true, nprocPerNode: 8 });
    expect(processesPerNode(parseTrainOptions({ nprocPerNode: 9 }), machine(8))).toEqual({
      ok: false,
      problems: [{ option: 'nprocPerNode', message: 'nprocPerNode 9 is more than the 8 GPUs this environment sees (one process per GPU; at most 8)' }],
    });
  });

  it('refuses several nodes on one machine, saying a cluster target is needed', () => {
    const placed = processesPerNode(parseTrainOptions({ nodes: 2 }), machine(0));
    expect(placed.ok).toBe(false);
    expect(!placed.ok && placed.problems.map((p) => `${p.option}: ${p.message}`)).toEqual([expect.stringMatching(/^nodes: nodes 2: training on several machines needs a cluster target \(Slurm\)/)]);
    expect(processesPerNode(parseTrainOptions({ nodes: 2 }), { target: 'cluster', gpus: 1 })).toEqual({ ok: true, nprocPerNode: 1 });
  });

  it('takes a time limit only for a cluster job: a cluster target and nodes given', () => {
    const timed = parseTrainOptions({ nodes: 2, time: '10' });
    expect(processesPerNode(timed, { target: 'cluster', gpus: 0 })).toEqual({ ok: true, nprocPerNode: 1 });
    const onMachine = processesPerNode(parseTrainOptions({ time: '10' }), machine(0));
    expect(!onMachine.ok && onMachine.problems).toEqual([{ option: 'time', message: 'time 10: a time limit is for a cluster job; this environment is not on a cluster' }]);
    const noNodes = processesPerNode(parseTrainOptions({ time: '10' }), { target: 'cluster', gpus: 0 });
    expect(!noNodes.ok && noNodes.problems[0]!.message).toMatch(/give nodes too/);
  });
});

describe('subset and time', () => {
  it('accepts a training subset and a Slurm time limit as given', () => {
    expect(parseTrainOptions({ subset: '6000', time: '1-12' })).toMatchObject({ subset: 6000, time: '1-12' });
    expect(parseTrainOptions({})).not.toHaveProperty('time');
  });

  it.each([
    [{ subset: 0 }, /^subset must be a whole number from 1 to 100000000/],
    [{ time: '99:99:99x' }, /^time must be a Slurm time limit: minutes, minutes:seconds, hours:minutes:seconds/],
    [{ time: 'UNLIMITED' }, /^time must be a Slurm time limit/],
    [{ time: '0' }, /^time must be a Slurm time limit/],
  ])('%j is refused naming the accepted form', (input, message) => {
    const checked = validateTrainOptions(input);
    expect(checked.ok).toBe(false);
    expect(!checked.ok && checked.problems[0]!.message).toMatch(message);
  });
});
