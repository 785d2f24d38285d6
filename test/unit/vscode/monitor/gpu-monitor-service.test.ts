import { describe, expect, it } from 'vitest';
import type { MonitorEvent, MonitorStream } from '../../../../src/core/gpu/monitor-stream';
import { parseAgentLine } from '../../../../src/core/gpu/parse-agent-line';
import type { GpuSample } from '../../../../src/core/gpu/types';
import type { GpuReading } from '../../../../src/shared/gpu-reading';
import { usageError } from '../../../../src/shared/errors';
import { formatOnly } from '../../../support/format-only';
import { localApi } from '../../../../src/core/local-api';
import { GpuMonitorService } from '../../../../src/vscode/monitor/gpu-monitor-service';
import { FakeStatusBar, RecordingLog, settle } from '../../../support/extension-fakes';

function agentSample(line: Record<string, unknown>): GpuSample {
  const parsed = parseAgentLine(JSON.stringify({ type: 'sample', seq: 1, timeMs: 1_800_000_000_000, ...line }));
  if (!parsed.ok || parsed.kind !== 'sample') throw new Error(`not a sample: ${JSON.stringify(parsed)}`);
  return parsed.sample;
}

const GIB = 1024 ** 3;
const GPU_SAMPLE = agentSample({
  container: { cpuPercent: 120, cpuCount: 8, memoryUsedBytes: 3 * GIB, memoryLimitBytes: 16 * GIB, memoryLimited: true },
  gpu: { available: true, source: 'nvml', devices: [{ index: 0, name: 'RTX 4090', utilizationGpuPercent: 93, memoryUsedBytes: Math.round(20.1 * GIB), memoryTotalBytes: 24 * GIB }] },
});
const CPU_SAMPLE = agentSample({
  container: { cpuPercent: 150, cpuCount: 2, memoryUsedBytes: Math.round(3.2 * GIB), memoryLimitBytes: 16 * GIB, memoryLimited: true },
  gpu: { available: false, code: 'no-driver', reason: 'no NVIDIA driver in this environment' },
});

class Harness {
  statusBarEnvironment: string | undefined;
  running: string[] = [];
  interval: () => number = () => 1000;
  readonly bar = new FakeStatusBar();
  readonly readings: GpuReading[] = [];
  readonly started: Array<{ environment: string; intervalMs: number; stopped: boolean; emit: (e: MonitorEvent) => void }> = [];
  readonly log = new RecordingLog();
  readonly service = new GpuMonitorService({
    core: async () => localApi,
    startStream: async (environment, intervalMs, onEvent) => {
      const entry = { environment, intervalMs, stopped: false, emit: onEvent };
      this.started.push(entry);
      const stream: MonitorStream = {
        done: Promise.resolve(),
        stop: async () => void (entry.stopped = true),
        stats: () => ({ samples: 0, rejectedLines: 0, oversizedLines: 0, partialLinesDropped: 0, attaches: 0, failedAttaches: 0, gaps: 0 }),
      };
      return stream;
    },
    statusBarEnvironment: () => this.statusBarEnvironment,
    runningEnvironments: () => this.running,
    intervalMs: () => this.interval(),
    defaultIntervalMs: 1000,
    statusBar: this.bar,
    onReading: (reading) => void this.readings.push(reading),
    t: formatOnly,
    log: this.log,
  });

  active(): Array<[string, number]> {
    return this.started.filter((s) => !s.stopped).map((s) => [s.environment, s.intervalMs]);
  }
}

describe('GPU monitor stream', () => {
  it('samples nothing until the status bar shows an environment or the view is visible', async () => {
    const h = new Harness();
    h.running = ['a'];
    h.service.update();
    expect(h.started).toEqual([]);
    h.service.setViewVisible(true);
    expect(h.active()).toEqual([['a', 1000]]);
    h.service.setViewVisible(false);
    await settle();
    expect(h.active()).toEqual([]);
    expect(h.bar.shown).toBeUndefined();
  });

  it('follows the status bar\'s environment, and with the view alone only a single running one', async () => {
    const h = new Harness();
    h.running = ['a', 'b'];
    h.service.setViewVisible(true);
    expect(h.started).toEqual([]); // which one? none is the status bar's
    h.statusBarEnvironment = 'b';
    h.service.update();
    expect(h.active()).toEqual([['b', 1000]]);
    h.service.update();
    expect(h.started).toHaveLength(1); // no restart when nothing changed
    h.statusBarEnvironment = undefined;
    h.service.setViewVisible(false);
    await settle();
    expect(h.active()).toEqual([]);
  });

  it('restarts with the new interval, and falls back to the default for a bad setting', async () => {
    const h = new Harness();
    h.statusBarEnvironment = 'a';
    h.service.update();
    h.interval = () => 5000;
    h.service.update();
    await settle();
    expect(h.active()).toEqual([['a', 5000]]);
    h.interval = () => {
      throw usageError('gpuEnv.monitor.intervalMs: "fast" is not a duration');
    };
    h.service.update();
    await settle();
    expect(h.active()).toEqual([['a', 1000]]);
    expect(h.log.lines).toContain('warn gpuEnv.monitor.intervalMs: "fast" is not a duration; sampling every 1000 ms');
  });

  it('puts "GPU 93% · 20.1/24 GB" in the status bar, opening the dashboard, and feeds the readings on', async () => {
    const h = new Harness();
    h.statusBarEnvironment = 'a';
    h.service.update();
    expect(h.bar.shown?.text).toBe('GPU …');
    await settle();
    h.started[0]!.emit({ kind: 'sample', sample: GPU_SAMPLE, receivedAtMs: 1_800_000_000_500 });
    expect(h.bar.shown).toMatchObject({ text: 'GPU 93% · 20.1/24 GB', command: { id: 'gpuEnv.openDashboard', args: [] } });
    expect(h.bar.shown?.tooltip).toContain('GPU 0 RTX 4090: 93%');
    expect(h.readings).toEqual([expect.objectContaining({ env: 'a', time: 1_800_000_000.5, devices: [expect.objectContaining({ utilPct: 93 })] })]);
  });

  it('without a driver: CPU and memory instead, and the reason reaches the monitor\'s reading', async () => {
    const h = new Harness();
    h.statusBarEnvironment = 'a';
    h.service.update();
    await settle();
    h.started[0]!.emit({ kind: 'sample', sample: CPU_SAMPLE, receivedAtMs: 1_800_000_000_000 });
    expect(h.bar.shown?.text).toBe('CPU 150% · 3.2/16 GB');
    expect(h.readings[0]!.noGpuReason).toMatch(/^no NVIDIA driver in this environment/);
  });

  it('a gap breaks the lines and says since when there is no data', async () => {
    const h = new Harness();
    h.statusBarEnvironment = 'a';
    h.service.update();
    await settle();
    h.started[0]!.emit({ kind: 'sample', sample: GPU_SAMPLE, receivedAtMs: 1_800_000_000_000 });
    h.started[0]!.emit({ kind: 'gap', atMs: 1_800_000_003_000, lastSampleAtMs: 1_800_000_000_000, reason: 'SSH connection closed' });
    expect(h.readings[1]).toMatchObject({ time: 1_800_000_003, cpuPct: null, devices: [expect.objectContaining({ utilPct: null, memUsedMiB: null, memTotalMiB: 24 * 1024 })] });
    expect(h.bar.shown?.text).toBe('GPU —');
    expect(h.bar.shown?.tooltip).toMatch(/^No GPU sample from a since .*: SSH connection closed$/);
  });

  it('ignores events of a stream it has already replaced', async () => {
    const h = new Harness();
    h.statusBarEnvironment = 'a';
    h.service.update();
    h.statusBarEnvironment = 'b';
    h.service.update();
    await settle();
    h.started[0]!.emit({ kind: 'sample', sample: GPU_SAMPLE, receivedAtMs: 1 });
    expect(h.readings).toEqual([]);
    h.service.dispose();
    await settle();
    expect(h.active()).toEqual([]);
  });
});
