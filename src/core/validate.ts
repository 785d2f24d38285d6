import { statSync } from 'node:fs';
import { usageError } from './errors';

/**
 * Validators shared by the CLI flags and the VS Code settings. Each takes the name the user knows
 * (`--memory` or `gpuEnv.memory`) so the message points at what to fix.
 */

const SIZE_UNITS: Record<string, number> = { '': 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };

export interface SizeLimits {
  /** Smallest accepted byte count, and how to say it (e.g. 6m). */
  readonly min: number;
  readonly minText: string;
}

/** Above this no machine has memory, and JSON numbers lose precision (2^50 bytes). */
const MAX_SIZE_BYTES = 1024 * SIZE_UNITS.t!;

/** `16g`, `512m`, `1.5g`, `1024` (bytes) → bytes, at least `limits.min` and at most 1024t. */
export function parseSize(field: string, value: string, limits: SizeLimits = { min: 1, minText: '1' }): number {
  const match = /^(\d+(?:\.\d+)?)\s*([bkmgt]?)(?:i?b)?$/i.exec(value.trim());
  const number = match ? Number(match[1]) : NaN;
  const bytes = match ? Math.round(number * (SIZE_UNITS[match[2]!.toLowerCase()] ?? NaN)) : NaN;
  if (!Number.isFinite(bytes) || bytes <= 0) {
    throw usageError(`${field}: "${value}" is not a size; use a positive number with a unit b, k, m, g or t, e.g. 512m or 16g`);
  }
  if (bytes > MAX_SIZE_BYTES) throw usageError(`${field}: "${value}" is too large; use at most 1024t`);
  if (bytes < limits.min) {
    const unitless = match![2] === '' ? ' (a number without a unit is bytes)' : '';
    throw usageError(`${field}: "${value}" is too small; use at least ${limits.minText}${unitless}, e.g. 16g`);
  }
  return bytes;
}

/** Bytes as `up` takes them back: 16g, 512m, 1536k, 100b. */
export function formatSize(bytes: number): string {
  for (const unit of ['t', 'g', 'm', 'k'] as const) {
    const size = SIZE_UNITS[unit]!;
    if (bytes >= size && bytes % size === 0) return `${bytes / size}${unit}`;
  }
  return `${bytes}b`;
}

/** A memory limit: the engine refuses less than 6 MiB (after the image was built). */
export function parseMemory(field: string, value: string): number {
  return parseSize(field, value, { min: 6 * SIZE_UNITS.m!, minText: '6m' });
}

/** /dev/shm's size: less than a MiB is a unit forgotten (`1` is one byte), not a choice. */
export function parseShmSize(field: string, value: string): number {
  return parseSize(field, value, { min: SIZE_UNITS.m!, minText: '1m' });
}

/** The engine's smallest CPU quota is 0.01 CPU; a smaller value would round to 0, which means "no limit". */
const MIN_NANO_CPUS = 10_000_000;

/** A CPU count such as `4` or `1.5`, from 0.01 to 1024. Returns NanoCPUs as the engine wants them. */
export function parseCpus(field: string, value: string): number {
  const cpus = /^\d+(\.\d+)?$/.test(value.trim()) ? Number(value) : NaN;
  const nanoCpus = Math.round(cpus * 1e9);
  if (!Number.isFinite(cpus) || nanoCpus < MIN_NANO_CPUS || cpus > 1024) {
    throw usageError(`${field}: "${value}" is not a CPU count; use a number from 0.01 to 1024, e.g. 4 or 1.5`);
  }
  return nanoCpus;
}

export type GpuRequest =
  | { readonly kind: 'auto' }
  | { readonly kind: 'all' }
  | { readonly kind: 'none' }
  /** N GPUs that no running environment holds, least used first (chosen by `up`). */
  | { readonly kind: 'count'; readonly count: number }
  | { readonly kind: 'devices'; readonly ids: readonly string[] };

const GPU_UUID = /^(GPU|MIG)-[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}(\/\d+\/\d+)?$/;
/** More GPUs than any machine has; a count above it is a typo. */
export const MAX_GPU_COUNT = 64;

/**
 * As `docker run --gpus` reads it: `all`, `none`, a count `N` (here: N free GPUs), `device=0,2`;
 * and, as before, lists of indices `0,1` and UUIDs `GPU-…,MIG-…`.
 */
export function parseGpus(field: string, value: string): GpuRequest {
  const text = value.trim();
  if (text === 'all') return { kind: 'all' };
  if (text === 'none') return { kind: 'none' };
  if (/^\d{1,3}$/.test(text)) return { kind: 'count', count: gpuCount(field, Number(text)) };
  const listed = text.startsWith('device=') ? text.slice('device='.length) : text;
  const ids = listed.split(',').map((s) => s.trim());
  const allIndices = ids.every((id) => /^\d{1,3}$/.test(id));
  const allUuids = ids.every((id) => GPU_UUID.test(id));
  // 0 and 00 are one GPU; UUIDs are case-insensitive hex.
  const canonical = ids.map((id) => (allIndices ? String(Number(id)) : id.toLowerCase()));
  if (listed === '' || !(allIndices || allUuids) || new Set(canonical).size !== ids.length) {
    throw usageError(
      `${field}: "${value}" is not a GPU request; use all, none, a count N of free GPUs (e.g. 2), device=0,2 for GPUs by index, or UUIDs like GPU-xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx (no duplicates)`,
    );
  }
  return { kind: 'devices', ids: allIndices ? ids.map((id) => String(Number(id))) : ids };
}

function gpuCount(field: string, count: number): number {
  if (count === 0) {
    throw usageError(`${field}: 0 is not a number of GPUs; to start without GPUs use ${field} none (for the GPU with index 0: device=0)`);
  }
  if (count > MAX_GPU_COUNT) throw usageError(`${field}: ${count} GPUs is more than ${MAX_GPU_COUNT}; give a count from 1 to ${MAX_GPU_COUNT}`);
  return count;
}

/** Durations are shared (src/shared/durations.ts): the extension checks its settings before the core loads. */
export { formatIdleStop, MAX_IDLE_STOP_MS, MIN_IDLE_STOP_MS, parseDurationMs, parseIdleStop } from '../shared/durations';

const NAME = /^[a-z0-9][a-z0-9_.-]*$/;

/** Environment names become container names `gpu-env-<name>`, SSH host aliases and state folders. */
export function isValidName(value: string): boolean {
  return NAME.test(value) && value.length <= 48;
}

export function validateName(field: string, value: string): string {
  if (!isValidName(value)) {
    throw usageError(`${field}: "${value}" is not a valid name; use lower-case letters, digits, '_', '.', '-', starting with a letter or digit, at most 48 characters`);
  }
  return value;
}

// The docker/distribution reference grammar: [registry[:port]/]path[:tag][@algo:hex].
const COMPONENT = '[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*';
const LABEL = '[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?';
// Like the docker CLI, a first component is a registry only if it has a dot or a port, or is localhost.
const DOMAIN = `(?:localhost(?::[0-9]+)?|${LABEL}(?:\\.${LABEL})+(?::[0-9]+)?|${LABEL}:[0-9]+)`;
const IMAGE_REF = new RegExp(
  `^(?:${DOMAIN}/)?${COMPONENT}(?:/${COMPONENT})*(?::[\\w][\\w.-]{0,127})?(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,})?$`,
);

export function validateImageRef(field: string, value: string): string {
  if (!IMAGE_REF.test(value) || value.length > 255) {
    throw usageError(`${field}: "${value}" is not an image reference; use [registry/]repository[:tag][@sha256:digest], e.g. pytorch/pytorch:2.6.0-cuda12.4-cudnn9-runtime`);
  }
  return value;
}

export function parseUid(field: string, value: string): number {
  const uid = /^\d{1,10}$/.test(value.trim()) ? Number(value) : NaN;
  if (!Number.isInteger(uid) || uid < 0 || uid > 2147483646) {
    throw usageError(`${field}: "${value}" is not a user id; use a whole number from 0 to 2147483646`);
  }
  return uid;
}

/** The workspace folder must exist and be a directory; returns its owner. */
export function validateWorkspace(field: string, path: string): { path: string; uid: number; gid: number } {
  let stat;
  try {
    stat = statSync(path);
  } catch {
    throw usageError(`${field}: "${path}" does not exist; give an existing folder to mount at /workspace`);
  }
  if (!stat.isDirectory()) throw usageError(`${field}: "${path}" is not a folder; give an existing folder to mount at /workspace`);
  return { path, uid: stat.uid, gid: stat.gid };
}


/**
 * An http(s) URL of a package source (apt mirror, pip index) given to the image build. It reaches the
 * build as a build argument, which the image's history records, so it may not carry a user name or
 * password; and it is spliced into apt's source lines, so it is limited to plain URL characters.
 */
export function validateSourceUrl(field: string, value: string, example: string): string {
  if (value.includes('@')) {
    // Not quoted: the value holds a credential.
    throw usageError(`${field}: the URL contains a user name or password, which the image's build history would keep; use a source that allows anonymous reads`);
  }
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || !/^https?:$/.test(url.protocol) || url.hostname === '' || !/^https?:\/\/[A-Za-z0-9._~:/%+=-]+$/.test(value)) {
    throw usageError(`${field}: "${value}" is not accepted; use an http:// or https:// URL of ${example} (letters, digits and . _ ~ : / % + = - only)`);
  }
  return value.replace(/\/+$/, '');
}
