import { GpuEnvError, messageOf } from '../errors';
import { CancelledError, formatMs, sleep } from '../util/abort';
import { HostKeyMismatchError, connectSsh, type SshTarget } from './connection';
import type { SshSession } from './session';

export interface WaitOptions {
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
  /** Called between attempts; throw to stop waiting (e.g. the container exited). */
  readonly stillWorthWaiting?: () => Promise<void>;
}

/**
 * Connects once sshd answers, retrying (the container needs a moment after start). A wrong host key or a cancel stops at once; the timeout error says what was tried.
 */
export async function waitForSsh(target: SshTarget, options: WaitOptions = {}): Promise<SshSession> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const deadline = Date.now() + timeoutMs;
  const started = Date.now();
  let lastError = '';
  for (let attempt = 0; attempt < 10_000; attempt++) {
    try {
      const remaining = Math.max(1000, deadline - Date.now());
      return await connectSsh(target, { readyTimeoutMs: Math.min(remaining, 10_000), ...(options.signal ? { signal: options.signal } : {}) });
    } catch (error) {
      if (error instanceof HostKeyMismatchError || error instanceof CancelledError) throw error;
      lastError = messageOf(error);
    }
    // A refused connection costs next to nothing, so poll tightly while sshd is likely starting and
    // back off only after a few seconds; ask whether the container still runs now and then.
    const waited = Date.now() - started;
    if (attempt % 10 === 9) await options.stillWorthWaiting?.();
    const delay = waited < 5_000 ? 20 : 250;
    if (Date.now() + delay > deadline) break;
    await sleep(delay, options.signal);
  }
  throw new GpuEnvError(`SSH on ${target.label} (${target.host}:${target.port}) not ready after ${formatMs(timeoutMs)}; last error: ${lastError}`);
}
