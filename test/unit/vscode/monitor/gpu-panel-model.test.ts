import { describe, expect, it } from 'vitest';
import { GpuPanelModel } from '../../../../src/vscode/monitor/gpu-panel-model';
import type { GpuReading } from '../../../../src/shared/gpu-reading';
import { parseMonitorHostMessage } from '../../../../src/shared/protocol/monitor';

function reading(time: number, util: number | null, extra: Partial<GpuReading> = {}): GpuReading {
  return {
    time,
    env: 'demo',
    devices: [{ index: 0, name: 'NVIDIA A100\n80GB', utilPct: util, memUsedMiB: 2048, memTotalMiB: 8192, tempC: 55, powerW: NaN, powerLimitW: 400, runId: 'r1' }],
    cpuPct: 250,
    memUsedMiB: 1000,
    memTotalMiB: 16000,
    noGpuReason: null,
    ...extra,
  };
}

describe('GpuPanelModel', () => {
  it('builds cards with a sparkline of the last five minutes and gaps where sampling paused', () => {
    const model = new GpuPanelModel((id) => (id === 'r1' ? 'ResNet <b>18</b>' : undefined));
    for (let t = 0; t < 400; t++) if (t < 200 || t > 210) model.update(reading(t, t % 100));
    const snap = model.snapshot(400);
    const card = snap.cards[0]!;
    expect(card.spark.t[0]).toBeGreaterThanOrEqual(99);
    expect(card.spark.t.at(-1)).toBe(399);
    expect(card.spark.util).toContain(null);
    expect(card.spark.mem[0]).toBe(25);
    expect(card.powerW).toBeNull(); // NaN from the sampler is "unknown", not a number
    expect(card.name).toBe('NVIDIA A100 80GB');
    expect(card.run).toEqual({ id: 'r1', label: 'ResNet <b>18</b>' });
    expect(snap.stale).toBe(false);
    expect(parseMonitorHostMessage({ type: 'gpu', snapshot: snap })).toBeDefined();
  });

  it('marks old figures stale and passes the no-GPU reason through', () => {
    const model = new GpuPanelModel();
    expect(model.snapshot(0)).toMatchObject({ time: null, cards: [] });
    model.update(reading(10, 5, { devices: [], noGpuReason: 'Docker has no NVIDIA runtime (docker info lists runtimes: runc)' }));
    const snap = model.snapshot(30);
    expect(snap.stale).toBe(true);
    expect(snap.noGpuReason).toMatch(/no NVIDIA runtime/);
    expect(parseMonitorHostMessage({ type: 'gpu', snapshot: snap })).toBeDefined();
  });
});
