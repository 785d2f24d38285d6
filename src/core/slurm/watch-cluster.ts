import { messageOf } from '../errors';
import type { CoreContext } from '../lifecycle/context';
import type { EnvironmentChange, EventWatcher, EventWatchOptions } from '../lifecycle/events';
import { backoffDelay } from '../util/backoff';
import { openClusterState } from './cluster-state';
import { infosOf } from './environment-info';

/** While something is queued or starting, a view follows it closely; otherwise now and then. */
export const BUSY_POLL_MS = 3_000;
export const IDLE_POLL_MS = 15_000;

/**
 * Slurm has no event stream for users: the watcher reads squeue (one login-node command) on a timer
 * and reports each environment whose state, job or node changed; after a failed read it retries with
 * capped backoff and reports `resync` once it reads again.
 */
export function watchCluster(ctx: CoreContext, onChange: (change: EnvironmentChange) => void, options: EventWatchOptions = {}): EventWatcher {
  let disposed = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let failures = 0;
  let known: Map<string, string> | undefined;
  const controller = new AbortController();
  const { signal: _callerSignal, ...rest } = ctx;
  const lasting: CoreContext = { ...rest, signal: controller.signal };

  const schedule = (ms: number): void => {
    if (!disposed) timer = setTimeout(() => void poll(), ms);
  };
  const poll = async (): Promise<void> => {
    try {
      const { cluster, state } = await openClusterState(lasting);
      const infos = infosOf(cluster, state);
      if (disposed) return;
      const now = new Map(infos.map((info) => [info.name, `${info.state}|${info.id}|${info.job?.nodes.join(',') ?? ''}|${info.job?.reason ?? ''}`]));
      if (!known || failures > 0) onChange({ kind: 'resync' });
      else {
        for (const [name, key] of now) if (known.get(name) !== key) onChange({ kind: 'event', name, action: 'update' });
        for (const name of known.keys()) if (!now.has(name)) onChange({ kind: 'event', name, action: 'destroy' });
      }
      known = now;
      failures = 0;
      schedule(infos.some((info) => info.state === 'pending' || info.state === 'creating') ? BUSY_POLL_MS : IDLE_POLL_MS);
    } catch (error) {
      if (disposed) return;
      const delay = backoffDelay(failures, options.baseDelayMs ?? 1_000, options.capDelayMs ?? 60_000, options.random);
      failures++;
      options.onDisconnect?.(messageOf(error), delay);
      schedule(delay);
    }
  };
  schedule(0);
  return {
    dispose() {
      disposed = true;
      if (timer) clearTimeout(timer);
      controller.abort();
    },
  };
}
