import { watch } from 'node:fs';
import { messageOf } from '../errors';
import type { WorkspaceAccess } from '../targets/workspace-access';
import { ALWAYS_EXCLUDED } from './local-files';
import { pushWorkspace, type SyncReport } from './push';

export interface WatchPushOptions {
  readonly signal: AbortSignal;
  readonly onReport: (report: SyncReport) => void;
  /** A failed round (the connection dropped, a file vanished mid-copy); the next change tries again. */
  readonly onError: (message: string) => void;
  /** Quiet time after the last change before copying, so a save of many files is one round. */
  readonly debounceMs?: number;
}

/**
 * A first sync, then copies again whenever files under `localRoot` change (fs.watch, recursive,
 * watching from before the first round), until `signal` aborts. Rounds never overlap: changes
 * during one make exactly one more.
 */
export async function watchAndPush(localRoot: string, access: WorkspaceAccess, options: WatchPushOptions): Promise<void> {
  const { signal } = options;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let running = false;
  let again = false;
  const round = async (): Promise<void> => {
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      do {
        again = false;
        try {
          options.onReport(await pushWorkspace(localRoot, access, signal));
        } catch (error) {
          if (!signal.aborted) options.onError(messageOf(error));
        }
      } while (again && !signal.aborted);
    } finally {
      running = false;
    }
  };
  if (signal.aborted) return;
  // Watching before the first round: a change made while it copies, or just after it reported,
  // makes one more round (started after it, a write right after the first report went unseen).
  const watcher = watch(localRoot, { recursive: true }, (_event, file) => {
    const path = typeof file === 'string' ? file.split(/[\\/]/) : [];
    if (path.length > 0 && ALWAYS_EXCLUDED.includes(path[0]!)) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => void round(), options.debounceMs ?? 300);
  });
  try {
    await round();
    if (signal.aborted) return;
    await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
  } finally {
    if (timer) clearTimeout(timer);
    watcher.close();
  }
}
