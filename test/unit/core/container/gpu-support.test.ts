import { describe, expect, it } from 'vitest';
import { gpuSupportFromInfo, planGpus } from '../../../../src/core/container/gpu-support';

const none = { nvidiaRuntime: false, cdi: false };
const nvidia = { nvidiaRuntime: true, cdi: false };

describe('planGpus', () => {
  it('auto without a runtime starts CPU-only with one warning', () => {
    const plan = planGpus({ kind: 'auto' }, none, 'unix:///e.sock', '--gpus');
    expect(plan.deviceRequests).toEqual([]);
    expect(plan.warning).toMatch(/starting CPU-only/);
  });
  it('explicit GPUs without a runtime fail clearly', () => {
    expect(() => planGpus({ kind: 'all' }, none, 'unix:///e.sock', '--gpus')).toThrow(/--gpus all: the engine at unix:\/\/\/e\.sock offers no NVIDIA runtime/);
    expect(() => planGpus({ kind: 'devices', ids: ['0', '1'] }, none, 'e', '--gpus')).toThrow(/--gpus 0,1/);
  });
  it('names the field as the front end calls it (a VS Code setting), never the CLI flag', () => {
    expect(() => planGpus({ kind: 'all' }, none, 'e', 'gpuEnv.gpus')).toThrow(/^gpuEnv\.gpus all: the engine at e offers no NVIDIA runtime .*, or use gpuEnv\.gpus none$/);
  });
  it('maps all and ids to DeviceRequests for the nvidia runtime, or CDI names', () => {
    expect(planGpus({ kind: 'all' }, nvidia, 'e', '--gpus').deviceRequests).toEqual([{ Driver: 'nvidia', Count: -1, Capabilities: [['gpu']] }]);
    expect(planGpus({ kind: 'devices', ids: ['0', '1'] }, nvidia, 'e', '--gpus').deviceRequests).toEqual([{ Driver: 'nvidia', DeviceIDs: ['0', '1'], Capabilities: [['gpu']] }]);
    expect(planGpus({ kind: 'auto' }, { nvidiaRuntime: false, cdi: true }, 'e', '--gpus').deviceRequests).toEqual([{ Driver: 'cdi', DeviceIDs: ['nvidia.com/gpu=all'], Capabilities: [['gpu']] }]);
    expect(planGpus({ kind: 'none' }, nvidia, 'e', '--gpus')).toEqual({ deviceRequests: [], description: 'none' });
  });
  it('reads runtimes and CDI devices from docker info', () => {
    expect(gpuSupportFromInfo({ Runtimes: { runc: {}, nvidia: {} } })).toEqual(nvidia);
    expect(gpuSupportFromInfo({ Runtimes: { runc: {} }, DiscoveredDevices: [{ Source: 'cdi', ID: 'nvidia.com/gpu=0' }] })).toEqual({ nvidiaRuntime: false, cdi: true });
    expect(gpuSupportFromInfo(null)).toEqual(none);
  });
});
