import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseNvidiaSmiCsv, type SmiCsvResult } from '../../../../src/core/gpu/parse-nvidia-smi-csv';
import type { GpuDevice } from '../../../../src/core/gpu/types';
import { gpuFixtureNames, loadGpuFixture, realSmiLines } from '../../../support/gpu-fixtures';

const MIB = 1024 * 1024;

function parseFixture(name: string): SmiCsvResult {
  const fixture = loadGpuFixture(name);
  return parseNvidiaSmiCsv(fixture.text, fixture.fields ? { fields: fixture.fields } : {});
}

/** What must hold for any input whatsoever. */
function expectInvariants(result: SmiCsvResult): void {
  expect(result.devices.length).toBeLessThanOrEqual(64);
  expect(result.rejected.length).toBeLessThanOrEqual(32);
  for (const d of result.devices) expectDeviceInvariants(d);
}

function expectDeviceInvariants(d: GpuDevice): void {
  for (const percent of [d.utilizationGpuPercent, d.utilizationMemoryPercent]) {
    if (percent !== null) {
      expect(Number.isFinite(percent)).toBe(true);
      expect(percent).toBeGreaterThanOrEqual(0);
      expect(percent).toBeLessThanOrEqual(100);
    }
  }
  for (const bytes of [d.memoryUsedBytes, d.memoryTotalBytes]) {
    if (bytes !== null) {
      expect(Number.isSafeInteger(bytes)).toBe(true);
      expect(bytes).toBeGreaterThanOrEqual(0);
    }
  }
  if (d.memoryUsedBytes !== null && d.memoryTotalBytes !== null) {
    expect(d.memoryTotalBytes).toBeGreaterThanOrEqual(d.memoryUsedBytes);
  }
  if (d.pstate !== null) expect(d.pstate).toMatch(/^P([0-9]|1[0-5])$/);
  if (d.index !== null) expect(Number.isInteger(d.index)).toBe(true);
  for (const n of [d.temperatureC, d.powerDrawW, d.powerLimitW, d.smClockMHz, d.fanPercent]) {
    if (n !== null) expect(Number.isFinite(n)).toBe(true);
  }
  if (d.name !== null) expect(d.name.length).toBeLessThanOrEqual(128);
}

describe('parseNvidiaSmiCsv over real outputs', () => {
  it('every fixture names its source', () => {
    for (const name of [...gpuFixtureNames('.csv'), ...gpuFixtureNames('.txt'), ...gpuFixtureNames('.jsonl')]) {
      expect(loadGpuFixture(name).source, name).toMatch(/^(https:\/\/github\.com\/|gpu-env's own agent|CONSTRUCTED)/);
    }
  });

  it('[N/A] fan on a newer driver is null, the other columns are read (enkore/i3pystatus#776)', () => {
    const result = parseFixture('i3pystatus-776-na.csv');
    expect(result.rejected).toEqual([]);
    expect(result.devices).toHaveLength(1);
    const d = result.devices[0]!;
    expect(d.memoryTotalBytes).toBe(2004 * MIB);
    expect(d.memoryUsedBytes).toBe(0);
    expect(d.temperatureC).toBe(44);
    expect(d.fanPercent).toBeNull();
    expect(d.utilizationGpuPercent).toBe(0);
    expect(d.utilizationMemoryPercent).toBe(0);
  });

  it('[Not Supported] on an older driver is null the same way', () => {
    const d = parseFixture('i3pystatus-776-not-supported.csv').devices[0]!;
    expect(d.fanPercent).toBeNull();
    expect(d.temperatureC).toBe(44);
  });

  it('bare N/A, field aliases and a P-state (Ricks-Lab/gpu-utils#83, RTX 2080)', () => {
    const result = parseFixture('gpu-utils-83-rtx2080.csv');
    expect(result.rejected).toEqual([]);
    const d = result.devices[0]!;
    expect(d.name).toBe('GeForce RTX 2080');
    expect(d.uuid).toBe('GPU-22b2c6ac-2d49-4863-197c-9c469071178a');
    expect(d.powerLimitW).toBe(200);
    expect(d.powerDrawW).toBe(176.98);
    expect(d.temperatureC).toBe(45);
    expect(d.smClockMHz).toBe(1965);
    expect(d.utilizationGpuPercent).toBe(86);
    expect(d.utilizationMemoryPercent).toBe(55);
    expect(d.fanPercent).toBe(100);
    expect(d.pstate).toBe('P2');
    expect(d.memoryTotalBytes).toBe(7979 * MIB);
    expect(d.memoryUsedBytes).toBeNull();
  });

  it('one row per GPU (three GPUs, power.draw only)', () => {
    const result = parseFixture('gpu-utils-83-power-draw-3-gpus.csv');
    expect(result.devices.map((d) => d.powerDrawW)).toEqual([133.91, 189.84, 104.34]);
  });

  it('header with units, two different GPUs (aristocratos/bpytop#26)', () => {
    const result = parseFixture('bpytop-26-two-gpus.csv');
    expect(result.rejected).toEqual([]);
    expect(result.devices).toHaveLength(2);
    const [a, b] = result.devices;
    expect(a).toMatchObject({
      name: 'GeForce GTX 1080 Ti', fanPercent: 29, memoryTotalBytes: 11175 * MIB, memoryUsedBytes: 2856 * MIB,
      utilizationGpuPercent: 36, temperatureC: 60, powerDrawW: 106.56,
    });
    expect(b).toMatchObject({
      name: 'GeForce GTX 1060 6GB', memoryTotalBytes: 6078 * MIB, memoryUsedBytes: 4 * MIB, utilizationGpuPercent: 0,
      powerDrawW: 5.68,
    });
    // clocks.current.graphics is not the SM clock: not mapped.
    expect(a!.smClockMHz).toBeNull();
  });

  it('MIG-enabled H100, 212 columns, idle: no utilisation, everything else read (nvidia_gpu_exporter capture)', () => {
    const result = parseFixture('nvidia-gpu-exporter-h100-mig-idle.csv');
    expect(result.rejected).toEqual([]);
    expect(result.devices).toHaveLength(1);
    expect(result.devices[0]).toMatchObject({
      index: 0, name: 'NVIDIA H100 80GB HBM3', uuid: 'GPU-00000000-0000-0000-0000-000000000000',
      utilizationGpuPercent: null, utilizationMemoryPercent: null,
      memoryUsedBytes: 59 * MIB, memoryTotalBytes: 81559 * MIB, temperatureC: 42, powerDrawW: 71.15,
      powerLimitW: 700, smClockMHz: 345, fanPercent: null, pstate: 'P0', migEnabled: true, processes: null,
    });
  });

  it('MIG-enabled H100 under load', () => {
    const d = parseFixture('nvidia-gpu-exporter-h100-mig-load.csv').devices[0]!;
    expect(d).toMatchObject({ memoryUsedBytes: 11125 * MIB, powerDrawW: 433.78, smClockMHz: 1980, temperatureC: 53 });
    expect(d.utilizationGpuPercent).toBeNull();
  });

  it.each([
    ['manylinux-cuda-5-smi-failed.txt', /couldn't communicate with the NVIDIA driver/],
    ['nvidia-container-toolkit-1227-nvml-unknown-error.txt', /^Failed to initialize NVML: Unknown Error$/],
  ])('reports what nvidia-smi printed instead of CSV (%s)', (name, message) => {
    const result = parseNvidiaSmiCsv(loadGpuFixture(name).text, { fields: ['index', 'name'] });
    expect(result.devices).toEqual([]);
    expect(result.failure).toMatch(message);
  });

  it('rejects rows when neither a header nor a field list says what the columns are', () => {
    const result = parseNvidiaSmiCsv(loadGpuFixture('i3pystatus-776-na.csv').text);
    expect(result.devices).toEqual([]);
    expect(result.rejected).toEqual([{ line: 1, reason: 'no header line and no field list' }]);
  });

  it('rejects a row with a missing cell instead of shifting the columns', () => {
    const fixture = loadGpuFixture('i3pystatus-776-na.csv');
    const result = parseNvidiaSmiCsv('2004, 2004, 0, 44, 0, 0', { fields: fixture.fields! });
    expect(result.devices).toEqual([]);
    expect(result.rejected[0]?.reason).toBe('expected 7 cells, found 6');
  });

  // CONSTRUCTED: no real output with a comma in a GPU name was found; nvidia-smi does not quote.
  it('gives surplus cells back to the name column (constructed input)', () => {
    const result = parseNvidiaSmiCsv('0, Vendor GPU, Rev 2, 55', { fields: ['index', 'name', 'utilization.gpu'] });
    expect(result.devices[0]).toMatchObject({ index: 0, name: 'Vendor GPU, Rev 2', utilizationGpuPercent: 55 });
  });

  it('drops a value whose unit does not match the column (constructed input)', () => {
    const result = parseNvidiaSmiCsv('memory.used [MiB], power.draw [W]\n12 GiB, 30 MHz');
    expect(result.devices[0]).toMatchObject({ memoryUsedBytes: null, powerDrawW: null });
  });
});

describe('parseNvidiaSmiCsv properties', () => {
  const realLines = realSmiLines();
  const h100 = loadGpuFixture('nvidia-gpu-exporter-h100-mig-load.csv').text.trim().split('\n');
  const header = h100[0]!.split(', ');
  const row = h100[1]!.split(', ');

  it('never throws on arbitrary text, with or without a field list', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), fc.option(fc.array(fc.string({ maxLength: 20 }), { maxLength: 15 })), (text, fields) => {
        expectInvariants(parseNvidiaSmiCsv(text, fields ? { fields } : {}));
      }),
      { numRuns: 500 },
    );
  });

  it('never throws on mutated real lines, and keeps every invariant', () => {
    const mutation = fc.record({
      line: fc.constantFrom(...realLines),
      at: fc.nat(),
      cut: fc.nat({ max: 20 }),
      insert: fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom(',', ', ', '[N/A]', '-1', '1e309', '999 %', 'NaN', '\u0000', '\n')),
    });
    fc.assert(
      fc.property(mutation, fc.constantFrom(undefined, ['index', 'name', 'utilization.gpu', 'memory.used', 'memory.total']), (m, fields) => {
        const at = m.at % (m.line.length + 1);
        const mutated = m.line.slice(0, at) + m.insert + m.line.slice(at + m.cut);
        expectInvariants(parseNvidiaSmiCsv(`${h100[0]}\n${mutated}`));
        expectInvariants(parseNvidiaSmiCsv(mutated, fields ? { fields } : {}));
      }),
      { numRuns: 500 },
    );
  });

  it('a row missing random cells is rejected, never misread', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.nat({ max: row.length - 1 }), { minLength: 1, maxLength: 20 }), (drops) => {
        const kept = row.filter((_, i) => !drops.includes(i));
        const result = parseNvidiaSmiCsv(`${h100[0]}\n${kept.join(', ')}`);
        expect(result.devices).toEqual([]);
        expect(result.rejected).toHaveLength(1);
      }),
      { numRuns: 200 },
    );
  });

  it('dropping the same columns from header and row leaves the other values unchanged', () => {
    const full = parseNvidiaSmiCsv(h100.join('\n')).devices[0]!;
    fc.assert(
      fc.property(fc.uniqueArray(fc.nat({ max: header.length - 1 }), { maxLength: 60 }), (drops) => {
        const keep = (_: string, i: number) => !drops.includes(i);
        const result = parseNvidiaSmiCsv(`${header.filter(keep).join(', ')}\n${row.filter(keep).join(', ')}`);
        expect(result.rejected).toEqual([]);
        const d = result.devices[0]!;
        const dropped = new Set(drops.map((i) => header[i]!.replace(/ \[.*\]$/, '')));
        if (!dropped.has('memory.used')) expect(d.memoryUsedBytes).toBe(full.memoryUsedBytes);
        if (!dropped.has('temperature.gpu')) expect(d.temperatureC).toBe(full.temperatureC);
        if (!dropped.has('pstate')) expect(d.pstate).toBe(full.pstate);
        if (!dropped.has('name')) expect(d.name).toBe(full.name);
        if (!dropped.has('clocks.current.sm')) expect(d.smClockMHz).toBe(full.smClockMHz);
        if (dropped.has('power.draw')) expect(d.powerDrawW).toBeNull();
        else expect(d.powerDrawW).toBe(full.powerDrawW);
      }),
      { numRuns: 200 },
    );
  });

  it('with and without units read the same numbers (constructed values)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 100 }), fc.integer({ min: 0, max: 200_000 }), fc.integer({ min: 0, max: 100_000 }), (util, mib, centiwatts) => {
        const watts = (centiwatts / 100).toFixed(2);
        const withUnits = parseNvidiaSmiCsv(`utilization.gpu [%], memory.used [MiB], power.draw [W]\n${util} %, ${mib} MiB, ${watts} W`);
        const bare = parseNvidiaSmiCsv(`${util}, ${mib}, ${watts}`, { fields: ['utilization.gpu', 'memory.used', 'power.draw'] });
        expect(withUnits.devices).toEqual(bare.devices);
        expect(bare.devices[0]).toMatchObject({ utilizationGpuPercent: util, memoryUsedBytes: mib * MIB, powerDrawW: Number(watts) });
      }),
      { numRuns: 200 },
    );
  });

  it('utilisation outside 0..100 becomes null, never a clamped guess', () => {
    fc.assert(
      fc.property(fc.oneof(fc.integer({ min: 101, max: 10_000 }), fc.integer({ min: -10_000, max: -1 })), (value) => {
        const d = parseNvidiaSmiCsv(`${value}`, { fields: ['utilization.gpu'] }).devices[0];
        expect(d?.utilizationGpuPercent ?? null).toBeNull();
      }),
    );
  });
});
