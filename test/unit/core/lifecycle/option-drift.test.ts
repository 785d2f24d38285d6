import type Docker from 'dockerode';
import { describe, expect, it } from 'vitest';
import { LABEL } from '../../../../src/core/container/labels';
import { optionDrift } from '../../../../src/core/lifecycle/option-drift';
import { CLI_FIELDS, type DockerUpRequest } from '../../../../src/core/lifecycle/request';

function container(host: Partial<Docker.HostConfig>, labels: Record<string, string> = {}, env: string[] = ['GPU_ENV_UID=1000']): Docker.ContainerInspectInfo {
  return {
    Config: { Image: 'gpu-env/pytorch-cuda:base-aaaa', Labels: { [LABEL.workspace]: '/home/u/p', ...labels }, Env: env },
    HostConfig: { ShmSize: 8 * 1024 ** 3, ...host },
    Mounts: [{ Type: 'bind', Source: '/home/u/p', Destination: '/workspace' }],
  } as unknown as Docker.ContainerInspectInfo;
}

function request(over: Partial<DockerUpRequest>): DockerUpRequest {
  return { name: 'x', workspace: '/home/u/p', uid: 1000, gid: 1000, gpus: { kind: 'auto' }, shmSizeBytes: 8 * 1024 ** 3, baseImage: 'b', pull: false, fields: { ...CLI_FIELDS, remoteWorkspace: '--remote-workspace' }, ...over };
}

describe('optionDrift', () => {
  it('compares only what was asked for: defaults never count', () => {
    expect(optionDrift(container({ Memory: 2 ** 30 }), request({ shmSizeBytes: 2 ** 30 }))).toEqual([]);
  });

  it('names each option that differs with the running and the asked value', () => {
    const drift = optionDrift(
      container({ Memory: 2 ** 30, NanoCpus: 2e9, DeviceRequests: [{ Driver: 'nvidia', Count: -1, Capabilities: [['gpu']] }] }, { [LABEL.idleStop]: '1800000' }),
      request({ given: ['memory', 'cpus', 'shmSize', 'gpus', 'uid', 'idleStop', 'workspace'], memoryBytes: 2 ** 31, nanoCpus: 2e9, shmSizeBytes: 2 ** 30, gpus: { kind: 'devices', ids: ['0'] }, uid: 0, idleStopMs: 3_600_000, workspace: '/home/u/other' }),
    );
    expect(drift.map((d) => `${d.field} ${d.running} -> ${d.asked}`)).toEqual([
      '--workspace /home/u/p -> /home/u/other', '--memory 1g -> 2g', '--shm-size 8g -> 1g', '--uid 1000 -> 0', '--gpus all -> 0', '--idle-stop 30m -> 1h',
    ]);
  });

  it('a base image that builds to another image, a ready image that is another, a GPU count that is met', () => {
    const running = container({ DeviceRequests: [{ Driver: 'nvidia', DeviceIDs: ['2', '3'], Capabilities: [['gpu']] }] }, { [LABEL.gpuCount]: '2' });
    expect(optionDrift(running, request({ given: ['baseImage', 'gpus'], gpus: { kind: 'count', count: 2 } }), 'gpu-env/pytorch-cuda:other-bbbb')).toEqual([
      { field: '--base-image', running: 'gpu-env/pytorch-cuda:base-aaaa', asked: 'gpu-env/pytorch-cuda:other-bbbb' },
    ]);
    expect(optionDrift(running, request({ given: ['image', 'gpus'], image: 'me/ready:1', gpus: { kind: 'count', count: 1 } }))).toEqual([
      { field: '--gpus', running: '2 (2,3)', asked: '1' },
      { field: '--image', running: 'gpu-env/pytorch-cuda:base-aaaa', asked: 'me/ready:1' },
    ]);
  });
});
