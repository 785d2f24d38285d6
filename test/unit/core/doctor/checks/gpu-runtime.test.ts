import { describe, expect, it } from 'vitest';
import { gpuRuntimeCheck } from '../../../../../src/core/doctor/checks/gpu-runtime';
import type { EngineFacts, JsonRecord } from '../../../../../src/core/doctor/engine-facts';

function facts(info: JsonRecord): EngineFacts {
  return { engine: { docker: undefined as never, endpoint: { url: 'unix:///var/run/docker.sock', source: 'default' } }, info: async () => info, diskUsage: async () => ({}) };
}

describe('gpuRuntimeCheck', () => {
  const run = (info: JsonRecord) => gpuRuntimeCheck.run(facts(info), new AbortController().signal);

  it('is ok with an nvidia runtime registered', async () => {
    const result = await run({ Runtimes: { nvidia: { path: 'nvidia-container-runtime' }, runc: { path: 'runc' } } });
    expect(result).toMatchObject({ status: 'ok', detail: '`docker info` lists the runtime nvidia, so containers on this engine can be given GPUs.' });
  });

  it('is ok with CDI GPU devices only', async () => {
    const result = await run({ Runtimes: { runc: {} }, DiscoveredDevices: [{ Source: 'cdi', ID: 'nvidia.com/gpu=0' }, { Source: 'cdi', ID: 'nvidia.com/gpu=all' }] });
    expect(result.status).toBe('ok');
    expect(result.detail).toContain('the CDI devices nvidia.com/gpu=0, nvidia.com/gpu=all');
  });

  it('warns with the runtimes it saw, and says when the engine cannot report CDI at all', async () => {
    const old = await run({ Runtimes: { runc: {}, 'io.containerd.runc.v2': {} } });
    expect(old.status).toBe('warn');
    expect(old.detail).toContain('runtimes: io.containerd.runc.v2, runc');
    expect(old.detail).toContain('does not report CDI devices');
    expect(old.fix).toContain('nvidia-ctk runtime configure --runtime=docker');
    const current = await run({ Runtimes: { runc: {} }, DiscoveredDevices: [] });
    expect(current.detail).toContain('and no CDI GPU devices:');
  });
});
