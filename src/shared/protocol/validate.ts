/**
 * The field validators the protocol parsers are built from. Each checks one value and either
 * returns it or throws `Invalid`, so that one failed field rejects the whole message; `parseWith`
 * turns that into `undefined`. Hand-written (no schema library): they run in the webviews too, and
 * over snapshots of hundreds of thousands of points.
 */
import { hasProtocolControlChars } from '../control-chars';

export const FAIL: unique symbol = Symbol('invalid');
export type Checked<T> = T | typeof FAIL;

export class Invalid extends Error {}

/** Throws Invalid; used inside parsers so one failed field rejects the whole message. */
export function must<T>(value: Checked<T>): T {
  if (value === FAIL) throw new Invalid();
  return value;
}

export function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

export function text(x: unknown, max: number, allowEmpty = false): Checked<string> {
  if (typeof x !== 'string' || x.length > max || (!allowEmpty && x.length === 0) || hasProtocolControlChars(x)) return FAIL;
  return x;
}

export function finite(x: unknown): Checked<number> {
  return typeof x === 'number' && Number.isFinite(x) ? x : FAIL;
}

export function inRange(x: unknown, min: number, max: number): Checked<number> {
  return typeof x === 'number' && x >= min && x <= max ? x : FAIL;
}

export function count(x: unknown): Checked<number> {
  return typeof x === 'number' && Number.isSafeInteger(x) && x >= 0 ? x : FAIL;
}

export function finiteOrNull(x: unknown): Checked<number | null> {
  return x === null ? null : finite(x);
}

export function boolean(x: unknown): Checked<boolean> {
  return x === true || x === false ? x : FAIL;
}

export function oneOf<T extends string>(x: unknown, allowed: readonly T[]): Checked<T> {
  return typeof x === 'string' && (allowed as readonly string[]).includes(x) ? (x as T) : FAIL;
}

function array(x: unknown, max: number): Checked<readonly unknown[]> {
  return Array.isArray(x) && x.length <= max ? x : FAIL;
}

export function listOf<T>(x: unknown, max: number, item: (v: unknown) => T): T[] {
  return must(array(x, max)).map(item);
}

/** Numbers in a tight loop: this runs over snapshots of hundreds of thousands of points. */
export function numberArray(x: unknown, max: number): number[] {
  const arr = must(array(x, max));
  for (let i = 0; i < arr.length; i++) {
    const n = arr[i];
    if (typeof n !== 'number' || !Number.isFinite(n)) throw new Invalid();
  }
  return arr as number[];
}

export function nullableNumberArray(x: unknown, max: number): (number | null)[] {
  const arr = must(array(x, max));
  for (let i = 0; i < arr.length; i++) {
    const n = arr[i];
    if (n !== null && (typeof n !== 'number' || !Number.isFinite(n))) throw new Invalid();
  }
  return arr as (number | null)[];
}

export function optional<T>(x: unknown, parse: (v: unknown) => T): T | undefined {
  return x === undefined ? undefined : parse(x);
}

export function nullable<T>(x: unknown, parse: (v: unknown) => T): T | null {
  return x === null ? null : parse(x);
}

/** One parser per message type of a union; the compiler checks that none is missing. */
export type Parsers<M extends { type: string }> = { [K in M['type']]: (x: Record<string, unknown>) => Extract<M, { type: K }> };

/** The message, or undefined when anything about it is off (unknown type, a bad field). */
export function parseWith<M extends { type: string }>(parsers: Parsers<M>, x: unknown): M | undefined {
  if (!isRecord(x) || typeof x.type !== 'string' || !Object.prototype.hasOwnProperty.call(parsers, x.type)) return undefined;
  const parse = (parsers as Record<string, (x: Record<string, unknown>) => M>)[x.type]!;
  try {
    return parse(x);
  } catch (error) {
    if (error instanceof Invalid) return undefined;
    throw error;
  }
}
