/**
 * The monitor's sampling interval, validated the same way for the CLI flag (`--interval`) and a
 * VS Code setting. NVML averages utilisation over 1/6 s to 1 s, so faster than 100 ms shows noise,
 * not detail; slower than a minute is not a live monitor.
 */
import { usageError } from '../errors';

export const MIN_SAMPLE_INTERVAL_MS = 100;
export const MAX_SAMPLE_INTERVAL_MS = 60_000;
export const DEFAULT_SAMPLE_INTERVAL_MS = 1000;

export function parseSampleInterval(field: string, value: string): number {
  const ms = /^\d{1,9}$/.test(value.trim()) ? Number(value.trim()) : NaN;
  if (!Number.isInteger(ms) || ms < MIN_SAMPLE_INTERVAL_MS || ms > MAX_SAMPLE_INTERVAL_MS) {
    throw usageError(
      `${field}: "${value}" is not a sampling interval; use an integer number of milliseconds from ${MIN_SAMPLE_INTERVAL_MS} to ${MAX_SAMPLE_INTERVAL_MS}, e.g. ${DEFAULT_SAMPLE_INTERVAL_MS}`,
    );
  }
  return ms;
}
