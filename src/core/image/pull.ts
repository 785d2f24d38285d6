import type Docker from 'dockerode';
import { abortableImage } from '../engine/abortable';
import { GpuEnvError, messageOf } from '../errors';
import type { ProgressSink } from '../progress';
import { followEngineStream, type EngineStreamMessage } from './engine-stream';

export async function imageExists(docker: Docker, ref: string, signal?: AbortSignal): Promise<boolean> {
  try {
    await abortableImage(docker.getImage(ref)).inspect({ ...(signal ? { abortSignal: signal } : {}) });
    return true;
  } catch (error) {
    if (statusCode(error) === 404) return false;
    throw error;
  }
}

export function statusCode(error: unknown): number | undefined {
  const code = (error as { statusCode?: unknown }).statusCode;
  return typeof code === 'number' ? code : undefined;
}

/** Pulls `ref`, reporting bytes per layer summed; any error message in the stream fails it. */
export async function pullImage(docker: Docker, ref: string, progress: ProgressSink, signal?: AbortSignal): Promise<void> {
  progress({ kind: 'step', step: 'pull', message: `Pulling ${ref}` });
  let stream: NodeJS.ReadableStream;
  try {
    stream = (await docker.pull(ref, { abortSignal: signal })) as NodeJS.ReadableStream;
  } catch (error) {
    throw new GpuEnvError(`cannot pull ${ref}: ${messageOf(error)}`, 'failure', { cause: error });
  }
  const layers = new Map<string, { current: number; total: number; done: boolean }>();
  const report = (message: EngineStreamMessage): void => {
    if (!message.id || !message.status) return;
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
  await followEngineStream(stream, `pull of ${ref}`, report);
}
