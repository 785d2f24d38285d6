import { GpuEnvError, messageOf } from '../errors';
import { CancelledError, formatMs, sleep } from '../util/abort';
import { HostKeyMismatchError, SshNotReadyError, connectSsh, type SshTarget } from './connection';
import type { SshSession } from './session';

const ATTEMPT_TIMEOUT_MS = 10_000;

export interface WaitOptions {
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
  /** Called between attempts; throw to stop waiting (e.g. the container exited). */
  readonly stillWorthWaiting?: () => Promise<void>;
}

/**
 * Connects once sshd answers, retrying (the container needs a moment after start). A wrong host key
 * or a cancel stops at once; the timeout error says what was tried. Nothing it waits for (an
 * attempt, a dial, the "still worth waiting" probe) may take it past `timeoutMs`.
 */
export async function waitForSsh(target: SshTarget, options: WaitOptions = {}): Promise<SshSession> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const deadline = Date.now() + timeoutMs;
  const started = Date.now();
  const timeout = (): GpuEnvError => new GpuEnvError(`SSH on ${target.label} (${target.host}:${target.port}) not ready after ${formatMs(timeoutMs)}; last error: ${lastError || 'none (no attempt finished)'}`);
  let lastError = '';
  for (let attempt = 0; attempt < 10_000; attempt++) {
    const remaining = deadline - Date.now();
    if (remaining <= 0) break;
    const budget = Math.min(remaining, ATTEMPT_TIMEOUT_MS);
    try {
      return await connectSsh(target, { readyTimeoutMs: budget, ...(options.signal ? { signal: options.signal } : {}) });
    } catch (error) {
      if (error instanceof HostKeyMismatchError || error instanceof CancelledError) throw error;
      // An attempt cut short by the overall deadline says less than the failure before it.
      const cutShort = error instanceof SshNotReadyError && budget < ATTEMPT_TIMEOUT_MS && lastError !== '';
      if (!cutShort) lastError = messageOf(error);
    }
    // A refused connection costs next to nothing, so poll tightly while sshd is likely starting (it
    // usually listens within a tenth of a second of the start) and back off only after a few
    // seconds; ask whether the container still runs now and then.
    const waited = Date.now() - started;
    if (attempt % 10 === 9 && options.stillWorthWaiting) {
      if (!(await beforeDeadline(deadline, options.stillWorthWaiting()))) break;
    }
    const delay = waited < 1_000 ? 10 : waited < 5_000 ? 20 : 250;
    if (Date.now() + delay > deadline) break;
    await sleep(delay, options.signal);
  }
  throw timeout();
}

/** True when `work` finished before `deadline`, false when the deadline came first; its errors pass through. */
async function beforeDeadline(deadline: number, work: Promise<void>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), Math.max(0, deadline - Date.now()));
  });
  try {
    return await Promise.race([work.then(() => true as const), late]);
  } finally {
    clearTimeout(timer);
  }
}
