import { describe, expect, it } from 'vitest';
import { GpuAttribution, type AttributionDeps } from '../../../../src/core/gpu/gpu-attribution';
import type { GpuClaim } from '../../../../src/core/gpu/gpu-claims';
import type { GpuDevice, GpuSample } from '../../../../src/core/gpu/types';

function device(index: number, uuid: string, pids: number[]): GpuDevice {
  return {
    index, uuid, name: 'x', utilizationGpuPercent: 0, utilizationMemoryPercent: 0, memoryUsedBytes: 0, memoryTotalBytes: 1, temperatureC: null, powerDrawW: null,
    powerLimitW: null, smClockMHz: null, fanPercent: null, pstate: null, migEnabled: null, processes: pids.map((pid) => ({ pid, usedMemoryBytes: null })), errors: {},
  };
}
function sample(devices: GpuDevice[]): GpuSample {
  return { seq: 1, timeMs: 0, warnings: [], gpu: { available: true, source: 'nvml', devices }, container: { cpuPercent: null, cpuLimitCores: null, cpuCount: null, memoryUsedBytes: null, memoryLimitBytes: null, memoryLimited: false } };
}
const claim = (containerId: string, environment: string, devices: GpuClaim['devices']): GpuClaim => ({ container: `gpu-env-${environment}`, containerId, environment, owner: 'u', running: true, devices });

/** /proc as the engine's machine sees it: the container's init is 100 (pid 1 inside); run 7 inside is 107; its child 108 uses the GPU. */
const HOST_PROC: Record<number, string> = {
  100: 'PPid:\t1\nNSpid:\t100\t1\n',
  107: 'PPid:\t100\nNSpid:\t107\t7\n',
  108: 'PPid:\t107\nNSpid:\t108\t8\n',
  300: 'PPid:\t1\nNSpid:\t300\n',
};

function deps(overrides: Partial<AttributionDeps> = {}): AttributionDeps & { calls: { runs: number; claims: number } } {
  const calls = { runs: 0, claims: 0 };
  return {
    calls,
    processLookup: async () => ({ kind: 'view', view: { where: 'host', containerInitPid: 100 }, readStatus: async (pid) => HOST_PROC[pid] ?? null }),
    runPids: async () => {
      calls.runs++;
      return [{ runId: 'run-a', pid: 7, label: 'cnn' }];
    },
    claims: async () => {
      calls.claims++;
      return { own: claim('me', 'mine', ['1', '3']), running: [claim('me', 'mine', ['1', '3']), claim('bob', 'bobs', ['3']), claim('all', 'big', 'all')] };
    },
    ...overrides,
  };
}

describe('GpuAttribution', () => {
  it('maps a GPU process to the run it descends from, and leaves other processes unmapped', async () => {
    const d = deps();
    const attribution = new GpuAttribution(d, 'mine');
    const gpus = [device(0, 'GPU-1', [108]), device(1, 'GPU-3', [300])];
    attribution.observe(sample(gpus));
    await attribution.settled();
    expect(attribution.runFor(gpus[0]!)).toEqual({ runId: 'run-a', label: 'cnn' });
    expect(attribution.runFor(gpus[1]!)).toBeNull();
    expect(attribution.cannotMap).toBeNull();
  });

  it('looks the runs up again only when the GPU processes change', async () => {
    const d = deps();
    const attribution = new GpuAttribution(d, 'mine');
    attribution.observe(sample([device(0, 'GPU-1', [108])]));
    attribution.observe(sample([device(0, 'GPU-1', [108])]));
    await attribution.settled();
    attribution.observe(sample([device(0, 'GPU-1', [108, 300])]));
    await attribution.settled();
    expect(d.calls.runs).toBe(2);
  });

  it('holders by host index: the environment\'s n-th GPU is the n-th it asked for', async () => {
    const attribution = new GpuAttribution(deps(), 'mine');
    const gpus = [device(0, 'GPU-1', []), device(1, 'GPU-3', [])];
    attribution.observe(sample(gpus));
    await attribution.settled();
    expect(attribution.holdersFor(gpus[0]!, 0).map((h) => [h.environment, h.self])).toEqual([['mine', true], ['big', false]]);
    expect(attribution.holdersFor(gpus[1]!, 1).map((h) => [h.environment, h.self])).toEqual([['mine', true], ['bobs', false], ['big', false]]);
  });

  it('says why it cannot map, and maps nothing, where the processes cannot be seen', async () => {
    const attribution = new GpuAttribution(deps({ processLookup: async () => ({ kind: 'none', reason: 'cannot map: tcp engine' }) }), 'mine');
    const gpus = [device(0, 'GPU-1', [108])];
    attribution.observe(sample(gpus));
    await attribution.settled();
    expect(attribution.runFor(gpus[0]!)).toBeNull();
    expect(attribution.cannotMap).toBe('cannot map: tcp engine');
  });

  it('a failing lookup is logged and leaves the last answers', async () => {
    const logged: string[] = [];
    const attribution = new GpuAttribution(deps({ claims: async () => { throw new Error('engine gone'); }, log: (m) => logged.push(m) }), 'mine');
    attribution.observe(sample([device(0, 'GPU-1', [])]));
    await attribution.settled();
    expect(attribution.holdersFor(device(0, 'GPU-1', []), 0)).toEqual([]);
    expect(logged).toEqual(['GPU holders of mine: engine gone']);
  });
});
