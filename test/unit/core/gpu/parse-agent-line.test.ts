import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseAgentLine } from '../../../../src/core/gpu/parse-agent-line';
import type { AgentLine, GpuSample } from '../../../../src/core/gpu/types';
import { loadGpuFixture } from '../../../support/gpu-fixtures';

function lines(name: string): string[] {
  return loadGpuFixture(name).text.split('\n').filter((l) => l.trim() !== '');
}

function sampleOf(result: AgentLine): GpuSample {
  if (!result.ok || result.kind !== 'sample') throw new Error(`expected a sample, got ${JSON.stringify(result)}`);
  return result.sample;
}

function sampleLine(gpu: unknown, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ type: 'sample', seq: 7, timeMs: 1_800_000_000_000, container: {}, gpu, ...extra });
}

function expectSampleInvariants(sample: GpuSample): void {
  expect(Number.isSafeInteger(sample.seq)).toBe(true);
  expect(sample.warnings.length).toBeLessThanOrEqual(16);
  const c = sample.container;
  if (c.cpuPercent !== null) expect(c.cpuPercent).toBeGreaterThanOrEqual(0);
  for (const bytes of [c.memoryUsedBytes, c.memoryLimitBytes]) {
    if (bytes !== null) expect(Number.isSafeInteger(bytes) && bytes >= 0).toBe(true);
  }
  if (!sample.gpu.available) {
    expect(sample.gpu.reason.length).toBeGreaterThan(0);
    return;
  }
  expect(sample.gpu.devices.length).toBeLessThanOrEqual(64);
  for (const d of sample.gpu.devices) {
    for (const p of [d.utilizationGpuPercent, d.utilizationMemoryPercent]) {
      if (p !== null) expect(p >= 0 && p <= 100).toBe(true);
    }
    if (d.processes !== null) {
      expect(d.processes.length).toBeLessThanOrEqual(1024);
      for (const process of d.processes) expect(Number.isInteger(process.pid)).toBe(true);
    }
  }
}

describe('parseAgentLine over real agent output (stand-in image, no driver)', () => {
  const [hello, ...samples] = lines('agent-trixie-no-driver.jsonl');

  it('reads the hello', () => {
    const result = parseAgentLine(hello!);
    expect(result).toMatchObject({
      ok: true,
      kind: 'hello',
      hello: {
        agentVersion: '1.0.0', protocol: 1, intervalMs: 200, source: 'none', pidNamespace: 'child',
        cpuSource: 'cgroup1', memorySource: 'cgroup1',
        gpu: { available: false, code: 'no-driver', reason: 'no NVIDIA driver in this environment' },
      },
    });
  });

  it('reads CPU and memory samples and explains the missing GPU', () => {
    expect(samples).toHaveLength(3);
    for (const line of samples) {
      const sample = sampleOf(parseAgentLine(line));
      expect(sample.gpu).toMatchObject({ available: false, code: 'no-driver' });
      expect(sample.gpu.available === false && sample.gpu.hint).toMatch(/GPU access/);
      expect(sample.container.memoryLimitBytes).toBe(1024 ** 3);
      expect(sample.container.memoryLimited).toBe(true);
      expect(sample.container.cpuLimitCores).toBe(1.5);
      expect(sample.container.memoryUsedBytes).toBeGreaterThan(0);
      expect(sample.container.cpuPercent).not.toBeNull();
    }
    expect(samples.map((l) => sampleOf(parseAgentLine(l)).seq)).toEqual([1, 2, 3]);
  });
});

describe('parseAgentLine, NVML-shaped samples (constructed: agent against fake libnvidia-ml)', () => {
  const [, first] = lines('agent-fake-nvml.constructed.jsonl');

  it('keeps values, nulls and per-field driver errors', () => {
    const sample = sampleOf(parseAgentLine(first!));
    expect(sample.gpu.available).toBe(true);
    if (!sample.gpu.available) return;
    const [zero, one] = sample.gpu.devices;
    expect(zero).toMatchObject({
      index: 0, name: 'Fake GPU Zero', utilizationGpuPercent: 93, memoryUsedBytes: 21582495744, pstate: 'P2',
      processes: [{ pid: 4242, usedMemoryBytes: 1073741824 }, { pid: 4343, usedMemoryBytes: null }], errors: {},
    });
    expect(one).toMatchObject({
      utilizationGpuPercent: null, migEnabled: true, processes: null,
      errors: { power: 'GPU is lost', processes: 'Insufficient Permissions' },
    });
    expect(sample.warnings).toEqual([]);
  });
});

describe('parseAgentLine, nvidia-smi fallback samples', () => {
  it('parses the raw CSV the agent passed through, with the field list it sent (real row)', () => {
    const fixture = loadGpuFixture('gpu-utils-83-rtx2080.csv');
    const line = sampleLine({ available: true, source: 'nvidia-smi', fields: fixture.fields, csv: [fixture.text.trim()] });
    const sample = sampleOf(parseAgentLine(line));
    expect(sample.gpu).toMatchObject({ available: true, source: 'nvidia-smi' });
    if (sample.gpu.available) expect(sample.gpu.devices[0]).toMatchObject({ name: 'GeForce RTX 2080', pstate: 'P2' });
  });

  it('turns nvidia-smi\'s own error into an unavailable GPU with advice (real message)', () => {
    const message = loadGpuFixture('nvidia-container-toolkit-1227-nvml-unknown-error.txt').text.trim();
    const sample = sampleOf(parseAgentLine(sampleLine({ available: true, source: 'nvidia-smi', fields: ['index'], csv: [message] })));
    expect(sample.gpu).toMatchObject({ available: false, code: 'nvidia-smi-failed', reason: message });
    expect(!sample.gpu.available && sample.gpu.hint).toMatch(/Recreate the environment/);
  });
});

describe('parseAgentLine rejections', () => {
  it.each([
    ['', 'not a JSON object'],
    ['Welcome to Ubuntu 22.04 LTS', 'not a JSON object'],
    ['{"type":"sample"', 'not a JSON object'],
    ['[1,2]', 'not a JSON object'],
    ['{"type":"bench"}', 'unknown line type "bench"'],
    ['{"type":"hello","protocol":2}', 'unsupported agent protocol 2 (expected 1)'],
    [sampleLine({ available: false, reason: 'x' }, { seq: -1 }), 'sample without a valid seq'],
    [sampleLine({ available: false, reason: 'x' }, { timeMs: 12 }), 'sample without a valid timeMs'],
    [sampleLine({ available: 'yes' }), 'sample without a valid gpu status'],
    [sampleLine({ available: true, source: 'rocm' }), 'sample without a valid gpu status'],
  ])('%s → %s', (line, reason) => {
    expect(parseAgentLine(line)).toEqual({ ok: false, reason });
  });

  it('refuses to parse an oversized line', () => {
    expect(parseAgentLine(`{"pad":"${'x'.repeat(300_000)}"}`)).toEqual({ ok: false, reason: 'line too long' });
  });

  it('treats out-of-range device values as unknown, not clamped', () => {
    const sample = sampleOf(parseAgentLine(sampleLine({
      available: true, source: 'nvml',
      devices: [{ index: 0, utilizationGpuPercent: 140, memoryUsedBytes: -5, temperatureC: 'hot', pstate: 'P99', uuid: 'x' }],
    })));
    if (!sample.gpu.available) throw new Error('expected devices');
    expect(sample.gpu.devices[0]).toMatchObject({
      utilizationGpuPercent: null, memoryUsedBytes: null, temperatureC: null, pstate: null, uuid: null,
    });
  });
});

describe('parseAgentLine properties', () => {
  const realLines = [...lines('agent-trixie-no-driver.jsonl'), ...lines('agent-fake-nvml.constructed.jsonl')];

  it('never throws on arbitrary strings', () => {
    fc.assert(fc.property(fc.string({ maxLength: 500 }), (s) => {
      const result = parseAgentLine(s);
      expect(typeof result.ok).toBe('boolean');
    }), { numRuns: 1000 });
  });

  it('never throws on arbitrary JSON, and anything accepted keeps the invariants', () => {
    const gpuish = fc.record({
      available: fc.constantFrom(true, false, 'x'),
      source: fc.constantFrom('nvml', 'nvidia-smi', 'x'),
      devices: fc.array(fc.dictionary(fc.constantFrom('index', 'utilizationGpuPercent', 'memoryUsedBytes', 'memoryTotalBytes', 'pstate', 'processes', 'errors', 'name'), fc.jsonValue()), { maxLength: 4 }),
      csv: fc.array(fc.string({ maxLength: 80 }), { maxLength: 4 }),
      fields: fc.array(fc.constantFrom('index', 'utilization.gpu', 'memory.used', 'name'), { maxLength: 4 }),
      reason: fc.jsonValue(),
    }, { requiredKeys: [] });
    const line = fc.record({
      type: fc.constantFrom('sample', 'hello', 'x'),
      seq: fc.oneof(fc.integer(), fc.jsonValue()),
      timeMs: fc.oneof(fc.integer({ min: 1_700_000_000_000, max: 1_900_000_000_000 }), fc.jsonValue()),
      protocol: fc.constantFrom(1, 2, '1'),
      source: fc.constantFrom('none', 'nvml', 'nvidia-smi', 'x'),
      container: fc.oneof(fc.jsonValue(), fc.dictionary(fc.constantFrom('cpuPercent', 'cpuCount', 'memoryUsedBytes', 'memoryLimitBytes'), fc.jsonValue())),
      gpu: fc.oneof(gpuish, fc.jsonValue()),
    }, { requiredKeys: [] });
    fc.assert(fc.property(line, (obj) => {
      const result = parseAgentLine(JSON.stringify(obj));
      if (result.ok && result.kind === 'sample') expectSampleInvariants(result.sample);
    }), { numRuns: 1000 });
  });

  it('never throws on mutated real lines', () => {
    fc.assert(fc.property(fc.constantFrom(...realLines), fc.nat(), fc.nat({ max: 40 }), fc.string({ maxLength: 10 }), (line, at, cut, insert) => {
      const i = at % (line.length + 1);
      const result = parseAgentLine(line.slice(0, i) + insert + line.slice(i + cut));
      if (result.ok && result.kind === 'sample') expectSampleInvariants(result.sample);
    }), { numRuns: 1000 });
  });

  it('random keys removed from real samples: rejected with a reason, or still valid', () => {
    const objects = realLines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((o) => o['type'] === 'sample');
    fc.assert(fc.property(fc.constantFrom(...objects), fc.array(fc.constantFrom('seq', 'timeMs', 'container', 'gpu', 'type'), { maxLength: 3 }), (obj, drop) => {
      const copy = { ...obj };
      for (const key of drop) delete copy[key];
      const result = parseAgentLine(JSON.stringify(copy));
      if (result.ok) {
        expect(drop.filter((k) => k !== 'container')).toEqual([]);
        if (result.kind === 'sample') expectSampleInvariants(result.sample);
      } else {
        expect(result.reason.length).toBeGreaterThan(0);
      }
    }), { numRuns: 300 });
  });
});
