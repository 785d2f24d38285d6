import { createHash } from 'node:crypto';
import type { Engine } from '../engine/connect';

/**
 * Which machine an environment lives on, so lists can group by it. `id` is stable across runs for
 * the same host (for ssh: the resolved user@host:port path, also used in `Host gpu-env-host-<id>`).
 */
export interface HostIdentity {
  readonly id: string;
  /** For people: `this machine`, `10.0.0.5:2376`, `me@gpu-box:2222`. */
  readonly label: string;
  /** The engine address as resolved (ssh://…, tcp://…, unix://…). */
  readonly engine: string;
  /**
   * ssh: a Docker host reached over SSH, files and ports live on that host; local/tcp: the engine's own
   * address; slurm: a cluster reached through its login node, files on its shared file system.
   */
  readonly kind: 'local' | 'tcp' | 'ssh' | 'slurm';
}

export function hostIdentity(engine: Pick<Engine, 'endpoint' | 'remote'>): HostIdentity {
  const url = engine.endpoint.url;
  if (engine.remote) return { id: engine.remote.id, label: engine.remote.label, engine: url, kind: 'ssh' };
  if (url.startsWith('tcp://')) return { id: shortHash(url), label: url.replace(/^tcp:\/\//, '').replace(/\/$/, ''), engine: url, kind: 'tcp' };
  return { id: `local-${shortHash(url)}`, label: 'this machine', engine: url, kind: 'local' };
}

function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 10);
}

/** Whether the environment's files live on another machine (nothing is mounted from this one). */
export function filesAreRemote(host: HostIdentity | undefined): boolean {
  return host?.kind === 'ssh' || host?.kind === 'slurm';
}
