import { describe, expect, it } from 'vitest';
import { expandNodeList, isLiveJob, parseSqueue } from '../../../../src/core/slurm/squeue';

// Lines as Slurm 24.11's squeue printed them on the test cluster (-h -o SQUEUE_FORMAT).
const OUTPUT = [
  '4|gpu-env-y|PENDING|Priority||gres/gpu:1|2:00:00|2026-12-03T11:54:00|2:00:00|gpu|1',
  '3|blk|PENDING|Resources||N/A|2:00:00|N/A|2:00:00|gpu|2',
  '2|gpu-env-x|RUNNING|None|node1|gres/gpu:1|9:57|2026-12-03T09:43:53|10:00|gpu|1',
  '7|gpu-env-z|RUNNING|None|node[1-2]|gres:gpu:a100:2|1-00:00:00|2026-12-03T09:43:53|UNLIMITED|debug|2',
  'garbage line',
].join('\n');

describe('squeue output', () => {
  it('parses state, reason, nodes, GPUs, time left and expected start', () => {
    expect(parseSqueue(OUTPUT)).toEqual([
      { id: '4', name: 'gpu-env-y', state: 'PENDING', reason: 'Priority', gpus: 'gpu:1', timeLeftSeconds: 7200, startTime: '2026-12-03T11:54:00', timeLimitSeconds: 7200, partition: 'gpu', nodeCount: 1 },
      { id: '3', name: 'blk', state: 'PENDING', reason: 'Resources', timeLeftSeconds: 7200, timeLimitSeconds: 7200, partition: 'gpu', nodeCount: 2 },
      { id: '2', name: 'gpu-env-x', state: 'RUNNING', nodeList: 'node1', gpus: 'gpu:1', timeLeftSeconds: 597, startTime: '2026-12-03T09:43:53', timeLimitSeconds: 600, partition: 'gpu', nodeCount: 1 },
      { id: '7', name: 'gpu-env-z', state: 'RUNNING', nodeList: 'node[1-2]', gpus: 'gpu:a100:2', timeLeftSeconds: 86_400, startTime: '2026-12-03T09:43:53', timeLimitSeconds: Infinity, partition: 'debug', nodeCount: 2 },
    ]);
  });

  it('tells live jobs from finished ones', () => {
    const [pending, , running] = parseSqueue(OUTPUT);
    expect(isLiveJob(pending!)).toBe(true);
    expect(isLiveJob(running!)).toBe(true);
    expect(isLiveJob({ ...running!, state: 'COMPLETING' })).toBe(false);
    expect(isLiveJob({ ...running!, state: 'CANCELLED' })).toBe(false);
  });

  it('expands compressed node lists', () => {
    expect(expandNodeList('node1')).toEqual(['node1']);
    expect(expandNodeList('node[1-3,5],gpu7')).toEqual(['node1', 'node2', 'node3', 'node5', 'gpu7']);
    expect(expandNodeList('n[08-10]')).toEqual(['n08', 'n09', 'n10']);
  });
});
