import { describe, expect, it } from 'vitest';
import { containerCreateOptions, DEFAULT_SHM_BYTES } from '../../src/core/container/spec';
import { gpuSupportFromInfo, planGpus } from '../../src/core/container/gpu-support';

const none = { nvidiaRuntime: false, cdi: false };
const nvidia = { nvidiaRuntime: true, cdi: false };

describe('planGpus', () => {
  it('auto without a runtime starts CPU-only with one warning', () => {
    const plan = planGpus({ kind: 'auto' }, none, 'unix:///e.sock');
    expect(plan.deviceRequests).toEqual([]);
    expect(plan.warning).toMatch(/starting CPU-only/);
  });
  it('explicit GPUs without a runtime fail clearly', () => {
    expect(() => planGpus({ kind: 'all' }, none, 'unix:///e.sock')).toThrow(/--gpus all: the engine at unix:\/\/\/e\.sock offers no NVIDIA runtime/);
    expect(() => planGpus({ kind: 'devices', ids: ['0', '1'] }, none, 'e')).toThrow(/--gpus 0,1/);
  });
  it('maps all and ids to DeviceRequests for the nvidia runtime, or CDI names', () => {
    expect(planGpus({ kind: 'all' }, nvidia, 'e').deviceRequests).toEqual([{ Driver: 'nvidia', Count: -1, Capabilities: [['gpu']] }]);
    expect(planGpus({ kind: 'devices', ids: ['0', '1'] }, nvidia, 'e').deviceRequests).toEqual([{ Driver: 'nvidia', DeviceIDs: ['0', '1'], Capabilities: [['gpu']] }]);
    expect(planGpus({ kind: 'auto' }, { nvidiaRuntime: false, cdi: true }, 'e').deviceRequests).toEqual([{ Driver: 'cdi', DeviceIDs: ['nvidia.com/gpu=all'], Capabilities: [['gpu']] }]);
    expect(planGpus({ kind: 'none' }, nvidia, 'e')).toEqual({ deviceRequests: [], description: 'none' });
  });
  it('reads runtimes and CDI devices from docker info', () => {
    expect(gpuSupportFromInfo({ Runtimes: { runc: {}, nvidia: {} } })).toEqual(nvidia);
    expect(gpuSupportFromInfo({ Runtimes: { runc: {} }, DiscoveredDevices: [{ Source: 'cdi', ID: 'nvidia.com/gpu=0' }] })).toEqual({ nvidiaRuntime: false, cdi: true });
    expect(gpuSupportFromInfo(null)).toEqual(none);
  });
});

describe('containerCreateOptions', () => {
  const options = containerCreateOptions({
    name: 'exp1', image: 'img:tag', workspace: '/home/u/proj', uid: 1000, gid: 1000, user: 'dev',
    gpus: planGpus({ kind: 'all' }, nvidia, 'e'), memoryBytes: 16 * 1024 ** 3, nanoCpus: 4e9, shmSizeBytes: DEFAULT_SHM_BYTES,
    recipeHash: 'abcd1234', version: '0.1.0', overrideEntrypoint: false,
  });
  it('publishes SSH on loopback with an engine-chosen port', () => {
    expect(options.HostConfig?.PortBindings).toEqual({ '22/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }] });
  });
  it('hardens and sizes the container', () => {
    expect(options.HostConfig).toMatchObject({
      Init: true, SecurityOpt: ['no-new-privileges'], RestartPolicy: { Name: 'unless-stopped' }, ShmSize: 8 * 1024 ** 3,
      Memory: 16 * 1024 ** 3, NanoCpus: 4e9, Binds: ['/home/u/proj:/workspace'],
      DeviceRequests: [{ Driver: 'nvidia', Count: -1, Capabilities: [['gpu']] }],
    });
  });
  it('labels it and passes no secret in the environment', () => {
    expect(options.name).toBe('gpu-env-exp1');
    expect(options.Labels).toMatchObject({ 'dev.gpu-env.name': 'exp1', 'dev.gpu-env.workspace': '/home/u/proj', 'dev.gpu-env.recipe': 'abcd1234', 'dev.gpu-env.ssh-port': '22', 'dev.gpu-env.version': '0.1.0' });
    expect(options.Env?.join(' ')).not.toMatch(/KEY|PRIVATE|TOKEN/);
    expect(options.Entrypoint).toBeUndefined();
  });
});
