/**
 * Readers for fields of JSON that came from the environment (runner output, run.json). The
 * container is not trusted to send well-formed data: wrong types read as null, never throw.
 */

export type JsonObject = Readonly<Record<string, unknown>>;

export function isObject(x: unknown): x is JsonObject {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

export function objectOrNull(x: unknown): JsonObject | null {
  return isObject(x) ? x : null;
}

export function stringOrNull(x: unknown, maxChars = 4096): string | null {
  return typeof x === 'string' && x.length <= maxChars ? x : null;
}

/** Finite numbers, plus the protocol's strings for non-finite ones ("NaN", "Infinity", "-Infinity"). */
export function numberOrNull(x: unknown): number | null {
  if (typeof x === 'number') return x;
  if (x === 'NaN') return NaN;
  if (x === 'Infinity') return Infinity;
  if (x === '-Infinity') return -Infinity;
  return null;
}

export function finiteOrNull(x: unknown): number | null {
  return typeof x === 'number' && Number.isFinite(x) ? x : null;
}

export function integerOrNull(x: unknown): number | null {
  return typeof x === 'number' && Number.isSafeInteger(x) ? x : null;
}

export function stringList(x: unknown, maxItems = 10_000): string[] | null {
  if (!Array.isArray(x) || x.length > maxItems || !x.every((a): a is string => typeof a === 'string')) return null;
  return [...x];
}

export function parseJsonObject(text: string): JsonObject | null {
  try {
    const value = JSON.parse(text) as unknown;
    return isObject(value) ? value : null;
  } catch {
    return null;
  }
}
