import { describe, expect, it } from 'vitest';
import { claimCovers, gpuClaimOf } from '../../../../src/core/gpu/gpu-claims';

function inspect(hostConfig: object, env: string[] = [], labels: Record<string, string> = {}, running = true) {
  return { Id: 'abc', Name: '/box', Config: { Env: env, Labels: labels }, HostConfig: hostConfig, State: { Running: running } } as never;
}

describe('gpuClaimOf', () => {
  it('reads --gpus all, a count and device ids of the NVIDIA driver', () => {
    expect(gpuClaimOf(inspect({ DeviceRequests: [{ Driver: 'nvidia', Count: -1, Capabilities: [['gpu']] }] }))?.devices).toBe('all');
    expect(gpuClaimOf(inspect({ DeviceRequests: [{ Driver: '', Count: 2, Capabilities: [['gpu']] }] }))?.devices).toEqual(['0', '1']);
    expect(gpuClaimOf(inspect({ DeviceRequests: [{ Driver: 'nvidia', DeviceIDs: ['2', 'GPU-x'], Capabilities: [['gpu']] }] }))?.devices).toEqual(['2', 'GPU-x']);
  });
  it('reads CDI requests', () => {
    expect(gpuClaimOf(inspect({ DeviceRequests: [{ Driver: 'cdi', DeviceIDs: ['nvidia.com/gpu=1', 'vendor.com/x=1'] }] }))?.devices).toEqual(['1']);
    expect(gpuClaimOf(inspect({ DeviceRequests: [{ Driver: 'cdi', DeviceIDs: ['nvidia.com/gpu=all'] }] }))?.devices).toBe('all');
  });
  it('reads the NVIDIA runtime by the last NVIDIA_VISIBLE_DEVICES (the image\'s `all` first, the user\'s after)', () => {
    expect(gpuClaimOf(inspect({ Runtime: 'nvidia' }, ['NVIDIA_VISIBLE_DEVICES=all', 'NVIDIA_VISIBLE_DEVICES=3']))?.devices).toEqual(['3']);
    expect(gpuClaimOf(inspect({ Runtime: 'nvidia' }, ['NVIDIA_VISIBLE_DEVICES=void']))).toBeNull();
    expect(gpuClaimOf(inspect({ Runtime: 'runc' }, ['NVIDIA_VISIBLE_DEVICES=all']))).toBeNull();
  });
  it('no GPU request, no claim; labels say whose environment it is', () => {
    expect(gpuClaimOf(inspect({ DeviceRequests: [] }))).toBeNull();
    const claim = gpuClaimOf(inspect({ DeviceRequests: [{ Driver: 'nvidia', DeviceIDs: ['0'] }] }, [], { 'dev.gpu-env.name': 'exp1', 'dev.gpu-env.owner': 'alice' }, false));
    expect(claim).toEqual({ container: 'box', containerId: 'abc', environment: 'exp1', owner: 'alice', running: false, devices: ['0'] });
  });
  it('a claim covers GPUs by index or by UUID (any case)', () => {
    expect(claimCovers({ devices: ['1', 'GPU-ABC'] }, { index: 1, uuid: 'GPU-zzz' })).toBe(true);
    expect(claimCovers({ devices: ['1', 'GPU-ABC'] }, { index: 2, uuid: 'gpu-abc' })).toBe(true);
    expect(claimCovers({ devices: ['1'] }, { index: 2, uuid: null })).toBe(false);
    expect(claimCovers({ devices: 'all' }, { index: 7, uuid: null })).toBe(true);
  });
});
