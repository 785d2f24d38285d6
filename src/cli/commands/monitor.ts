import { gpuAttribution, holderName, openEnvironmentSession, type GpuAttribution } from '../../core/api';
import type { SshSession } from '../../core/ssh/session';
import { validateName } from '../../core/validate';
import { formatMs } from '../../core/util/abort';
import { agentInvocation, loadAgentScript } from '../../core/gpu/agent-invocation';
import { formatGiB, formatMemoryPair, formatNumber, formatPercent } from '../../core/gpu/format';
import { type MonitorEvent, startMonitorStream } from '../../core/gpu/monitor-stream';
import { DEFAULT_SAMPLE_INTERVAL_MS, parseSampleInterval } from '../../core/gpu/sample-interval';
import { statusText } from '../../core/gpu/status-text';
import type { AgentHello, GpuDevice, GpuSample } from '../../core/gpu/types';
import type { CliCommand, CliIo } from '../command';
import { JSON_OPTION, parseCommandArgs, requireName, stringOption } from '../args';
import { HOST_USAGE, REMOTE_HOST_OPTIONS, remoteContext } from '../host-options';
import { table } from '../format';

const usage = `gpu-env monitor NAME [--once] [--json] [--interval MS] ${HOST_USAGE}`;

/** What the command needs from the outside world; tests replace it. */
export interface MonitorDeps {
  openSession(name: string, options: { readonly host: string | undefined; readonly acceptNewHostKey: boolean; readonly signal: AbortSignal; readonly io: CliIo }): Promise<SshSession>;
  loadAgentScript(): string;
  now(): number;
  /** How long --once waits for its sample. */
  readonly onceTimeoutMs: number;
  /** Who each GPU belongs to (its run, the environments holding it); absent: not looked up. */
  attribution?(name: string, options: { readonly host: string | undefined; readonly acceptNewHostKey: boolean; readonly io: CliIo }): GpuAttribution;
}

const defaultDeps: MonitorDeps = {
  openSession: (name, { host, acceptNewHostKey, signal, io }) =>
    openEnvironmentSession(name, {
      context: remoteContext({ ...io, signal: AbortSignal.any([io.signal, signal]) }, { 'accept-new-host-key': acceptNewHostKey }, undefined, host),
    }),
  loadAgentScript: () => loadAgentScript(),
  now: Date.now,
  onceTimeoutMs: 60_000,
  attribution: (name, { host, acceptNewHostKey, io }) =>
    gpuAttribution(name, remoteContext(io, { 'accept-new-host-key': acceptNewHostKey }, undefined, host)),
};

type OutputMode = 'json' | 'live' | 'lines' | 'once-table';

interface MonitorRequest {
  readonly name: string;
  readonly host: string | undefined;
  readonly acceptNewHostKey: boolean;
  readonly intervalMs: number;
  readonly once: boolean;
  readonly mode: OutputMode;
}

// ---- rendering ------------------------------------------------------------------------------

function deviceRow(d: GpuDevice): string[] {
  const power = d.powerDrawW === null ? '–' : `${d.powerDrawW.toFixed(0)}${d.powerLimitW === null ? '' : `/${d.powerLimitW.toFixed(0)}`} W`;
  return [
    String(d.index ?? '?'),
    d.name ?? '?',
    formatPercent(d.utilizationGpuPercent),
    formatMemoryPair(d.memoryUsedBytes, d.memoryTotalBytes) ?? '–',
    formatNumber(d.temperatureC, '°C'),
    power,
    formatNumber(d.smClockMHz, ' MHz'),
    formatPercent(d.fanPercent),
    d.pstate ?? '–',
  ];
}

function processLines(devices: readonly GpuDevice[]): string[] {
  return devices.flatMap((d) => {
    if (d.processes === null || d.processes.length === 0) return [];
    const list = d.processes.slice(0, 8).map((p) => (p.usedMemoryBytes === null ? `${p.pid}` : `${p.pid} (${formatGiB(p.usedMemoryBytes)} GB)`));
    const more = d.processes.length > 8 ? ` and ${d.processes.length - 8} more` : '';
    return [`GPU ${d.index ?? '?'} processes (pids as NVML reports them): ${list.join(', ')}${more}`];
  });
}

function containerLine(sample: GpuSample): string {
  const c = sample.container;
  const limit = c.cpuLimitCores === null ? '' : ` of ${c.cpuLimitCores} cores`;
  const memory = formatMemoryPair(c.memoryUsedBytes, c.memoryLimitBytes) ?? '–';
  return `CPU ${formatPercent(c.cpuPercent)}${limit} · memory ${memory}${c.memoryLimited ? '' : ' (no container limit)'}`;
}

/** Per GPU: the run using it and who holds it, as far as they are known yet. */
export interface DeviceAttribution {
  readonly index: number | null;
  readonly uuid: string | null;
  readonly run: { readonly id: string; readonly label: string | null } | null;
  readonly holders: readonly { readonly environment: string | null; readonly owner: string | null; readonly container: string; readonly self: boolean }[];
}

function attributionOf(sample: GpuSample, attribution: GpuAttribution | undefined): DeviceAttribution[] | null {
  if (!attribution || !sample.gpu.available) return null;
  return sample.gpu.devices.map((device, position) => {
    const run = attribution.runFor(device);
    return { index: device.index, uuid: device.uuid, run: run ? { id: run.runId, label: run.label } : null, holders: attribution.holdersFor(device, position) };
  });
}

function attributionLines(devices: readonly DeviceAttribution[] | null): string[] {
  return (devices ?? []).flatMap((d) => {
    const parts = [
      ...(d.run ? [`run ${d.run.label ? `${d.run.label} (${d.run.id})` : d.run.id}`] : []),
      ...(d.holders.length > 0 ? [`held by ${d.holders.map((h) => `${holderName(h)}${h.self ? ' (this one)' : ''}`).join(', ')}`] : []),
    ];
    return parts.length > 0 ? [`GPU ${d.index ?? '?'}: ${parts.join(' · ')}`] : [];
  });
}

export function renderMonitorTable(name: string, sample: GpuSample, hello: AgentHello | null, note: string | null, devices: readonly DeviceAttribution[] | null = null): string {
  const source = sample.gpu.available ? sample.gpu.source : 'none';
  const lines = [`${name} · ${new Date(sample.timeMs).toISOString().slice(11, 19)} · GPU source ${source}${hello ? ` · every ${formatMs(hello.intervalMs)}` : ''}`];
  if (sample.gpu.available) {
    lines.push(table(['GPU', 'NAME', 'UTIL', 'MEMORY', 'TEMP', 'POWER', 'SM CLOCK', 'FAN', 'PSTATE'], sample.gpu.devices.map(deviceRow)).trimEnd());
    lines.push(...processLines(sample.gpu.devices));
    lines.push(...attributionLines(devices));
  } else {
    lines.push(`No GPU: ${sample.gpu.reason}`);
    if (sample.gpu.hint) lines.push(sample.gpu.hint);
  }
  lines.push(containerLine(sample));
  if (note) lines.push(note);
  return `${lines.join('\n')}\n`;
}

/** Redraws a block of lines in place on a terminal: cursor up over the last block, clear below. */
class LiveBlock {
  private height = 0;

  constructor(private readonly out: NodeJS.WritableStream) {}

  draw(text: string): void {
    const up = this.height > 0 ? `\x1b[${this.height}F\x1b[0J` : '';
    this.out.write(up + text);
    this.height = text.split('\n').length - 1;
  }
}

// ---- the command ----------------------------------------------------------------------------

function parseRequest(argv: readonly string[], io: CliIo): MonitorRequest {
  const options = { ...REMOTE_HOST_OPTIONS, ...JSON_OPTION, once: { type: 'boolean' as const }, interval: { type: 'string' as const } };
  const { values, positionals } = parseCommandArgs(argv, options, usage);
  const name = validateName('NAME', requireName(positionals, usage));
  const raw = stringOption(values, 'interval');
  const intervalMs = raw === undefined ? DEFAULT_SAMPLE_INTERVAL_MS : parseSampleInterval('--interval', raw);
  const once = values['once'] === true;
  const json = values['json'] === true;
  const mode: OutputMode = json ? 'json' : once ? 'once-table' : io.isTTY ? 'live' : 'lines';
  return { name, host: stringOption(values, 'host'), acceptNewHostKey: values['accept-new-host-key'] === true, intervalMs, once, mode };
}

class MonitorView {
  private hello: AgentHello | null = null;
  private lastSample: GpuSample | null = null;
  private lastReceivedAtMs = 0;
  private lastReason = 'no answer yet';
  private readonly live: LiveBlock;

  constructor(private readonly request: MonitorRequest, private readonly io: CliIo, private readonly attribution?: GpuAttribution) {
    this.live = new LiveBlock(io.stderr);
  }

  /** Returns true when the command is done (--once got its sample). */
  handle(event: MonitorEvent): boolean {
    switch (event.kind) {
      case 'hello':
        this.hello = event.hello;
        this.attribution?.setHello(event.hello);
        return false;
      case 'sample':
        this.attribution?.observe(event.sample);
        this.lastSample = event.sample;
        this.lastReceivedAtMs = event.receivedAtMs;
        // --once with attribution prints after the lookups (showLast), so the one sample has them.
        if (!(this.request.once && this.attribution)) this.showSample(event.sample, event.receivedAtMs);
        return this.request.once;
      case 'gap':
        this.lastReason = event.reason;
        if (this.request.mode === 'json') {
          const { atMs, lastSampleAtMs, reason } = event;
          this.io.stdout.write(`${JSON.stringify({ type: 'gap', env: this.request.name, atMs, lastSampleAtMs, reason })}\n`);
        }
        return false;
      case 'waiting':
        this.lastReason = event.reason;
        this.showWaiting(event.delayMs);
        return false;
      default:
        return false;
    }
  }

  get reason(): string {
    return this.lastReason;
  }

  /** --once with attribution: the sample, once who its GPUs belong to is known (or after a bound). */
  async showLast(boundMs: number): Promise<void> {
    if (!(this.request.once && this.attribution) || this.lastSample === null) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.attribution.settled(), new Promise((resolve) => (timer = setTimeout(resolve, boundMs)))]);
    clearTimeout(timer);
    this.showSample(this.lastSample, this.lastReceivedAtMs);
  }

  private showSample(sample: GpuSample, receivedAtMs: number): void {
    const { mode, name } = this.request;
    const devices = attributionOf(sample, this.attribution);
    if (mode === 'json') {
      const attribution = devices ? { attribution: { devices, cannotMap: this.attribution?.cannotMap ?? null } } : {};
      this.io.stdout.write(`${JSON.stringify({ type: 'sample', env: name, receivedAtMs, ...sample, ...attribution })}\n`);
    } else if (mode === 'live') {
      this.live.draw(renderMonitorTable(name, sample, this.hello, null, devices));
    } else if (mode === 'once-table') {
      this.io.stdout.write(renderMonitorTable(name, sample, this.hello, null, devices));
    } else {
      const gpu = sample.gpu.available ? `${statusText(sample)} · ` : '';
      this.io.stdout.write(`${new Date(sample.timeMs).toISOString()} ${gpu}${containerLine(sample)}\n`);
    }
  }

  private showWaiting(delayMs: number): void {
    const note = `reconnecting in ${formatMs(delayMs)}: ${this.lastReason}`;
    if (this.request.mode === 'live' && this.lastSample) {
      this.live.draw(renderMonitorTable(this.request.name, this.lastSample, this.hello, note, attributionOf(this.lastSample, this.attribution)));
    } else {
      this.io.stderr.write(`gpu-env monitor: ${note}\n`);
    }
  }
}

const TIMED_OUT = 'timed-out';
/** How long --once waits for the run and holders of its sample's GPUs. */
const ATTRIBUTION_BOUND_MS = 15_000;

async function runMonitor(request: MonitorRequest, io: CliIo, deps: MonitorDeps): Promise<number> {
  const attribution = deps.attribution?.(request.name, { host: request.host, acceptNewHostKey: request.acceptNewHostKey, io });
  const view = new MonitorView(request, io, attribution);
  let finish!: (code: number | typeof TIMED_OUT) => void;
  const finished = new Promise<number | typeof TIMED_OUT>((resolve) => (finish = resolve));
  const stream = startMonitorStream({
    openSession: (signal) => deps.openSession(request.name, { host: request.host, acceptNewHostKey: request.acceptNewHostKey, signal, io }),
    agent: agentInvocation(deps.loadAgentScript(), request.intervalMs),
    onEvent: (event) => {
      if (view.handle(event)) finish(0);
    },
    now: deps.now,
  });
  // Ctrl-C is how a live monitor is meant to end; for --once it means no sample came.
  const onAbort = (): void => finish(request.once ? 130 : 0);
  if (io.signal.aborted) onAbort();
  io.signal.addEventListener('abort', onAbort, { once: true });
  const deadline = request.once ? setTimeout(() => finish(TIMED_OUT), deps.onceTimeoutMs) : undefined;
  const code = await finished;
  clearTimeout(deadline);
  io.signal.removeEventListener('abort', onAbort);
  await stream.stop();
  if (code === 0) await view.showLast(ATTRIBUTION_BOUND_MS);
  attribution?.dispose();
  if (code === TIMED_OUT) {
    io.stderr.write(`gpu-env monitor: no sample from ${request.name} within ${formatMs(deps.onceTimeoutMs)}: ${view.reason}\n`);
    return 1;
  }
  return code;
}

export function createMonitorCommand(deps: MonitorDeps = defaultDeps): CliCommand {
  return {
    name: 'monitor',
    usage,
    run: (argv, io) => runMonitor(parseRequest(argv, io), io, deps),
  };
}

export const monitorCommand: CliCommand = createMonitorCommand();
