/**
 * What the GPU monitor needs from a Docker engine to say who a GPU belongs to: the GPU claims of its
 * running containers (this environment's own included), and where the pids NVML reports can be
 * looked up. NVML inside a container reports the machine's pids; only /proc of the engine's machine
 * resolves them: this machine's for an engine here (unix://), the host's over its SSH connection for
 * ssh://. A tcp:// engine's machine has no such door, and mapping is declined with the reason.
 */
import { existsSync, readFileSync } from 'node:fs';
import { GpuEnvError } from '../errors';
import type { ClaimsSnapshot, ProcessLookup } from '../gpu/gpu-attribution';
import { gpuClaimOf } from '../gpu/gpu-claims';
import type { ProcStatusReader } from '../gpu/process-map';
import type { Engine } from '../engine/connect';
import type { CoreContext } from './context';
import { openEngine } from './engine';
import { inspectEnvironment } from './environment-info';
import { runningGpuClaims } from './gpus';

export async function dockerGpuClaims(name: string, ctx: CoreContext): Promise<ClaimsSnapshot> {
  const engine = await openEngine(ctx);
  const inspect = await inspectEnvironment(engine.docker, name, ctx.signal);
  return { own: inspect ? gpuClaimOf(inspect) : null, running: await runningGpuClaims(engine.docker, ctx.signal) };
}

export async function dockerHostProcessLookup(name: string, ctx: CoreContext): Promise<ProcessLookup> {
  const engine = await openEngine(ctx);
  const inspect = await inspectEnvironment(engine.docker, name, ctx.signal);
  if (!inspect?.State.Running || !(inspect.State.Pid > 0)) throw new GpuEnvError(`environment "${name}" is not running`);
  const readStatus = hostProcReader(engine);
  if (readStatus === null) {
    return { kind: 'none', reason: `cannot map: the engine at ${engine.endpoint.url} is on another machine whose processes gpu-env cannot see (an ssh:// engine can)` };
  }
  // An engine socket on this machine whose containers are not in this /proc (gpu-env itself in a container).
  if ((await readStatus(inspect.State.Pid)) === null) return { kind: 'none', reason: 'cannot map: the environment\'s processes are not visible from here' };
  return { kind: 'view', view: { where: 'host', containerInitPid: inspect.State.Pid }, readStatus };
}

function hostProcReader(engine: Engine): ProcStatusReader | null {
  const remote = engine.remote;
  if (remote) {
    return async (pid) => {
      const result = await remote.connection.exec(`cat /proc/${Math.trunc(pid)}/status 2>/dev/null`);
      return result.code === 0 && result.stdout !== '' ? result.stdout : null;
    };
  }
  if (!engine.endpoint.url.startsWith('unix://')) return null;
  return async (pid) => {
    const path = `/proc/${Math.trunc(pid)}/status`;
    try {
      return existsSync(path) ? readFileSync(path, 'utf8') : null;
    } catch {
      return null;
    }
  };
}
