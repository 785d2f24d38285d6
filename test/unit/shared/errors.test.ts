import { describe, expect, it, vi } from 'vitest';

type Errors = typeof import('../../../src/shared/errors');

/** A fresh copy of the module, as another bundle (dist/cli-commands.js, dist/core.js) has its own. */
async function freshCopy(): Promise<Errors> {
  vi.resetModules();
  return import('../../../src/shared/errors.js');
}

describe('gpu-env errors across bundles', () => {
  it('recognises a usage error made by another copy of the error class', async () => {
    const dispatcher = await freshCopy();
    const commands = await freshCopy();
    expect(dispatcher.GpuEnvError).not.toBe(commands.GpuEnvError);
    const error = commands.usageError('--gpus: not a GPU list');
    expect(error instanceof dispatcher.GpuEnvError).toBe(false);
    expect(dispatcher.isUsageError(error)).toBe(true);
    expect(dispatcher.isGpuEnvError(error)).toBe(true);
    expect(dispatcher.isUsageError(new commands.GpuEnvError('engine gone'))).toBe(false);
  });

  it('does not take other errors for gpu-env usage errors', async () => {
    const { isGpuEnvError, isUsageError } = await freshCopy();
    const lookalike = Object.assign(new Error('x'), { kind: 'usage', name: 'UsageError' });
    expect(isUsageError(lookalike)).toBe(false);
    expect(isGpuEnvError({ kind: 'usage' })).toBe(false);
    expect(isUsageError(undefined)).toBe(false);
  });
});
