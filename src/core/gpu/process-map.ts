/**
 * Which run of this environment owns a GPU process?
 *
 * NVML reports PIDs of the initial (host) PID namespace, also when asked from inside a container.
 * A run's pid (status.json) is in the container's namespace. The two can be matched only where
 * host PIDs are visible:
 *  - from inside the container when it shares the host's PID namespace (`--pid=host`): the pids
 *    are the same numbers; walk each GPU process's parents up to a run's pid;
 *  - from the host (a local Docker engine): /proc/<host pid>/status has an `NSpid:` line listing
 *    the pid in each namespace, outermost first; the last entry is the pid inside the container.
 * Everywhere else a GPU pid read in the container's /proc names a different process or none, so
 * guessing would attribute memory to the wrong run: we say "cannot map" instead.
 */
import type { PidNamespace } from './types';

export const CANNOT_MAP_HOST_PIDS = 'cannot map: host PIDs not visible in the container';
export const CANNOT_MAP_UNKNOWN_NAMESPACE = 'cannot map: the container\'s PID namespace is unknown';
export const CANNOT_MAP_NO_CONTAINER_PID = 'cannot map: the container\'s init pid on the host is needed';

export interface RunPid {
  readonly runId: string;
  /** The run's process id as recorded inside the environment (status.json). */
  readonly pid: number;
}

/** Reads /proc/<pid>/status text in the viewer's PID namespace; null when there is no such pid. */
export type ProcStatusReader = (pid: number) => Promise<string | null>;

export type ProcessView =
  /** /proc as seen inside the environment's container; `namespace` comes from the agent hello. */
  | { readonly where: 'container'; readonly namespace: PidNamespace }
  /** /proc on the Docker host; `containerInitPid` is the container's pid 1 as a host pid
   *  (`docker inspect -f '{{.State.Pid}}'`), to tell this container from others. */
  | { readonly where: 'host'; readonly containerInitPid: number };

export type PidMapping =
  | { readonly gpuPid: number; readonly status: 'run'; readonly runId: string; readonly containerPid: number }
  /** Visible, but not a descendant of any run (a notebook, another container, the desktop). */
  | { readonly gpuPid: number; readonly status: 'not-a-run'; readonly containerPid: number | null }
  /** No such process any more (it exited between the GPU sample and this lookup). */
  | { readonly gpuPid: number; readonly status: 'gone' };

export type ProcessMapResult =
  | { readonly kind: 'mapped'; readonly mappings: readonly PidMapping[] }
  | { readonly kind: 'cannot-map'; readonly reason: string };

export interface ProcessMapInput {
  readonly gpuPids: readonly number[];
  readonly runs: readonly RunPid[];
  readonly view: ProcessView;
  readonly readStatus: ProcStatusReader;
  /** Parent links followed at most (guards against loops and deep trees). */
  readonly maxDepth?: number;
}

interface ProcStatus {
  readonly ppid: number | null;
  /** NSpid entries, outermost namespace first; [pid] when the kernel has no NSpid line. */
  readonly nspid: readonly number[];
}

const MAX_GPU_PIDS = 1024;

export function parseProcStatus(text: string, pid: number): ProcStatus {
  let ppid: number | null = null;
  let nspid: number[] = [pid];
  for (const line of text.split('\n')) {
    const match = /^(\w+):\s*(.*)$/.exec(line);
    if (match === null) continue;
    const [, key, rest = ''] = match;
    if (key === 'PPid') ppid = toPid(rest.trim());
    if (key === 'NSpid') {
      const ids = rest.trim().split(/\s+/).map(toPid);
      if (ids.length > 0 && ids.every((id): id is number => id !== null)) nspid = ids;
    }
  }
  return { ppid, nspid };
}

function toPid(text: string): number | null {
  return /^\d{1,10}$/.test(text) ? Number(text) : null;
}

/** The pid at a given namespace level (0 = the viewer's), or null when the process is not that deep. */
function pidAtLevel(status: ProcStatus, level: number): number | null {
  return status.nspid[level] ?? null;
}

/** A process and its ancestors, nearest first. */
type Chain = Array<{ pid: number; status: ProcStatus }>;

/** The process and its ancestors, nearest first, as far as they are readable. */
async function ancestry(pid: number, read: ProcStatusReader, maxDepth: number): Promise<Chain> {
  const chain: Chain = [];
  const seen = new Set<number>();
  for (let current: number | null = pid; current !== null && current > 0 && chain.length <= maxDepth; ) {
    if (seen.has(current)) break;
    seen.add(current);
    const text = await read(current);
    if (text === null) break;
    const status = parseProcStatus(text, current);
    chain.push({ pid: current, status });
    current = status.ppid;
  }
  return chain;
}

/** Walks each GPU pid's ancestry once; `classify` decides for a process that still exists. */
async function mapEach(input: ProcessMapInput, maxDepth: number, classify: (gpuPid: number, chain: Chain) => PidMapping) {
  const mappings: PidMapping[] = [];
  for (const gpuPid of input.gpuPids.slice(0, MAX_GPU_PIDS)) {
    const chain = await ancestry(gpuPid, input.readStatus, maxDepth);
    mappings.push(chain.length === 0 ? { gpuPid, status: 'gone' } : classify(gpuPid, chain));
  }
  return mappings;
}

/** Same PID namespace as NVML: pids compare directly. */
function classifyInContainer(runByPid: Map<number, string>) {
  return (gpuPid: number, chain: Chain): PidMapping => {
    const owner = chain.find((link) => runByPid.has(link.pid));
    return owner
      ? { gpuPid, status: 'run', runId: runByPid.get(owner.pid)!, containerPid: gpuPid }
      : { gpuPid, status: 'not-a-run', containerPid: gpuPid };
  };
}

/** Host view: only links from the process up to the container's init count, compared at the
 *  container's namespace level (as deep as its init's NSpid says; runs recorded pids there). */
function classifyFromHost(runByPid: Map<number, string>, initPid: number) {
  return (gpuPid: number, chain: Chain): PidMapping => {
    const initAt = chain.findIndex((link) => link.pid === initPid);
    if (initAt < 0) return { gpuPid, status: 'not-a-run', containerPid: null };
    const level = chain[initAt]!.status.nspid.length - 1;
    const owner = chain.slice(0, initAt + 1).find((link) => runByPid.has(pidAtLevel(link.status, level) ?? -1));
    const containerPid = pidAtLevel(chain[0]!.status, level);
    const runId = owner ? runByPid.get(pidAtLevel(owner.status, level) ?? -1) : undefined;
    return runId !== undefined && containerPid !== null
      ? { gpuPid, status: 'run', runId, containerPid }
      : { gpuPid, status: 'not-a-run', containerPid };
  };
}

export async function mapGpuProcessesToRuns(input: ProcessMapInput): Promise<ProcessMapResult> {
  const maxDepth = input.maxDepth ?? 64;
  const runByPid = new Map(input.runs.map((run) => [run.pid, run.runId]));
  const view = input.view;
  if (view.where === 'container') {
    if (view.namespace === 'child') return { kind: 'cannot-map', reason: CANNOT_MAP_HOST_PIDS };
    if (view.namespace === 'unknown') return { kind: 'cannot-map', reason: CANNOT_MAP_UNKNOWN_NAMESPACE };
    return { kind: 'mapped', mappings: await mapEach(input, maxDepth, classifyInContainer(runByPid)) };
  }
  if (!Number.isInteger(view.containerInitPid) || view.containerInitPid <= 0) {
    return { kind: 'cannot-map', reason: CANNOT_MAP_NO_CONTAINER_PID };
  }
  return { kind: 'mapped', mappings: await mapEach(input, maxDepth, classifyFromHost(runByPid, view.containerInitPid)) };
}
