import type Docker from 'dockerode';
import { abortableImage } from '../engine/abortable';
import { GpuEnvError } from '../errors';
import type { ProgressSink } from '../progress';
import type { RegistryAuth } from '../registry/credentials';
import { formatMs, sleep } from '../util/abort';
import { backoffDelay } from '../util/backoff';
import { followEngineStream, type EngineStreamMessage } from './engine-stream';
import { classifyEngineFailure, engineMessage, noSpaceMessage, type EngineFailureKind } from './pull-failure';

/** The image's ID, or undefined when the engine does not have it. */
export async function inspectImage(docker: Docker, ref: string, signal?: AbortSignal): Promise<Docker.ImageInspectInfo | undefined> {
  try {
    return await abortableImage(docker.getImage(ref)).inspect({ ...(signal ? { abortSignal: signal } : {}) });
  } catch (error) {
    if (statusCode(error) === 404) return undefined;
    throw error;
  }
}

export function statusCode(error: unknown): number | undefined {
  const code = (error as { statusCode?: unknown }).statusCode;
  return typeof code === 'number' ? code : undefined;
}

export interface PullOptions {
  /** Finds the registry's credentials (called once, only when a pull happens). */
  readonly credentials: (ref: string) => Promise<RegistryAuth>;
  /** The engine's data root, for a "no space left on device" message. */
  readonly dataRoot?: string;
  readonly retry?: RetryPolicy;
}

export interface RetryPolicy {
  /** Tries in all, the first included. */
  readonly attempts: number;
  readonly baseDelayMs: number;
  readonly capDelayMs: number;
}

/** Up to about 30 s of waiting in all: long enough for a registry restart or a network blip. */
export const PULL_RETRY: RetryPolicy = { attempts: 5, baseDelayMs: 2000, capDelayMs: 16_000 };

/** A failed try: what kind, and the engine's words (never a credential: the engine does not echo them). */
class PullAttemptError extends Error {
  constructor(readonly kind: EngineFailureKind, readonly engineSaid: string, options?: { cause?: unknown }) {
    super(engineSaid, options);
  }
}

/**
 * Pulls `ref` with the registry's credentials (as `X-Registry-Auth`), reporting bytes per layer.
 * A transient network failure is tried again with backoff; a refusal, a missing image or a full disk
 * is not, and each gets a message that says what to do.
 */
export async function pullImage(docker: Docker, ref: string, progress: ProgressSink, signal: AbortSignal | undefined, options: PullOptions): Promise<void> {
  const auth = await options.credentials(ref);
  const policy = options.retry ?? PULL_RETRY;
  progress({ kind: 'step', step: 'pull', message: `Pulling ${ref}${auth.authconfig ? ` (credentials from ${auth.source})` : ''}` });
  for (let attempt = 1; ; attempt++) {
    try {
      await pullOnce(docker, ref, auth, progress, signal);
      return;
    } catch (error) {
      if (!(error instanceof PullAttemptError)) throw error;
      if (error.kind !== 'transient' || attempt >= policy.attempts || signal?.aborted) throw pullFailure(ref, auth, error, attempt, options.dataRoot);
      const delay = backoffDelay(attempt - 1, policy.baseDelayMs, policy.capDelayMs);
      progress({ kind: 'step', step: 'pull', message: `Pull of ${ref} failed (${error.engineSaid}); retrying in ${formatMs(delay)} (attempt ${attempt + 1} of ${policy.attempts})` });
      await sleep(delay, signal);
    }
  }
}

async function pullOnce(docker: Docker, ref: string, auth: RegistryAuth, progress: ProgressSink, signal?: AbortSignal): Promise<void> {
  let stream: NodeJS.ReadableStream;
  try {
    stream = (await docker.pull(ref, { abortSignal: signal, ...(auth.authconfig ? { authconfig: auth.authconfig } : {}) })) as NodeJS.ReadableStream;
  } catch (error) {
    if (signal?.aborted) throw error;
    const said = engineMessage(error);
    throw new PullAttemptError(classifyEngineFailure(said, statusCode(error)), said, { cause: error });
  }
  const layers = new Map<string, { current: number; total: number; done: boolean }>();
  const engineRetrying = new Set<string>();
  const report = (message: EngineStreamMessage): void => {
    if (!message.id || !message.status) return;
    // The engine's own retry of a layer download counts down ("Retrying in 5 seconds", "… 4 …"): said once.
    if (/^Retrying in /.test(message.status)) {
      if (!engineRetrying.has(message.id)) progress({ kind: 'step', step: 'pull', message: `Layer ${message.id}: download cut off; the engine is ${message.status.toLowerCase()}` });
      engineRetrying.add(message.id);
      return;
    }
    engineRetrying.delete(message.id);
    const layer = layers.get(message.id) ?? { current: 0, total: 0, done: false };
    if (message.status === 'Downloading' && message.progressDetail) {
      layer.current = message.progressDetail.current ?? layer.current;
      layer.total = message.progressDetail.total ?? layer.total;
    }
    if (/^(Pull complete|Already exists|Download complete)$/.test(message.status)) {
      layer.done = message.status !== 'Download complete' || layer.done;
      layer.current = Math.max(layer.current, layer.total);
    }
    layers.set(message.id, layer);
    const all = [...layers.values()];
    progress({
      kind: 'layers',
      image: ref,
      currentBytes: all.reduce((sum, l) => sum + l.current, 0),
      totalBytes: all.reduce((sum, l) => sum + l.total, 0),
      layersDone: all.filter((l) => l.done).length,
      layers: all.length,
    });
  };
  try {
    await followEngineStream(stream, `pull of ${ref}`, report);
  } catch (error) {
    if (signal?.aborted) throw error;
    const said = streamFailureText(error);
    throw new PullAttemptError(classifyEngineFailure(said), said, { cause: error });
  }
}

function streamFailureText(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/^pull of \S+ failed: /, '');
}

function pullFailure(ref: string, auth: RegistryAuth, error: PullAttemptError, attempts: number, dataRoot: string | undefined): GpuEnvError {
  const registry = auth.registry.name;
  const login = registry === 'docker.io' ? 'docker login' : `docker login ${registry}`;
  switch (error.kind) {
    case 'auth':
      return new GpuEnvError(auth.authconfig
        ? `registry ${registry} refused the pull of ${ref}: ${error.engineSaid}. The credentials from ${auth.source} were not accepted; log in again (\`${login}\`) or check that this account may read the repository`
        : `registry ${registry} refused the pull of ${ref}: ${error.engineSaid}. No credentials were sent: looked for them in ${auth.source}. Log in with \`${login}\`, or set a credential helper (credHelpers) for ${auth.registry.configKey}`, 'failure', { cause: error });
    case 'not-found':
      return new GpuEnvError(`${ref} is not in registry ${registry}: ${error.engineSaid}. Check the repository name and tag`, 'failure', { cause: error });
    case 'no-space':
      return new GpuEnvError(noSpaceMessage(`pull of ${ref}`, error.engineSaid, dataRoot), 'failure', { cause: error });
    case 'transient':
      return new GpuEnvError(`pull of ${ref} from ${registry} failed after ${attempts} attempts: ${error.engineSaid}. Check the network (and proxy settings of the engine) and try again`, 'failure', { cause: error });
    case 'other':
      return new GpuEnvError(`pull of ${ref} failed: ${error.engineSaid}`, 'failure', { cause: error });
  }
}
