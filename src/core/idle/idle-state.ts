/**
 * What the idle watcher inside an environment (media/agent/gpu_env_idle.py) says about its clock,
 * validated: it comes from a file any process in the container could have written.
 */
export interface IdleState {
  readonly windowMs: number;
  readonly intervalMs: number;
  readonly thresholdPercent: number;
  /** How long nothing has used it, at `updatedAtMs`. */
  readonly idleForMs: number;
  /** Until it stops itself, at `updatedAtMs`. */
  readonly remainingMs: number;
  /** What kept it busy at the last look: `ssh`, `run`, `gpu`, `keep-running`. */
  readonly busy: readonly string[];
  readonly sshSessions: number;
  readonly runsRunning: number;
  readonly gpuMaxPercent: number | null;
  /** The container's clock, epoch ms. */
  readonly updatedAtMs: number;
}

/** Why and when an environment stopped itself (the watcher's marker, kept until its next start). */
export interface IdleStopRecord {
  readonly reason: string;
  readonly atMs: number;
}

const BUSY = new Set(['ssh', 'run', 'gpu', 'keep-running']);
const MAX_MS = 366 * 24 * 3_600_000;

export function parseIdleState(text: string): IdleState | null {
  const value = parseObject(text);
  if (value === null) return null;
  const windowMs = count(value.windowMs, MAX_MS);
  const intervalMs = count(value.intervalMs, MAX_MS);
  const idleForMs = count(value.idleForMs, MAX_MS);
  const remainingMs = count(value.remainingMs, MAX_MS);
  const updatedAtMs = count(value.updatedAtMs, Number.MAX_SAFE_INTEGER);
  const thresholdPercent = typeof value.thresholdPercent === 'number' && value.thresholdPercent > 0 && value.thresholdPercent <= 100 ? value.thresholdPercent : null;
  if (windowMs === null || intervalMs === null || idleForMs === null || remainingMs === null || updatedAtMs === null || thresholdPercent === null) return null;
  const busy = Array.isArray(value.busy) ? value.busy.filter((item): item is string => typeof item === 'string' && BUSY.has(item)) : [];
  const gpu = value.gpuMaxPercent;
  return {
    windowMs, intervalMs, thresholdPercent, idleForMs, remainingMs, busy, updatedAtMs,
    sshSessions: count(value.sshSessions, 1_000_000) ?? 0,
    runsRunning: count(value.runsRunning, 1_000_000) ?? 0,
    gpuMaxPercent: typeof gpu === 'number' && gpu >= 0 && gpu <= 100 ? gpu : null,
  };
}

export function parseIdleStopRecord(text: string): IdleStopRecord | null {
  const value = parseObject(text);
  if (value === null || typeof value.reason !== 'string') return null;
  const atMs = count(value.atMs, Number.MAX_SAFE_INTEGER);
  return atMs === null ? null : { reason: value.reason.slice(0, 500), atMs };
}

function parseObject(text: string): Record<string, unknown> | null {
  if (text.length > 65_536) return null;
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

function count(value: unknown, max: number): number | null {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= max ? value : null;
}
