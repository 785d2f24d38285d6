import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { parsePartitions } from '../../../../src/core/slurm/partitions';
import { placementProblems, stopScript } from '../../../../src/core/slurm/slurm-run-scheduler';

const partitions = parsePartitions('gpu*|1-00:00:00|up|2\ndebug|1:00:00|up|2\nbig|UNLIMITED|up|16\n');

describe('what a partition cannot give a cluster run', () => {
  it('refuses more nodes than the partition has, naming it and the most there are', () => {
    expect(placementProblems(partitions, undefined, { nodes: 3 }, undefined)).toEqual([{ option: 'nodes', message: 'nodes 3: partition gpu has 2 nodes; ask for at most 2' }]);
    expect(placementProblems(partitions, 'gpu', { nodes: 2 }, undefined)).toEqual([]);
    // Several partitions: the job may run in the largest.
    expect(placementProblems(partitions, 'gpu,big', { nodes: 16 }, undefined)).toEqual([]);
  });

  it('refuses a time limit above the partition\'s', () => {
    expect(placementProblems(partitions, 'debug', { nodes: 1, time: '2:00:00' }, 7200)).toEqual([{ option: 'time', message: 'time 2:00:00: longer than partition debug allows (01:00:00); ask for at most that' }]);
    expect(placementProblems(partitions, 'debug', { nodes: 1, time: '30' }, 1800)).toEqual([]);
  });

  it('says nothing where sinfo did not (an unknown partition is sbatch\'s to refuse)', () => {
    expect(placementProblems(parsePartitions('gpu*|1-00:00:00|up\n'), undefined, { nodes: 64 }, undefined)).toEqual([]);
    expect(placementProblems(partitions, 'nope', { nodes: 64 }, undefined)).toEqual([]);
  });
});

describe('stopping a cluster run\'s job', () => {
  it('marks the run, signals a running job\'s steps (not its batch script), cancels a waiting one, and waits bounded', () => {
    const script = stopScript('/home/me/gpu-env/exp/.gpu-env/runs/r', '42');
    expect(script.split('\n')[0]).toBe('touch /home/me/gpu-env/exp/.gpu-env/runs/r/stop-requested');
    expect(script).toContain('  RUNNING) scancel --signal=TERM 42 ;;');
    expect(script).toContain('  *) scancel 42 ;;');
    expect(script).toContain('gone 120 && exit 0');
    expect(spawnSync('sh', ['-n'], { input: script }).status).toBe(0);
  });

  it('takes only a job id', () => {
    expect(() => stopScript('/r', '42; rm -rf ~')).toThrow(RangeError);
  });
});
