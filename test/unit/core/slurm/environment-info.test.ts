import { describe, expect, it } from 'vitest';
import { parseRecord, recordText, type ClusterRecord } from '../../../../src/core/slurm/cluster-state';
import { infosOf, slurmEnvironmentInfo } from '../../../../src/core/slurm/environment-info';
import { parseSqueue } from '../../../../src/core/slurm/squeue';

const cluster = { id: 'abc123', label: 'me@login', url: 'slurm://login', user: 'me' };
const record: ClusterRecord = { name: 'exp', workspace: '/home/me/gpu-env/exp', spec: { nodes: 1, gpusPerNode: { count: 1 }, setup: [], sbatchArgs: [] }, software: { kind: 'native' }, jobId: '7' };
const [pending, running] = parseSqueue([
  '8|gpu-env-exp|PENDING|Resources||gres/gpu:1|2:00:00|2026-12-03T11:54:00|2:00:00|gpu|1',
  '7|gpu-env-exp|RUNNING|None|node2|gres/gpu:1|1:00:00|2026-12-03T09:43:53|2:00:00|gpu|1',
].join('\n'));

describe('Slurm environments as infos', () => {
  it('a running job: state, node, GPUs, the route SSH takes, when it ends, the workspace its sessions see', () => {
    const info = slurmEnvironmentInfo(cluster, 'exp', record, running, new Date('2026-12-03T10:00:00Z'));
    expect(info).toMatchObject({
      name: 'exp', container: 'gpu-env-exp', id: '7', state: 'running', status: 'running', gpus: 'gpu:1', image: 'node software', workspace: record.workspace,
      workdir: record.workspace, engine: 'slurm://login', endsAt: '2026-12-03T11:00:00.000Z',
      ssh: { host: 'node2', port: null, user: 'me', alias: 'gpu-env-exp', jump: 'gpu-env-host-abc123', route: 'srun --overlap on node2 (job 7) via me@login' },
      host: { id: 'slurm-abc123', kind: 'slurm', label: 'me@login', engine: 'slurm://login' },
      job: { id: '7', state: 'RUNNING', nodes: ['node2'], gpus: 'gpu:1', partition: 'gpu', timeLeftSeconds: 3600 },
    });
  });

  it('a pending job: the reason and the expected start, no node and no end yet', () => {
    const info = slurmEnvironmentInfo(cluster, 'exp', record, pending);
    expect(info).toMatchObject({ state: 'pending', status: 'pending (Resources)', job: { reason: 'Resources', expectedStart: '2026-12-03T11:54:00', nodes: [] } });
    expect(info.endsAt).toBeUndefined();
    expect(info.ssh.route).toBeUndefined();
  });

  it('no job: stopped, its workspace kept', () => {
    expect(slurmEnvironmentInfo(cluster, 'exp', record, undefined)).toMatchObject({ state: 'stopped', status: 'no job', id: '', workspace: record.workspace });
  });

  it('lists environments by record and by live job, sorted', () => {
    const infos = infosOf(cluster, { jobs: [running!, { ...running!, id: '9', name: 'gpu-env-other' }, { ...running!, id: '3', name: 'someone-else' }], records: [record] });
    expect(infos.map((i) => [i.name, i.state])).toEqual([['exp', 'running'], ['other', 'running']]);
  });

  it('reads back the records it writes, and nothing malformed', () => {
    expect(parseRecord(recordText(record))).toEqual(record);
    for (const bad of ['', 'not json', '[]', JSON.stringify({ ...record, name: '../x' }), JSON.stringify({ ...record, workspace: 'relative' }), JSON.stringify({ ...record, jobId: '1;rm' }), JSON.stringify({ ...record, software: { kind: 'docker' } })]) {
      expect(parseRecord(bad)).toBeUndefined();
    }
  });
});
