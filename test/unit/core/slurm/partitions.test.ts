import { describe, expect, it } from 'vitest';
import { checkPartitionRequest, parsePartitions } from '../../../../src/core/slurm/partitions';

const partitions = parsePartitions('gpu*|1-00:00:00|up\ndebug|1:00:00|up\ndebug|1:00:00|up\nbad name|x|up\n');
const fields = { partition: '--partition', time: '--time' };

describe('partitions (sinfo)', () => {
  it('parses names, the default, limits and availability', () => {
    expect(partitions).toEqual([
      { name: 'gpu', isDefault: true, maxTimeSeconds: 86_400, up: true },
      { name: 'debug', isDefault: false, maxTimeSeconds: 3600, up: true },
    ]);
  });

  it('refuses an unknown partition naming the ones that exist', () => {
    expect(() => checkPartitionRequest(partitions, { partition: 'nope' }, fields, 'slurm://login')).toThrow('--partition: "nope" is not a partition of slurm://login; its partitions are gpu, debug');
  });

  it('refuses a time limit above the partition\'s (the job would wait forever)', () => {
    expect(() => checkPartitionRequest(partitions, { partition: 'debug', time: '2:00:00', timeSeconds: 7200 }, fields, 'x')).toThrow('--time: "2:00:00" is longer than partition debug allows (01:00:00); ask for at most that');
    expect(() => checkPartitionRequest(partitions, { time: '2-00', timeSeconds: 172_800 }, fields, 'x')).toThrow(/partition gpu allows \(1-00:00:00\)/);
    expect(() => checkPartitionRequest(partitions, { partition: 'gpu', time: '4:00:00', timeSeconds: 14_400 }, fields, 'x')).not.toThrow();
  });

  it('counts each partition\'s nodes (sinfo %D), summing the lines sinfo splits it into', () => {
    expect(parsePartitions('gpu*|1-00:00:00|up|1\ngpu*|1-00:00:00|up|3\ndebug|1:00:00|up|2\n').map((p) => [p.name, p.nodes])).toEqual([['gpu', 4], ['debug', 2]]);
    expect(parsePartitions('gpu*|1-00:00:00|up\n')[0]).not.toHaveProperty('nodes');
  });
});
