/**
 * One place that decides what a valid GPU device reading is, shared by the NVML path (agent
 * JSON) and the nvidia-smi CSV path, so both sources obey the same invariants.
 */
import type { GpuDevice, GpuProcess } from './types';
import { MAX_BYTES, boundedText, booleanOrNull, finiteIn, integerIn, isObject } from './json-fields';

/** Untrusted values for each device field, before validation. */
export type DeviceCandidate = { readonly [K in keyof GpuDevice]?: unknown };

export const MAX_PROCESSES_PER_DEVICE = 1024;
const MAX_ERRORS_PER_DEVICE = 16;
const MAX_PID = 4_194_304; // Linux pid_max ceiling (2^22)

// Ranges wide enough for any real GPU; a value outside is a parse or driver fault.
const RANGE = {
  index: [0, 1023],
  percent: [0, 100],
  // NVML documents that fan speed "may exceed 100% in certain cases".
  fanPercent: [0, 255],
  temperatureC: [-60, 200],
  powerW: [0, 10_000],
  clockMHz: [0, 100_000],
} as const;

export function toGpuProcess(value: unknown): GpuProcess | null {
  if (!isObject(value)) return null;
  const pid = integerIn(value['pid'], 0, MAX_PID);
  if (pid === null) return null;
  return { pid, usedMemoryBytes: integerIn(value['usedMemoryBytes'], 0, MAX_BYTES) };
}

function toProcesses(value: unknown, warnings: string[]): readonly GpuProcess[] | null {
  if (!Array.isArray(value)) return null;
  if (value.length > MAX_PROCESSES_PER_DEVICE) warnings.push('process list truncated');
  const processes: GpuProcess[] = [];
  for (const entry of value.slice(0, MAX_PROCESSES_PER_DEVICE)) {
    const process = toGpuProcess(entry);
    if (process === null) warnings.push('invalid process entry dropped');
    else processes.push(process);
  }
  return processes;
}

function toErrors(value: unknown): Readonly<Record<string, string>> {
  if (!isObject(value)) return {};
  const errors: Record<string, string> = {};
  for (const [key, message] of Object.entries(value).slice(0, MAX_ERRORS_PER_DEVICE)) {
    const field = boundedText(key, 40);
    const text = boundedText(message, 200);
    if (field !== null && text !== null) errors[field] = text;
  }
  return errors;
}

export function toPstate(value: unknown): string | null {
  return typeof value === 'string' && /^P(?:[0-9]|1[0-5])$/.test(value) ? value : null;
}

export function toUuid(value: unknown): string | null {
  return typeof value === 'string' && /^(?:GPU|MIG)-[0-9A-Za-z-]{1,120}$/.test(value) ? value : null;
}

export function toGpuDevice(candidate: DeviceCandidate, warnings: string[]): GpuDevice {
  const memoryUsedBytes = integerIn(candidate.memoryUsedBytes, 0, MAX_BYTES);
  const memoryTotalBytes = integerIn(candidate.memoryTotalBytes, 0, MAX_BYTES);
  return {
    index: integerIn(candidate.index, ...RANGE.index),
    uuid: toUuid(candidate.uuid),
    name: boundedText(candidate.name, 128),
    utilizationGpuPercent: finiteIn(candidate.utilizationGpuPercent, ...RANGE.percent),
    utilizationMemoryPercent: finiteIn(candidate.utilizationMemoryPercent, ...RANGE.percent),
    memoryUsedBytes,
    // A total below what is used cannot be right; keep "used" (what users watch) and drop total.
    memoryTotalBytes:
      memoryTotalBytes !== null && memoryUsedBytes !== null && memoryTotalBytes < memoryUsedBytes
        ? null
        : memoryTotalBytes,
    temperatureC: finiteIn(candidate.temperatureC, ...RANGE.temperatureC),
    powerDrawW: finiteIn(candidate.powerDrawW, ...RANGE.powerW),
    powerLimitW: finiteIn(candidate.powerLimitW, ...RANGE.powerW),
    smClockMHz: finiteIn(candidate.smClockMHz, ...RANGE.clockMHz),
    fanPercent: finiteIn(candidate.fanPercent, ...RANGE.fanPercent),
    pstate: toPstate(candidate.pstate),
    migEnabled: booleanOrNull(candidate.migEnabled),
    processes: toProcesses(candidate.processes, warnings),
    errors: toErrors(candidate.errors),
  };
}
