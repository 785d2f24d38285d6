/**
 * `gpu-env gpus` on a Docker engine: every GPU of the engine's machine with its use (a fresh sample
 * from the GPU probe) and who holds it (the running containers' GPU requests, any user's, and the
 * containers its processes run in).
 */
import { userInfo } from 'node:os';
import type Docker from 'dockerode';
import { GpuEnvError, usageError } from '../errors';
import { IMAGE_REPOSITORY } from '../image/recipe';
import { LABEL, PROBE_LABEL } from '../container/labels';
import { gpuDeviceRequests, gpuSupportFromInfo } from '../container/gpu-support';
import type { Engine } from '../engine/connect';
import { abortableDocker } from '../engine/abortable';
import { gpuClaimOf, type GpuClaim } from '../gpu/gpu-claims';
import { hostGpus, type HostGpu } from '../gpu/gpu-holders';
import { probeGpus } from '../gpu/gpu-probe';
import { hostIdentity, type HostIdentity } from '../remote/host-identity';
import { withDeadline } from '../util/abort';
import type { CoreContext } from './context';
import { openEngine } from './engine';

const ENGINE_CALL_TIMEOUT_MS = 30_000;
const INSPECT_CONCURRENCY = 8;

export interface GpusOptions {
  /** On a cluster: only this partition's GPUs. */
  readonly partition?: string;
}

export interface GpuHoldersReport {
  readonly engine: string;
  readonly host: HostIdentity;
  /** When the GPUs were sampled (this machine's clock, epoch ms). */
  readonly sampledAtMs: number;
  /** What the fresh sample cost: the probe container, create to remove (on a cluster: sinfo and scontrol). */
  readonly probeMs: number;
  /** The image the probe ran in (absent on a cluster). */
  readonly probeImage?: string;
  readonly gpus: readonly HostGpu[];
}

export async function gpuHolders(ctx: CoreContext, options: GpusOptions = {}): Promise<GpuHoldersReport> {
  if (options.partition !== undefined) throw usageError('--partition: only for a Slurm cluster; a Docker engine\'s GPUs are its machine\'s');
  const engine = await openEngine(ctx);
  return gpuHoldersOn(engine, ctx, undefined);
}

/** The holders view on an open engine; `image` runs the probe (else an image gpu-env made on it). */
export async function gpuHoldersOn(engine: Engine, ctx: CoreContext, image: string | undefined): Promise<GpuHoldersReport> {
  const info = await withDeadline('engine info', ENGINE_CALL_TIMEOUT_MS, ctx.signal, (s) => abortableDocker(engine.docker).info({ abortSignal: s }));
  const support = gpuSupportFromInfo(info);
  if (!support.nvidiaRuntime && !support.cdi) {
    throw new GpuEnvError(`the engine at ${engine.endpoint.url} offers no NVIDIA runtime or CDI GPU devices, so its containers get no GPUs; install the NVIDIA Container Toolkit on that host`);
  }
  const running = await runningContainers(engine.docker, ctx.signal);
  const probeImage = image ?? await imageWithPython(engine.docker, running, ctx.signal);
  ctx.progress({ kind: 'step', step: 'engine', message: `Sampling the GPUs of ${hostIdentity(engine).label}` });
  const probe = await probeGpus(engine.docker, {
    image: probeImage,
    deviceRequests: gpuDeviceRequests(undefined, support),
    assetsRoot: ctx.assetsRoot,
    ...(ctx.signal ? { signal: ctx.signal } : {}),
  });
  const containers = new Map(running.map((inspect) => [inspect.Id, { container: inspect.Name.replace(/^\//, ''), environment: inspect.Config.Labels?.[LABEL.name] ?? null }]));
  return {
    engine: engine.endpoint.url,
    host: hostIdentity(engine),
    sampledAtMs: Date.now(),
    probeMs: probe.elapsedMs,
    probeImage,
    gpus: hostGpus({ devices: probe.devices, claims: claimsOf(running), containers, owners: probe.owners }),
  };
}

/** GPU claims of the engine's running containers (cheap: no probe), for warnings about shared GPUs. */
export async function runningGpuClaims(docker: Docker, signal?: AbortSignal): Promise<GpuClaim[]> {
  return claimsOf(await runningContainers(docker, signal));
}

function claimsOf(running: readonly Docker.ContainerInspectInfo[]): GpuClaim[] {
  return running.map(gpuClaimOf).filter((claim): claim is GpuClaim => claim !== null);
}

async function runningContainers(docker: Docker, signal?: AbortSignal): Promise<Docker.ContainerInspectInfo[]> {
  const summaries = await withDeadline('container list', ENGINE_CALL_TIMEOUT_MS, signal, (s) => docker.listContainers({ all: false, abortSignal: s }));
  const candidates = summaries.filter((summary) => summary.Labels?.[PROBE_LABEL] === undefined);
  const inspected: Docker.ContainerInspectInfo[] = [];
  for (let i = 0; i < candidates.length; i += INSPECT_CONCURRENCY) {
    const batch = candidates.slice(i, i + INSPECT_CONCURRENCY).map((summary) =>
      withDeadline('container inspect', ENGINE_CALL_TIMEOUT_MS, signal, (s) => docker.getContainer(summary.Id).inspect({ abortSignal: s })).catch(() => undefined));
    for (const result of await Promise.all(batch)) if (result?.State.Running) inspected.push(result);
  }
  return inspected;
}

/** An image on the engine that has Python: a running environment's, else one gpu-env built. */
async function imageWithPython(docker: Docker, running: readonly Docker.ContainerInspectInfo[], signal?: AbortSignal): Promise<string> {
  const environment = running.find((inspect) => inspect.Config.Labels?.[LABEL.name] !== undefined);
  if (environment) return environment.Image;
  const images = await withDeadline('image list', ENGINE_CALL_TIMEOUT_MS, signal, (s) => docker.listImages({ filters: { reference: [`${IMAGE_REPOSITORY}`] }, abortSignal: s }));
  const newest = [...images].sort((a, b) => b.Created - a.Created)[0];
  if (!newest) {
    throw new GpuEnvError(`no gpu-env image on this engine to sample its GPUs with (the probe needs Python): create an environment with \`gpu-env up\` first`);
  }
  return newest.Id;
}

/** Who is creating an environment: the SSH user on an ssh:// host, else the user running gpu-env. */
export function ownerFor(engine: Pick<Engine, 'remote'>): string {
  const sshUser = engine.remote?.chain.at(-1)?.user;
  if (sshUser) return sshUser;
  try {
    return userInfo().username;
  } catch {
    return `uid ${process.getuid?.() ?? '?'}`;
  }
}
