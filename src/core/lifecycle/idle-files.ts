/**
 * The idle watcher's files in a Docker environment (/run/gpu-env), read and written through the
 * engine's archive API: no SSH session (which would count as use and reset the idle clock), and
 * reading works on a stopped container too.
 */
import type Docker from 'dockerode';
import { extract } from 'tar-stream';
import { GpuEnvError } from '../errors';
import { LABEL } from '../container/labels';
import { statusCode } from '../image/pull';
import { parseIdleState, parseIdleStopRecord, type IdleState, type IdleStopRecord } from '../idle/idle-state';
import { withDeadline } from '../util/abort';
import type { CoreContext } from './context';
import { putFiles } from './container-files';
import { openEngine } from './engine';
import { inspectEnvironment } from './environment-info';

export const IDLE_STATE_DIR = '/run/gpu-env';
const MAX_FILE_BYTES = 65_536;
const CALL_TIMEOUT_MS = 30_000;

export interface IdleReport {
  /** The environment's idle-stop window; absent: idle stop is off. */
  readonly windowMs?: number;
  /** The watcher's last look, while it runs. */
  readonly state?: IdleState;
  /** Set when the environment stopped itself for idleness (until its next start). */
  readonly stopped?: IdleStopRecord;
}

export async function idleReport(name: string, ctx: CoreContext): Promise<IdleReport> {
  const engine = await openEngine(ctx);
  const inspect = await inspectEnvironment(engine.docker, name, ctx.signal);
  if (!inspect) throw new GpuEnvError(`no environment named "${name}" on ${engine.endpoint.url}; list them with \`gpu-env ls\``);
  const label = inspect.Config.Labels?.[LABEL.idleStop];
  if (label === undefined) return {};
  const container = engine.docker.getContainer(inspect.Id);
  const windowMs = Number(label);
  if (inspect.State.Running) {
    const text = await readFile(container, `${IDLE_STATE_DIR}/idle.json`, ctx.signal);
    const state = text === null ? null : parseIdleState(text);
    return { windowMs, ...(state ? { state } : {}) };
  }
  const text = await readFile(container, `${IDLE_STATE_DIR}/idle-stopped`, ctx.signal);
  const stopped = text === null ? null : parseIdleStopRecord(text);
  return { windowMs, ...(stopped ? { stopped } : {}) };
}

/** "Keep running": the watcher sees the file change and starts its window again. */
export async function keepRunning(name: string, ctx: CoreContext): Promise<void> {
  const engine = await openEngine(ctx);
  const inspect = await inspectEnvironment(engine.docker, name, ctx.signal);
  if (!inspect?.State.Running) throw new GpuEnvError(`environment "${name}" is not running`);
  await putFiles(engine.docker.getContainer(inspect.Id), IDLE_STATE_DIR, [{ name: 'keep-running', content: `${Date.now()}\n`, mode: 0o644 }], ctx.signal);
}

/** One small file out of a container (null when it is not there). */
async function readFile(container: Docker.Container, path: string, signal?: AbortSignal): Promise<string | null> {
  let archive: NodeJS.ReadableStream;
  try {
    archive = await withDeadline(`reading ${path}`, CALL_TIMEOUT_MS, signal, (s) => container.getArchive({ path, abortSignal: s }) as Promise<NodeJS.ReadableStream>);
  } catch (error) {
    if (statusCode(error) === 404) return null;
    throw error;
  }
  return withDeadline(`reading ${path}`, CALL_TIMEOUT_MS, signal, () => firstFile(archive));
}

function firstFile(archive: NodeJS.ReadableStream): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const tar = extract();
    let text: string | null = null;
    tar.on('entry', (header, stream, next) => {
      const chunks: Buffer[] = [];
      let size = 0;
      stream.on('data', (chunk: unknown) => {
        if (!Buffer.isBuffer(chunk)) return;
        size += chunk.length;
        if (size <= MAX_FILE_BYTES) chunks.push(chunk);
      });
      stream.on('end', () => {
        if (text === null && header.type === 'file' && size <= MAX_FILE_BYTES) text = Buffer.concat(chunks).toString('utf8');
        next();
      });
      stream.resume();
    });
    tar.on('finish', () => resolve(text));
    tar.on('error', reject);
    archive.on('error', reject);
    archive.pipe(tar);
  });
}
