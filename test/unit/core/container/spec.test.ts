import { describe, expect, it } from 'vitest';
import { containerCreateOptions, DEFAULT_SHM_BYTES } from '../../../../src/core/container/spec';
import { planGpus } from '../../../../src/core/container/gpu-support';
const nvidia = { nvidiaRuntime: true, cdi: false };

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
      Memory: 16 * 1024 ** 3, NanoCpus: 4e9, Mounts: [{ Type: 'bind', Source: '/home/u/proj', Target: '/workspace' }],
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
