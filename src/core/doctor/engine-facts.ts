import type Docker from 'dockerode';
import { GpuEnvError } from '../errors';
import type { Engine } from '../engine/connect';
import { abortableDocker } from '../engine/abortable';
import { withDeadline } from '../util/abort';

export const ENGINE_INFO_TIMEOUT_MS = 15_000;
/** `system df` sizes every layer and container; slow on a busy host. */
export const ENGINE_DF_TIMEOUT_MS = 30_000;

export type JsonRecord = Readonly<Record<string, unknown>>;

/** What the engine-wide checks read, each fetched at most once per doctor run. */
export interface EngineFacts {
  readonly engine: Engine;
  /** `docker info` */
  info(): Promise<JsonRecord>;
  /** `docker system df` */
  diskUsage(): Promise<JsonRecord>;
}

/** dockerode passes `abortSignal` on these calls too, though its type definitions omit the option. */
interface DoctorEngineApi {
  df(options: { readonly abortSignal?: AbortSignal }): Promise<unknown>;
  version(options: { readonly abortSignal?: AbortSignal }): Promise<unknown>;
}

export function doctorEngineApi(docker: Docker): DoctorEngineApi {
  return docker as unknown as DoctorEngineApi;
}

export function engineFacts(engine: Engine, signal: AbortSignal | undefined): EngineFacts {
  const docker: Docker = engine.docker;
  return {
    engine,
    info: once(() => withDeadline('docker info', ENGINE_INFO_TIMEOUT_MS, signal, async (s) => asRecord(await abortableDocker(docker).info({ abortSignal: s }), 'docker info'))),
    diskUsage: once(() => withDeadline('docker system df', ENGINE_DF_TIMEOUT_MS, signal, async (s) => asRecord(await doctorEngineApi(docker).df({ abortSignal: s }), 'docker system df'))),
  };
}

export function isRecord(value: unknown): value is JsonRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function stringField(record: JsonRecord, key: string): string | undefined {
  const value = record[key];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

export function numberField(record: JsonRecord, key: string): number | undefined {
  const value = record[key];
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
}

function asRecord(value: unknown, what: string): JsonRecord {
  if (!isRecord(value)) throw new GpuEnvError(`${what}: the engine answered with something other than a JSON object`);
  return value;
}

/** Later callers share the first call's promise (and its failure). */
function once<T>(make: () => Promise<T>): () => Promise<T> {
  let promise: Promise<T> | undefined;
  return () => (promise ??= make());
}
