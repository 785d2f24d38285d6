import { LABEL } from '../container/labels';
import { abortableDocker } from '../engine/abortable';
import { messageOf } from '../errors';
import { backoffDelay } from '../util/backoff';
import { jsonLineSplitter } from '../util/json-lines';
import type { CoreContext } from './context';
import { openEngine } from './engine';

/**
 * Container actions that change what a view of environments shows. Exec and health events are left
 * out: a monitor or a terminal running commands would otherwise refresh every view many times a second.
 */
export const WATCHED_ACTIONS = ['create', 'start', 'restart', 'stop', 'die', 'kill', 'pause', 'unpause', 'destroy', 'rename', 'oom'] as const;

/** `event`: the engine reported an action on an environment; `resync`: (re)connected, state may have changed unseen. */
export type EnvironmentChange =
  | { readonly kind: 'event'; readonly name: string; readonly action: string }
  | { readonly kind: 'resync' };

export interface EventWatcher {
  dispose(): void;
}

export interface EventWatchOptions {
  /** Opens the engine's event stream; replaced in tests. */
  readonly openStream?: (signal: AbortSignal) => Promise<NodeJS.ReadableStream>;
  readonly baseDelayMs?: number;
  readonly capDelayMs?: number;
  /** A connection that lived this long counts as healthy: the next failure starts the backoff afresh. */
  readonly healthyAfterMs?: number;
  /** Told about lost connections, so the caller can log them; the watcher keeps retrying. */
  readonly onDisconnect?: (reason: string, retryInMs: number) => void;
  readonly random?: () => number;
}

/**
 * Follows the engine's events for containers carrying the product's label and calls `onChange` for
 * each. When the stream ends or fails (engine restarted, socket gone) it reconnects with capped,
 * jittered backoff and emits `resync`, because events during the gap are lost. No polling.
 */
export function watchEnvironmentEvents(
  ctx: CoreContext,
  onChange: (change: EnvironmentChange) => void,
  options: EventWatchOptions = {},
): EventWatcher {
  const openStream = options.openStream ?? ((signal: AbortSignal) => openEventStream(ctx, signal));
  const baseDelayMs = options.baseDelayMs ?? 500;
  const capDelayMs = options.capDelayMs ?? 30_000;
  const healthyAfterMs = options.healthyAfterMs ?? 10_000;
  let disposed = false;
  let attempt = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let controller: AbortController | undefined;

  const scheduleReconnect = (reason: string): void => {
    if (disposed) return;
    const delay = backoffDelay(attempt, baseDelayMs, capDelayMs, options.random);
    attempt++;
    options.onDisconnect?.(reason, delay);
    timer = setTimeout(connect, delay);
  };

  const connect = (): void => {
    timer = undefined;
    if (disposed) return;
    controller = new AbortController();
    const own = controller;
    openStream(own.signal).then(
      (stream) => {
        if (disposed) return destroy(stream);
        const connectedAt = Date.now();
        onChange({ kind: 'resync' });
        follow(stream, onChange, (reason) => {
          if (own !== controller) return;
          if (Date.now() - connectedAt >= healthyAfterMs) attempt = 0;
          scheduleReconnect(reason);
        });
      },
      (error: unknown) => {
        if (own === controller) scheduleReconnect(messageOf(error));
      },
    );
  };

  const onParentAbort = (): void => watcher.dispose();
  const watcher: EventWatcher = {
    dispose() {
      if (disposed) return;
      disposed = true;
      if (timer) clearTimeout(timer);
      controller?.abort();
      controller = undefined;
      ctx.signal?.removeEventListener('abort', onParentAbort);
    },
  };
  ctx.signal?.addEventListener('abort', onParentAbort, { once: true });
  connect();
  return watcher;
}

async function openEventStream(ctx: CoreContext, signal: AbortSignal): Promise<NodeJS.ReadableStream> {
  const engine = await openEngine({ ...ctx, signal });
  return abortableDocker(engine.docker).getEvents({
    filters: { type: ['container'], label: [LABEL.name], event: [...WATCHED_ACTIONS] },
    abortSignal: signal,
  });
}

/** Reads one connection's events until it ends; `onEnd` is called exactly once. */
function follow(stream: NodeJS.ReadableStream, onChange: (change: EnvironmentChange) => void, onEnd: (reason: string) => void): void {
  let ended = false;
  const end = (reason: string): void => {
    if (ended) return;
    ended = true;
    destroy(stream);
    onEnd(reason);
  };
  stream.on('data', jsonLineSplitter((value) => {
    const change = environmentChange(value);
    if (change) onChange(change);
  }));
  stream.on('error', (error: Error) => end(`event stream failed: ${error.message}`));
  stream.on('end', () => end('event stream ended'));
  stream.on('close', () => end('event stream closed'));
}

/** An engine event message → a change, if it is about one of our containers. */
export function environmentChange(value: unknown): EnvironmentChange | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const message = value as { Action?: unknown; status?: unknown; Actor?: { Attributes?: Record<string, unknown> } };
  const name = message.Actor?.Attributes?.[LABEL.name];
  const action = typeof message.Action === 'string' ? message.Action : message.status;
  if (typeof name !== 'string' || name === '' || typeof action !== 'string') return undefined;
  return { kind: 'event', name, action };
}

function destroy(stream: NodeJS.ReadableStream): void {
  const destroyable = stream as NodeJS.ReadableStream & { destroy?: () => void };
  destroyable.destroy?.();
}
