/**
 * Validates one line from the in-container agent (media/agent/gpu_env_agent.py, protocol 1)
 * into a typed hello or sample, or a typed rejection. Never throws: the line comes from a
 * process we do not control once it runs (another agent version, a shell printing a banner,
 * a corrupted stream).
 */
import type {
  AgentHello,
  AgentLine,
  ContainerUsage,
  GpuDevice,
  GpuSample,
  GpuStatus,
  GpuUnavailable,
  GpuUnavailableCode,
  PidNamespace,
} from './types';
import {
  type JsonObject,
  MAX_BYTES,
  boundedText,
  finiteIn,
  integerIn,
  isObject,
} from './json-fields';
import { toGpuDevice } from './device-fields';
import { parseNvidiaSmiCsv } from './parse-nvidia-smi-csv';

export const AGENT_PROTOCOL = 1;
/** Longest line we try to parse; the stream drops longer ones before they get here. */
export const MAX_AGENT_LINE_CHARS = 262_144;
const MAX_DEVICES = 64;
const MAX_CSV_LINES = 64;
const MAX_WARNINGS = 16;
// 2000-01-01 .. 2100-01-01: a timestamp outside is a broken clock or a broken line.
const MIN_TIME_MS = 946_684_800_000;
const MAX_TIME_MS = 4_102_444_800_000;

const UNAVAILABLE_CODES: readonly GpuUnavailableCode[] = [
  'no-driver',
  'nvml-init-failed',
  'nvidia-smi-failed',
];

function reject(reason: string): AgentLine {
  return { ok: false, reason };
}

/** What to tell the user for failures we recognise (docs/field notes, GPU monitoring). */
export function hintFor(reason: string): string | null {
  if (/Unknown Error/i.test(reason)) {
    return 'The container has lost access to its GPU (this happens after `systemctl daemon-reload` on the host). Recreate the environment to get it back.';
  }
  if (/no NVIDIA driver|couldn't communicate with the NVIDIA driver/i.test(reason)) {
    return 'Start the environment with GPU access: the NVIDIA driver and container toolkit on a Docker host, or on a Slurm cluster a partition with GPUs; and GPUs asked for.';
  }
  if (/version mismatch/i.test(reason)) {
    return 'The driver was updated without a reboot; reboot the machine the GPUs are in (the Docker host or the compute node).';
  }
  return null;
}

function unavailable(code: GpuUnavailableCode, reason: string): GpuUnavailable {
  return { available: false, code, reason, hint: hintFor(reason) };
}

function toUnavailable(gpu: JsonObject): GpuUnavailable {
  const reason = boundedText(gpu['reason'], 500) ?? 'the agent gave no reason';
  const code = UNAVAILABLE_CODES.find((c) => c === gpu['code']) ?? 'unknown';
  return unavailable(code, reason);
}

function nvmlDevices(value: unknown, warnings: string[]): GpuDevice[] {
  if (!Array.isArray(value)) {
    warnings.push('devices missing');
    return [];
  }
  if (value.length > MAX_DEVICES) warnings.push('device list truncated');
  const devices: GpuDevice[] = [];
  for (const entry of value.slice(0, MAX_DEVICES)) {
    if (isObject(entry)) devices.push(toGpuDevice(entry, warnings));
    else warnings.push('invalid device entry dropped');
  }
  return devices;
}

function smiStatus(gpu: JsonObject, warnings: string[]): GpuStatus {
  const fields = Array.isArray(gpu['fields'])
    ? gpu['fields'].filter((f): f is string => typeof f === 'string').slice(0, 256)
    : [];
  const csv = Array.isArray(gpu['csv'])
    ? gpu['csv'].filter((l): l is string => typeof l === 'string').slice(0, MAX_CSV_LINES)
    : [];
  const parsed = parseNvidiaSmiCsv(csv, { fields });
  for (const rejection of parsed.rejected) warnings.push(`nvidia-smi row: ${rejection.reason}`);
  warnings.push(...parsed.warnings);
  if (parsed.failure !== null && parsed.devices.length === 0) {
    return unavailable('nvidia-smi-failed', parsed.failure);
  }
  return { available: true, source: 'nvidia-smi', devices: [...parsed.devices] };
}

function toGpuStatus(value: unknown, warnings: string[]): GpuStatus | null {
  if (!isObject(value)) return null;
  if (value['available'] === false) return toUnavailable(value);
  if (value['available'] !== true) return null;
  if (value['source'] === 'nvml') {
    return { available: true, source: 'nvml', devices: nvmlDevices(value['devices'], warnings) };
  }
  if (value['source'] === 'nvidia-smi') return smiStatus(value, warnings);
  return null;
}

function toContainerUsage(value: unknown): ContainerUsage {
  const usage = isObject(value) ? value : {};
  const cpuCount = integerIn(usage['cpuCount'], 1, 65_536);
  const memoryUsedBytes = integerIn(usage['memoryUsedBytes'], 0, MAX_BYTES);
  const memoryLimitBytes = integerIn(usage['memoryLimitBytes'], 1, MAX_BYTES);
  return {
    // Percent of one CPU: up to 100 per CPU the container can see.
    cpuPercent: finiteIn(usage['cpuPercent'], 0, (cpuCount ?? 1024) * 100),
    cpuLimitCores: finiteIn(usage['cpuLimitCores'], 0, 65_536),
    cpuCount,
    memoryUsedBytes,
    memoryLimitBytes,
    memoryLimited: usage['memoryLimited'] === true,
  };
}

function toSample(line: JsonObject): AgentLine {
  const seq = integerIn(line['seq'], 0, Number.MAX_SAFE_INTEGER);
  if (seq === null) return reject('sample without a valid seq');
  const timeMs = integerIn(line['timeMs'], MIN_TIME_MS, MAX_TIME_MS);
  if (timeMs === null) return reject('sample without a valid timeMs');
  const warnings: string[] = [];
  const gpu = toGpuStatus(line['gpu'], warnings);
  if (gpu === null) return reject('sample without a valid gpu status');
  const sample: GpuSample = {
    seq,
    timeMs,
    container: toContainerUsage(line['container']),
    gpu,
    warnings: [...new Set(warnings)].slice(0, MAX_WARNINGS),
  };
  return { ok: true, kind: 'sample', sample };
}

function toPidNamespace(value: unknown): PidNamespace {
  return value === 'initial' || value === 'child' ? value : 'unknown';
}

function helloGpu(value: unknown): AgentHello['gpu'] | null {
  if (!isObject(value)) return null;
  if (value['available'] === false) return toUnavailable(value);
  if (value['available'] === true && (value['source'] === 'nvml' || value['source'] === 'nvidia-smi')) {
    return { available: true, source: value['source'] };
  }
  return null;
}

function toHello(line: JsonObject): AgentLine {
  const protocol = integerIn(line['protocol'], 0, 1_000_000);
  if (protocol !== AGENT_PROTOCOL) {
    return reject(`unsupported agent protocol ${String(line['protocol'])} (expected ${AGENT_PROTOCOL})`);
  }
  const gpu = helloGpu(line['gpu']);
  const source = line['source'];
  if (gpu === null || (source !== 'nvml' && source !== 'nvidia-smi' && source !== 'none')) {
    return reject('hello without a valid gpu status');
  }
  const container = isObject(line['container']) ? line['container'] : {};
  const hello: AgentHello = {
    agentVersion: boundedText(line['version'], 32) ?? 'unknown',
    protocol,
    pid: integerIn(line['pid'], 0, Number.MAX_SAFE_INTEGER) ?? 0,
    intervalMs: integerIn(line['intervalMs'], 1, 3_600_000) ?? 0,
    source,
    gpu,
    pidNamespace: toPidNamespace(line['pidNamespace']),
    cpuSource: boundedText(container['cpuSource'], 32) ?? 'none',
    memorySource: boundedText(container['memorySource'], 32) ?? 'none',
  };
  return { ok: true, kind: 'hello', hello };
}

function parseJson(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    return undefined;
  }
}

export function parseAgentLine(line: string): AgentLine {
  if (typeof line !== 'string') return reject('not a string');
  if (line.length > MAX_AGENT_LINE_CHARS) return reject('line too long');
  const trimmed = line.trim();
  if (!trimmed.startsWith('{')) return reject('not a JSON object');
  const value = parseJson(trimmed);
  if (!isObject(value)) return reject('not a JSON object');
  if (value['type'] === 'sample') return toSample(value);
  if (value['type'] === 'hello') return toHello(value);
  return reject(`unknown line type ${JSON.stringify(value['type'])?.slice(0, 40) ?? 'undefined'}`);
}

