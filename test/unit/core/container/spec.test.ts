import { describe, expect, it } from 'vitest';
import { containerCreateOptions, DEFAULT_SHM_BYTES } from '../../../../src/core/container/spec';
import { planGpus } from '../../../../src/core/container/gpu-support';
const nvidia = { nvidiaRuntime: true, cdi: false };

describe('containerCreateOptions', () => {
  const options = containerCreateOptions({
    name: 'exp1', image: 'img:tag', workspace: '/home/u/proj', uid: 1000, gid: 1000, user: 'dev',
    gpus: planGpus({ kind: 'all' }, nvidia, 'e', '--gpus'), memoryBytes: 16 * 1024 ** 3, nanoCpus: 4e9, shmSizeBytes: DEFAULT_SHM_BYTES,
    recipeHash: 'abcd1234', version: '0.1.0', overrideEntrypoint: false, owner: 'alice',
  });
  it('publishes SSH on loopback with an engine-chosen port', () => {
    expect(options.HostConfig?.PortBindings).toEqual({ '22/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }] });
  });
  it('hardens and sizes the container', () => {
    expect(options.HostConfig).toMatchObject({
      Init: true, SecurityOpt: ['no-new-privileges'], CapDrop: ['ALL'], CapAdd: ['CHOWN', 'DAC_READ_SEARCH', 'SETUID', 'SETGID', 'NET_BIND_SERVICE', 'SYS_CHROOT', 'KILL', 'AUDIT_WRITE'], RestartPolicy: { Name: 'unless-stopped' }, ShmSize: 8 * 1024 ** 3,
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
  it('records who created it, and no idle stop unless asked', () => {
    expect(options.Labels).toMatchObject({ 'dev.gpu-env.owner': 'alice' });
    expect(options.Labels).not.toHaveProperty('dev.gpu-env.idle-stop');
    expect(options.Labels).not.toHaveProperty('dev.gpu-env.gpu-count');
    expect(options.Env?.some((entry) => entry.startsWith('GPU_ENV_IDLE_STOP_MS='))).toBe(false);
  });
  it('opens standard input for the one client that hands the first start its keys', () => {
    expect(options).toMatchObject({ OpenStdin: true, StdinOnce: true, AttachStdin: true });
  });
});

describe('containerCreateOptions with chosen GPUs and idle stop', () => {
  const options = containerCreateOptions({
    name: 'exp2', image: 'img:tag', workspace: '/w', uid: 1000, gid: 1000, user: 'dev',
    gpus: planGpus({ kind: 'devices', ids: ['2', '3'] }, nvidia, 'e', '--gpus'), shmSizeBytes: DEFAULT_SHM_BYTES,
    recipeHash: 'abcd1234', version: '0.1.0', overrideEntrypoint: false, owner: 'bob', gpuCount: 2, idleStopMs: 1_800_000,
  });
  it('asks for exactly the chosen GPUs and records the count', () => {
    expect(options.HostConfig?.DeviceRequests).toEqual([{ Driver: 'nvidia', DeviceIDs: ['2', '3'], Capabilities: [['gpu']] }]);
    expect(options.Labels).toMatchObject({ 'dev.gpu-env.gpus': '2,3', 'dev.gpu-env.gpu-count': '2' });
  });
  it('gives the idle window to the entrypoint, and restarts only after a failure (an idle stop exits 0)', () => {
    expect(options.Env).toContain('GPU_ENV_IDLE_STOP_MS=1800000');
    expect(options.Labels).toMatchObject({ 'dev.gpu-env.idle-stop': '1800000' });
    expect(options.HostConfig?.RestartPolicy).toEqual({ Name: 'on-failure', MaximumRetryCount: 0 });
  });
});
