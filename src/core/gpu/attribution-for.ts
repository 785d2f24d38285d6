/**
 * The GPU monitor's attribution (gpu-attribution.ts) for an environment of any target: runs are
 * listed over an SSH session into it; GPU processes are looked up inside it when it shares the
 * machine's PID namespace (a Slurm job without a container, `--pid=host`), else where the target
 * can (a Docker engine's machine); GPU claims come from the target where it has them.
 */
import type { CoreContext } from '../lifecycle/context';
import { RunsClient } from '../runs/runs-client';
import type { SshSession } from '../ssh/session';
import { GpuAttribution, type ProcessLookup, type RunOfPid } from './gpu-attribution';
import type { ProcStatusReader } from './process-map';

export interface AttributionTarget {
  openSession(name: string, ctx: CoreContext): Promise<SshSession>;
  hostProcessLookup?(name: string, ctx: CoreContext): Promise<ProcessLookup>;
  gpuClaims?(name: string, ctx: CoreContext): Promise<import('./gpu-attribution').ClaimsSnapshot>;
}

const ACTIVE = new Set(['starting', 'running']);

export function attributionFor(target: AttributionTarget, name: string, ctx: CoreContext, log?: (message: string) => void): GpuAttribution {
  const withSession = async <T>(work: (session: SshSession) => Promise<T>): Promise<T> => {
    const session = await target.openSession(name, ctx);
    try {
      return await work(session);
    } finally {
      session.close();
    }
  };
  return new GpuAttribution({
    processLookup: async (hello): Promise<ProcessLookup> => {
      if (hello?.pidNamespace === 'initial') {
        const table = await withSession((session) => processTable(session));
        const readStatus: ProcStatusReader = async (pid) => table.get(pid) ?? null;
        return { kind: 'view', view: { where: 'container', namespace: 'initial' }, readStatus };
      }
      if (target.hostProcessLookup) return target.hostProcessLookup(name, ctx);
      return { kind: 'none', reason: 'cannot map: host PIDs not visible in the environment' };
    },
    runPids: () => withSession(async (session): Promise<RunOfPid[]> => {
      const list = await new RunsClient(session).list(ctx.signal);
      return list.runs.flatMap((listing) => {
        const status = listing.status;
        return status && status.pid !== null && ACTIVE.has(status.state) ? [{ runId: listing.id, pid: status.pid, label: listing.run?.label ?? null }] : [];
      });
    }),
    claims: async () => (target.gpuClaims ? target.gpuClaims(name, ctx) : { own: null, running: [] }),
    ...(log ? { log } : {}),
  }, name);
}

const MAX_PROCESSES = 100_000;

/** Pid, PPid and NSpid of every process the session sees, in one command: pid -> those lines. */
async function processTable(session: SshSession): Promise<Map<number, string>> {
  const result = await session.exec('for f in /proc/[0-9]*/status; do grep -E "^(Pid|PPid|NSpid):" "$f" 2>/dev/null; echo; done');
  const table = new Map<number, string>();
  for (const block of result.stdout.split('\n\n').slice(0, MAX_PROCESSES)) {
    const pid = /^Pid:\s*(\d+)$/m.exec(block)?.[1];
    if (pid !== undefined) table.set(Number(pid), block);
  }
  return table;
}
