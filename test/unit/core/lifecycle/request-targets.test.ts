import { describe, expect, it } from 'vitest';
import { CLI_FIELDS, engineIsRemote, settingsForTarget, validateUpInput } from '../../../../src/core/lifecycle/request';

const HOST = 'slurm://me@login.cluster.edu:2222';
const validate = (input: Parameters<typeof validateUpInput>[0]) => validateUpInput(input, CLI_FIELDS, {}, '/tmp', '/home/nobody');

describe('up requests for a Slurm cluster', () => {
  it('is a batch job with its options, its workspace on the cluster (default ~/gpu-env/NAME)', () => {
    expect(validate({ name: 'exp', host: HOST, slurm: { partition: 'gpu', time: '4:00:00', gpusPerNode: '2' } })).toEqual({
      kind: 'slurm',
      name: 'exp',
      host: HOST,
      job: { partition: 'gpu', time: '4:00:00', timeSeconds: 14_400, nodes: 1, gpusPerNode: { count: 2 }, setup: [], sbatchArgs: [] },
      workspace: '~/gpu-env/exp',
      remote: { workspace: '~/gpu-env/exp' },
      fields: { partition: '--partition', time: '--time', containerImage: '--container-image' },
    });
    expect(validate({ host: 'slurm://cluster', remoteWorkspace: '/scratch/me/exp' })).toMatchObject({ workspace: '/scratch/me/exp' });
  });

  it.each([
    [{ gpus: 'all' }, /^--gpus: only for a Docker engine; on a Slurm cluster ask for GPUs per node with --gpus-per-node$/],
    [{ memory: '16g' }, /^--memory: only for a Docker engine; on a Slurm cluster ask for memory per node with --mem$/],
    [{ image: 'x/y' }, /^--image: only for a Docker engine; on a Slurm cluster run a container image with --container-image/],
    [{ shmSize: '8g' }, /^--shm-size: only for a Docker engine/],
    [{ slurm: { nodes: '0' } }, /^--nodes: "0" is not a node count/],
    [{ remoteWorkspace: 'relative' }, /^--remote-workspace: "relative" is not a folder on the remote host/],
  ])('refuses %j, naming the flag', (extra, message) => {
    expect(() => validate({ name: 'exp', host: HOST, ...extra })).toThrow(message);
  });

  it('refuses a malformed cluster address naming the accepted forms', () => {
    expect(() => validate({ host: 'slurm://' })).toThrow(/^--host: "slurm:\/\/" is not a Slurm cluster address; use slurm:\/\/\[user@\]login\[:port\]/);
    expect(() => validate({ host: 'slurm://me@login:70000' })).toThrow(/has port 70000; use a port from 1 to 65535/);
  });

  it('refuses Slurm options for a Docker engine', () => {
    expect(() => validate({ host: 'unix:///var/run/docker.sock', slurm: { partition: 'gpu', time: '1:00:00' } }))
      .toThrow(/^--partition, --time: only for a Slurm cluster \(--host slurm:\/\/\[user@\]login\[:port\]\); this target is a Docker engine$/);
  });

  it('counts a cluster as remote: its files are not on this machine', () => {
    expect(engineIsRemote(HOST, CLI_FIELDS, {}, '/home/nobody')).toBe(true);
  });

  it('leaves out the settings of the other kind of target (flags are refused instead)', () => {
    const input = { name: 'exp', gpus: 'all', shmSize: '8g', slurm: { partition: 'gpu' } };
    expect(settingsForTarget({ ...input, host: HOST })).toEqual({ name: 'exp', host: HOST, slurm: { partition: 'gpu' } });
    expect(settingsForTarget({ ...input, host: 'ssh://me@box' })).toEqual({ name: 'exp', host: 'ssh://me@box', gpus: 'all', shmSize: '8g' });
  });
});
