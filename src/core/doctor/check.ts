import { messageOf } from '../errors';
import { withDeadline } from '../util/abort';
import type { CheckId, CheckStatus, DoctorCheck } from './types';

/** What a check found. `value` hands a resource (the engine, an SSH session) to later checks. */
export interface CheckResult<T = never> {
  readonly status: CheckStatus;
  readonly detail: string;
  readonly fix?: string;
  readonly value?: T;
}

export interface Check<Subject, T = never> {
  readonly id: CheckId;
  readonly title: string;
  readonly timeoutMs: number;
  /** Shown when the check itself broke (threw or ran out of time) rather than finding something. */
  readonly fixWhenBroken: string;
  run(subject: Subject, signal: AbortSignal): Promise<CheckResult<T>>;
}

export function ok(detail: string): CheckResult {
  return { status: 'ok', detail };
}

export function warn(detail: string, fix: string): CheckResult {
  return { status: 'warn', detail, fix };
}

export function fail(detail: string, fix: string): CheckResult {
  return { status: 'fail', detail, fix };
}

export function skip(detail: string, fix: string): CheckResult {
  return { status: 'skip', detail, fix };
}

export interface CheckRun<T> {
  readonly check: DoctorCheck;
  readonly value?: T;
}

/**
 * Runs one check within its time limit. Whatever goes wrong inside becomes a `fail` for this check
 * alone, so the doctor always reaches the next one; only the user's cancel propagates.
 */
export async function runCheck<Subject, T>(
  check: Check<Subject, T>,
  subject: Subject,
  parent: AbortSignal | undefined,
  environment?: string,
): Promise<CheckRun<T>> {
  const started = Date.now();
  let result: CheckResult<T>;
  try {
    result = await withDeadline(check.title, check.timeoutMs, parent, (signal) => check.run(subject, signal));
  } catch (error) {
    // The user's cancel stops the whole doctor; anything else is this check's finding.
    if (parent?.aborted) throw error;
    result = { status: 'fail', detail: `The check could not complete: ${sentence(messageOf(error))}`, fix: check.fixWhenBroken };
  }
  return { check: toDoctorCheck(check, result, Date.now() - started, environment), ...(result.value !== undefined ? { value: result.value } : {}) };
}

/** A check that was not run because something it needs is missing; says why. */
export function skipped(check: Pick<Check<unknown, unknown>, 'id' | 'title'>, reason: string, fix: string, environment?: string): DoctorCheck {
  return toDoctorCheck(check, { status: 'skip', detail: reason, fix }, 0, environment);
}

function toDoctorCheck(check: Pick<Check<unknown, unknown>, 'id' | 'title'>, result: CheckResult<unknown>, durationMs: number, environment?: string): DoctorCheck {
  return {
    id: check.id,
    title: check.title,
    status: result.status,
    detail: result.detail,
    ...(result.status !== 'ok' && result.fix ? { fix: result.fix } : {}),
    ...(environment !== undefined ? { environment } : {}),
    durationMs,
  };
}

function sentence(text: string): string {
  const trimmed = text.trim();
  return /[.!?]$/.test(trimmed) ? trimmed : `${trimmed}.`;
}
