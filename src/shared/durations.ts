/** Durations as users write them in flags and settings, and as gpu-env shows them. */
import { usageError } from './errors';

/** The shortest idle-stop window: shorter ones would stop an environment between two commands. */
export const MIN_IDLE_STOP_MS = 60_000;
export const MAX_IDLE_STOP_MS = 30 * 24 * 3_600_000;
const DURATION_UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `30m`, `2h`, `1.5h`, `90s`, `1d` → ms; `off` (or empty) → undefined, idle stop off. */
export function parseIdleStop(field: string, value: string): number | undefined {
  const text = value.trim().toLowerCase();
  if (text === '' || text === 'off') return undefined;
  const match = /^(\d+(?:\.\d+)?)\s*([smhd])$/.exec(text);
  if (!match) {
    throw usageError(`${field}: "${value}" is not a duration; use a number with a unit s, m, h or d (e.g. 30m, 2h), at least 1m, or off`);
  }
  const ms = Math.round(Number(match[1]) * DURATION_UNITS[match[2]!]!);
  if (ms < MIN_IDLE_STOP_MS) {
    throw usageError(`${field}: ${value.trim()} is shorter than the minimum of 1m; give 1m or more (e.g. 30m), or off`);
  }
  if (ms > MAX_IDLE_STOP_MS) throw usageError(`${field}: ${value.trim()} is longer than the maximum of 30d; give 1m to 30d, or off`);
  return ms;
}

/** `1800000` → `30m`, `5400000` → `1h30m`, `90000` → `1m30s`. */
export function formatIdleStop(ms: number): string {
  const parts: string[] = [];
  let rest = Math.round(ms / 1000);
  for (const [unit, seconds] of [['d', 86_400], ['h', 3_600], ['m', 60], ['s', 1]] as const) {
    const n = Math.floor(rest / seconds);
    if (n > 0) parts.push(`${n}${unit}`);
    rest -= n * seconds;
  }
  return parts.join('') || '0s';
}

/** A whole number of milliseconds from `min` to `max` (a setting such as gpuEnv.monitor.intervalMs). */
export function parseDurationMs(field: string, value: string, min: number, max: number): number {
  const ms = /^\d+$/.test(value.trim()) ? Number(value) : NaN;
  if (!Number.isInteger(ms) || ms < min || ms > max) {
    throw usageError(`${field}: "${value}" is not accepted; use a whole number of milliseconds from ${min} to ${max}`);
  }
  return ms;
}
