import { describe, expect, it } from 'vitest';
import { parseJobGpus, parseSinfoGpus, partitionGpus } from '../../../../src/core/slurm/partition-gpus';

// sinfo -h -N -o '%N|%P|%G|%T' and scontrol -d -o show job as Slurm 24.11 printed them on the test cluster (trimmed).
const SINFO = 'node1|gpu*|gpu:2|mixed\nnode1|debug|gpu:2|mixed\nnode2|gpu*|gpu:a100:2(S:0-1)|idle\nnode3|cpu|(null)|idle\nnode4|gpu*|gpu:1|drained\n';
const JOBS = [
  'JobId=7 JobName=gpu-env-exp UserId=alice(2000) JobState=RUNNING Partition=gpu NodeList=node1 JOB_GRES=gpu:1   Nodes=node1 CPU_IDs=0 Mem=0 GRES=gpu:1(IDX:1) MinCPUsNode=1',
  'JobId=8 JobName=train UserId=bob(2001) JobState=RUNNING Partition=gpu NodeList=node2 JOB_GRES=gpu:a100:2   Nodes=node2 CPU_IDs=0-1 Mem=0 GRES=gpu:a100:2(IDX:0-1) MinCPUsNode=1',
  'JobId=9 JobName=gpu-env-later UserId=alice(2000) JobState=PENDING Partition=gpu',
].join('\n');

describe('a cluster\'s GPUs from sinfo and scontrol', () => {
  it('one entry per node with GPUs, its partitions, count and type; nodes without GPUs are left out', () => {
    expect(parseSinfoGpus(SINFO)).toEqual([
      { node: 'node1', partitions: ['gpu', 'debug'], count: 2, type: null, state: 'mixed' },
      { node: 'node2', partitions: ['gpu'], count: 2, type: 'a100', state: 'idle' },
      { node: 'node4', partitions: ['gpu'], count: 1, type: null, state: 'drained' },
    ]);
  });
  it('the GPU indices each running job holds on each node', () => {
    const jobs = parseJobGpus(JOBS);
    expect(jobs.map((j) => [j.jobId, j.jobName, j.user, [...j.indices]])).toEqual([
      ['7', 'gpu-env-exp', 'alice', [['node1', [1]]]],
      ['8', 'train', 'bob', [['node2', [0, 1]]]],
    ]);
  });
  it('every GPU with its holder: a gpu-env environment by name, another job by id and name; a drained node\'s GPU is not free', () => {
    const gpus = partitionGpus(parseSinfoGpus(SINFO), parseJobGpus(JOBS));
    expect(gpus.map((g) => [`${g.node}/${g.index}`, g.free, g.holders.map((h) => [h.environment, h.owner, h.container])])).toEqual([
      ['node1/0', true, []],
      ['node1/1', false, [['exp', 'alice', 'job 7']]],
      ['node2/0', false, [[null, 'bob', 'job 8 (train)']]],
      ['node2/1', false, [[null, 'bob', 'job 8 (train)']]],
      ['node4/0', false, []],
    ]);
    expect(partitionGpus(parseSinfoGpus(SINFO), [], 'debug').map((g) => `${g.node}/${g.index}`)).toEqual(['node1/0', 'node1/1']);
  });
});
