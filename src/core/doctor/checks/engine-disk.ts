import { statfsSync } from 'node:fs';
import { hostname } from 'node:os';
import { messageOf } from '../../errors';
import { isRecord, numberField, stringField, type EngineFacts, type JsonRecord } from '../engine-facts';
import { formatBytes, GIB, plural } from '../format';
import { ok, skip, warn, type Check, type CheckResult } from '../check';

export const MIN_FREE_BYTES = 20 * GIB;

/** What `docker system df` says the engine stores. */
export interface EngineStorage {
  readonly imagesBytes: number;
  readonly images: number;
  /** Images no container uses: what `docker image prune -a` may remove. */
  readonly unusedImages: number;
  readonly buildCacheBytes: number;
}

/** Free space where the engine keeps images: measured, or why it could not be. */
export type FreeSpace =
  | { readonly kind: 'measured'; readonly freeBytes: number; readonly totalBytes: number }
  | { readonly kind: 'unmeasured'; readonly reason: string };

/**
 * Free space on the engine host's data root. The Docker API reports only what images use, not what
 * is free; when the engine runs on this machine, statfs on its DockerRootDir measures it directly.
 */
export const engineDiskCheck: Check<EngineFacts> = {
  id: 'engine-disk',
  title: 'Free disk for images on the engine host',
  timeoutMs: 40_000,
  fixWhenBroken: 'Check the free space on the engine host with `docker system df` and `df -h` on its Docker root directory.',
  async run(facts) {
    const info = await facts.info();
    const rootDir = stringField(info, 'DockerRootDir');
    const storage = await facts.diskUsage().then(engineStorage, () => undefined);
    return diskFinding(rootDir, measureFreeSpace(facts.engine.endpoint.url, info, rootDir), storage);
  },
};

/** statfs, but only when the engine is this machine: a socket path alone can lead into a VM (Docker Desktop). */
export function measureFreeSpace(engineUrl: string, info: JsonRecord, rootDir: string | undefined, localHostname = hostname()): FreeSpace {
  if (!rootDir) return { kind: 'unmeasured', reason: '`docker info` names no DockerRootDir' };
  if (!engineUrl.startsWith('unix://')) return { kind: 'unmeasured', reason: `the engine at ${engineUrl} is on another host and the Docker API does not report free space` };
  const engineHost = stringField(info, 'Name');
  if (engineHost !== localHostname) {
    return { kind: 'unmeasured', reason: `the engine runs on "${engineHost ?? 'unknown'}", not on this machine ("${localHostname}"), e.g. in Docker Desktop's VM` };
  }
  try {
    const stats = statfsSync(rootDir);
    return { kind: 'measured', freeBytes: stats.bavail * stats.bsize, totalBytes: stats.blocks * stats.bsize };
  } catch (error) {
    return { kind: 'unmeasured', reason: `statfs on ${rootDir} failed: ${messageOf(error)}` };
  }
}

export function engineStorage(df: JsonRecord): EngineStorage | undefined {
  const layers = numberField(df, 'LayersSize');
  if (layers === undefined || !Array.isArray(df.Images)) return undefined;
  const images = df.Images.filter(isRecord);
  const buildCache = Array.isArray(df.BuildCache) ? df.BuildCache.filter(isRecord) : [];
  return {
    imagesBytes: layers,
    images: images.length,
    unusedImages: images.filter((image) => numberField(image, 'Containers') === 0).length,
    buildCacheBytes: buildCache.reduce((sum, entry) => sum + (numberField(entry, 'Size') ?? 0), 0),
  };
}

export function diskFinding(rootDir: string | undefined, free: FreeSpace, storage: EngineStorage | undefined): CheckResult {
  const where = rootDir ? `The engine's data root ${rootDir}` : 'The engine\'s data root';
  const used = storage
    ? `Images take ${formatBytes(storage.imagesBytes)} (${plural(storage.images, 'image')}, ${storage.unusedImages} unused by any container); build cache ${formatBytes(storage.buildCacheBytes)}.`
    : '`docker system df` gave no usage figures.';
  const prune = `Free space there: \`docker image prune -a\` removes images no container uses${storage ? ` (${plural(storage.unusedImages, 'image')})` : ''}, \`docker builder prune\` the build cache${storage ? ` (${formatBytes(storage.buildCacheBytes)})` : ''}. PyTorch CUDA images take several GiB each and a pull needs room for the download too.`;
  if (free.kind === 'unmeasured') {
    return skip(`Free space not measured: ${free.reason}. ${used}`, `On the engine host run \`df -h ${rootDir ?? '/var/lib/docker'}\` and keep at least ${formatBytes(MIN_FREE_BYTES)} free.`);
  }
  const measured = `${where} has ${formatBytes(free.freeBytes)} free of ${formatBytes(free.totalBytes)}. ${used}`;
  if (free.freeBytes < MIN_FREE_BYTES) return warn(`${measured} That is under ${formatBytes(MIN_FREE_BYTES)}: building or pulling a PyTorch image may fail with "no space left on device".`, prune);
  return ok(measured);
}
