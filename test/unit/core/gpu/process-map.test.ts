import { describe, expect, it } from 'vitest';
import {
  CANNOT_MAP_HOST_PIDS,
  CANNOT_MAP_NO_CONTAINER_PID,
  CANNOT_MAP_UNKNOWN_NAMESPACE,
  mapGpuProcessesToRuns,
  parseProcStatus,
} from '../../../../src/core/gpu/process-map';

/**
 * CONSTRUCTED process tables in /proc/<pid>/status form (Name, PPid, NSpid as the kernel prints
 * them). No real multi-namespace /proc dump with GPU processes was found to use as a fixture.
 */
function status(name: string, ppid: number, nspid: number[]): string {
  return `Name:\t${name}\nUmask:\t0022\nState:\tS (sleeping)\nTgid:\t${nspid[0]}\nPid:\t${nspid[0]}\nPPid:\t${ppid}\nNSpid:\t${nspid.join('\t')}\n`;
}

function reader(table: Record<number, string>) {
  const reads: number[] = [];
  const read = async (pid: number) => {
    reads.push(pid);
    return table[pid] ?? null;
  };
  return { read, reads };
}

describe('parseProcStatus', () => {
  it('reads PPid and the NSpid list, outermost namespace first', () => {
    expect(parseProcStatus(status('python', 900, [41234, 57]), 41234)).toEqual({ ppid: 900, nspid: [41234, 57] });
  });

  it('falls back to the pid itself on kernels without NSpid, and ignores garbage', () => {
    expect(parseProcStatus('Name:\tx\nPPid:\t1\n', 7)).toEqual({ ppid: 1, nspid: [7] });
    expect(parseProcStatus('garbage\nNSpid:\t1\tx\n', 7)).toEqual({ ppid: null, nspid: [7] });
  });
});

describe('mapGpuProcessesToRuns', () => {
  it('inside a container with its own PID namespace: says it cannot map, reads nothing', async () => {
    const { read, reads } = reader({ 4242: status('python', 1, [4242]) });
    const result = await mapGpuProcessesToRuns({
      gpuPids: [4242], runs: [{ runId: 'r1', pid: 4242 }], view: { where: 'container', namespace: 'child' }, readStatus: read,
    });
    // pid 4242 exists in the container, but NVML's 4242 is a host pid: matching would be a guess.
    expect(result).toEqual({ kind: 'cannot-map', reason: CANNOT_MAP_HOST_PIDS });
    expect(reads).toEqual([]);
  });

  it('unknown namespace: also refuses', async () => {
    const result = await mapGpuProcessesToRuns({ gpuPids: [1], runs: [], view: { where: 'container', namespace: 'unknown' }, readStatus: async () => null });
    expect(result).toEqual({ kind: 'cannot-map', reason: CANNOT_MAP_UNKNOWN_NAMESPACE });
  });

  it('container sharing the host PID namespace: walks parents up to the run', async () => {
    const { read } = reader({
      5003: status('pt_data_worker', 5001, [5003]),
      5001: status('python', 5000, [5001]),
      5000: status('python', 1, [5000]),
      1: status('init', 0, [1]),
      6000: status('jupyter', 1, [6000]),
    });
    const result = await mapGpuProcessesToRuns({
      gpuPids: [5003, 6000, 7000],
      runs: [{ runId: 'cifar-1', pid: 5000 }],
      view: { where: 'container', namespace: 'initial' },
      readStatus: read,
    });
    expect(result).toEqual({
      kind: 'mapped',
      mappings: [
        { gpuPid: 5003, status: 'run', runId: 'cifar-1', containerPid: 5003 },
        { gpuPid: 6000, status: 'not-a-run', containerPid: 6000 },
        { gpuPid: 7000, status: 'gone' },
      ],
    });
  });

  it('from the host: NSpid gives the pid inside the container, and only this container counts', async () => {
    const { read } = reader({
      // This environment's container: init is host pid 3000 (pid 1 inside).
      41234: status('python', 41200, [41234, 57]),
      41200: status('python', 3000, [41200, 42]),
      3000: status('entrypoint', 2990, [3000, 1]),
      2990: status('containerd-shim', 1, [2990]),
      1: status('systemd', 0, [1]),
      // Another container whose process has the same inner pid 42 as our run.
      52000: status('python', 51000, [52000, 42]),
      51000: status('entrypoint', 2990, [51000, 1]),
    });
    const result = await mapGpuProcessesToRuns({
      gpuPids: [41234, 52000],
      runs: [{ runId: 'run-a', pid: 42 }],
      view: { where: 'host', containerInitPid: 3000 },
      readStatus: read,
    });
    expect(result).toEqual({
      kind: 'mapped',
      mappings: [
        { gpuPid: 41234, status: 'run', runId: 'run-a', containerPid: 57 },
        { gpuPid: 52000, status: 'not-a-run', containerPid: null },
      ],
    });
  });

  it('from the host without the container\'s init pid: refuses rather than guess', async () => {
    const result = await mapGpuProcessesToRuns({ gpuPids: [1], runs: [], view: { where: 'host', containerInitPid: 0 }, readStatus: async () => null });
    expect(result).toEqual({ kind: 'cannot-map', reason: CANNOT_MAP_NO_CONTAINER_PID });
  });

  it('survives a parent loop and bounds the walk', async () => {
    const { read, reads } = reader({ 10: status('a', 11, [10]), 11: status('b', 10, [11]) });
    const result = await mapGpuProcessesToRuns({ gpuPids: [10], runs: [{ runId: 'x', pid: 99 }], view: { where: 'container', namespace: 'initial' }, readStatus: read });
    expect(result).toEqual({ kind: 'mapped', mappings: [{ gpuPid: 10, status: 'not-a-run', containerPid: 10 }] });
    expect(reads).toEqual([10, 11]);
  });
});
