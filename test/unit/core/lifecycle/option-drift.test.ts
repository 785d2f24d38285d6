import type Docker from 'dockerode';
import { describe, expect, it } from 'vitest';
import { LABEL } from '../../../../src/core/container/labels';
import { driftMessage, optionDrift } from '../../../../src/core/lifecycle/option-drift';
import { CLI_FIELDS, validateUpInput, type DockerUpRequest } from '../../../../src/core/lifecycle/request';
import { SETTING_FIELDS } from '../../../../src/vscode/settings';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

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

  it('GPUs: auto never drifts; none and all are compared as such; a count not met names the devices it has', () => {
    const none = container({});
    const all = container({ DeviceRequests: [{ Driver: 'nvidia', Count: -1, Capabilities: [['gpu']] }] });
    expect(optionDrift(all, request({ given: ['gpus'], gpus: { kind: 'auto' } }))).toEqual([]);
    expect(optionDrift(none, request({ given: ['gpus'], gpus: { kind: 'none' } }))).toEqual([]);
    expect(optionDrift(none, request({ given: ['gpus'], gpus: { kind: 'all' } }))).toEqual([{ field: '--gpus', running: 'none', asked: 'all' }]);
    const two = container({ DeviceRequests: [{ Driver: 'nvidia', DeviceIDs: ['0', '1'], Capabilities: [['gpu']] }] });
    expect(optionDrift(two, request({ given: ['gpus'], gpus: { kind: 'devices', ids: ['0', '1'] } }))).toEqual([]);
    expect(optionDrift(two, request({ given: ['gpus'], gpus: { kind: 'count', count: 2 } }))).toEqual([]);
    expect(optionDrift(two, request({ given: ['gpus'], gpus: { kind: 'count', count: 3 } }))).toEqual([{ field: '--gpus', running: '0,1', asked: '3' }]);
    expect(optionDrift(all, request({ given: ['gpus'], gpus: { kind: 'count', count: 1 } }))).toEqual([{ field: '--gpus', running: 'all', asked: '1' }]);
  });

  it('a limit asked where none runs, and none asked where one runs, read "no limit"; idle stop "off"', () => {
    expect(optionDrift(container({ Memory: 0 }, { [LABEL.idleStop]: 'junk' }), request({ given: ['memory', 'idleStop'], memoryBytes: 512 * 2 ** 20, idleStopMs: 60_000 }))).toEqual([
      { field: '--memory', running: 'no limit', asked: '512m' },
      { field: '--idle-stop', running: 'off', asked: '1m' },
    ]);
    expect(optionDrift(container({ NanoCpus: 1.5e9 }), request({ given: ['cpus'] }))).toEqual([{ field: '--cpus', running: '1.5', asked: 'no limit' }]);
  });

  it('the workspace of an environment on another machine is not compared (it is a folder there)', () => {
    const remote = request({ given: ['workspace'], workspace: '~/gpu-env/x', remote: { workspace: '~/gpu-env/x' } });
    expect(optionDrift(container({}), remote)).toEqual([]);
  });

  it('names the options as the front end does (VS Code settings)', () => {
    const fields = { ...SETTING_FIELDS, remoteWorkspace: SETTING_FIELDS.remoteWorkspace ?? 'gpuEnv.remoteWorkspace' };
    const drift = optionDrift(container({}), request({ given: ['memory', 'shmSize'], memoryBytes: 2 ** 34, shmSizeBytes: 2 ** 31, fields }));
    expect(drift.map((d) => d.field)).toEqual([SETTING_FIELDS.memory, SETTING_FIELDS.shmSize]);
    expect(driftMessage('exp', drift, 'choose Recreate')).toBe(`gpu-env-exp exists and keeps the options it was made with (${SETTING_FIELDS.memory}: runs with no limit, asked 16g; ${SETTING_FIELDS.shmSize}: runs with 8g, asked 2g). choose Recreate`);
  });
});

describe('validateUpInput records which options were given (defaults never count) and --recreate', () => {
  const workspace = mkdtempSync(join(tmpdir(), 'drift-given-'));
  const validate = (input: Parameters<typeof validateUpInput>[0], env: NodeJS.ProcessEnv = {}) => validateUpInput({ workspace, uid: '1000', ...input }, CLI_FIELDS, env, '/', '/home/nobody') as DockerUpRequest;

  it('lists what the input set, and the base image from GPU_ENV_BASE_IMAGE', () => {
    expect(validate({}).given).toEqual(['workspace', 'uid']);
    expect(validate({ memory: '4g', gpus: 'none', shmSize: '' }).given).toEqual(['workspace', 'uid', 'gpus', 'memory']);
    expect(validate({}, { GPU_ENV_BASE_IMAGE: 'pytorch/pytorch:2' }).given).toEqual(['workspace', 'uid', 'baseImage']);
    expect(validate({}).recreate).toBeUndefined();
    expect(validate({ recreate: true }).recreate).toBe(true);
  });

  it('--recreate on a Slurm cluster is refused, saying what to do instead', () => {
    expect(() => validateUpInput({ host: 'slurm://me@login', recreate: true }, CLI_FIELDS, {}, '/', '/home/nobody'))
      .toThrow(/^--recreate: only for a Docker engine; on a Slurm cluster stop the environment \(gpu-env down\)/);
  });
});
