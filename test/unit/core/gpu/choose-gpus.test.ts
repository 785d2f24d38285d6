import { describe, expect, it } from 'vitest';
import { chooseFreeGpus } from '../../../../src/core/gpu/choose-gpus';
import type { GpuHolder, HostGpu } from '../../../../src/core/gpu/gpu-holders';

function gpu(index: number, util: number | null, memUsed: number | null, holders: GpuHolder[] = []): HostGpu {
  return { index, uuid: `GPU-${index}`, name: 'x', utilizationGpuPercent: util, memoryUsedBytes: memUsed, memoryTotalBytes: 100, holders, processes: [], free: holders.length === 0 };
}
const alice: GpuHolder = { environment: 'exp1', container: 'gpu-env-exp1', owner: 'alice' };
const web: GpuHolder = { environment: null, container: 'web-1', owner: null };

describe('chooseFreeGpus', () => {
  it('takes free GPUs least used first: utilisation, then memory, then index', () => {
    const gpus = [gpu(0, 50, 0, [alice]), gpu(1, 30, 10), gpu(2, 5, 80), gpu(3, 5, 20), gpu(4, null, null)];
    expect(chooseFreeGpus(gpus, 3, '--gpus', 'box').map((g) => g.index)).toEqual([4, 3, 2]);
    expect(chooseFreeGpus(gpus, 4, '--gpus', 'box').map((g) => g.index)).toEqual([4, 3, 2, 1]);
  });
  it('when fewer are free: a usage error naming the holders of every held GPU, and what can be done', () => {
    const gpus = [gpu(0, 0, 0, [alice]), gpu(1, 0, 0, [web, alice]), gpu(2, 0, 0)];
    let error: unknown;
    try {
      chooseFreeGpus(gpus, 2, 'gpuEnv.gpus', 'me@box');
    } catch (caught) {
      error = caught;
    }
    expect(error).toMatchObject({ kind: 'usage' });
    expect((error as Error).message).toBe([
      'gpuEnv.gpus 2: me@box has 3 GPUs and only 1 is free (2); held by running environments:',
      '  GPU 0: alice/exp1',
      '  GPU 1: container web-1, alice/exp1',
      'Ask for fewer, stop one of them, or name GPUs with gpuEnv.gpus device=… to share them (gpu-env gpus shows who holds what).',
    ].join('\n'));
  });
});
