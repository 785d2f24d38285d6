/**
 * Reading typed values out of untrusted JSON without throwing. Out-of-range or mistyped values
 * become null: a monitor shows "unknown", it never shows a wrong number.
 */
import { withoutControlChars } from '../../shared/control-chars';

export type JsonObject = { readonly [key: string]: unknown };

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function finiteIn(value: unknown, min: number, max: number): number | null {
  return typeof value === 'number' && Number.isFinite(value) && value >= min && value <= max
    ? value
    : null;
}

export function integerIn(value: unknown, min: number, max: number): number | null {
  const n = finiteIn(value, min, max);
  return n !== null && Number.isInteger(n) ? n : null;
}

/** A string of at most maxLength characters with control characters removed. */
export function boundedText(value: unknown, maxLength: number): string | null {
  if (typeof value !== 'string') return null;
  const clean = withoutControlChars(value).trim();
  return clean === '' ? null : clean.slice(0, maxLength);
}

export function booleanOrNull(value: unknown): boolean | null {
  return typeof value === 'boolean' ? value : null;
}

/** Largest byte count we accept: beyond 2^53 integers lose precision in JSON numbers. */
export const MAX_BYTES = Number.MAX_SAFE_INTEGER;
