import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { localApi } from '../../../src/core/local-api';
import { startEnvironment, startRequest } from '../../../src/vscode/start-flow';
import type { UpResult } from '../../../src/core/lifecycle/up';
import { fakeCore, fakeServices } from '../../support/extension-fakes';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A folder owned by a non-root user, as a real workspace is (chown when the tests run as root). */
function userFolder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'gpu-env-vscode-settings-'));
  dirs.push(dir);
  if (process.getuid?.() === 0) chownSync(dir, 1234, 1234);
  return dir;
}

function rootFolder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'gpu-env-vscode-root-'));
  dirs.push(dir);
  if (process.getuid?.() === 0) chownSync(dir, 0, 0);
  return dir;
}

function servicesWith(settings: Record<string, unknown>, folders: string[]) {
  const services = fakeServices({ settings });
  services.ui.folders = folders;
  return services;
}

describe('startRequest validates with the CLI validators, naming the setting', () => {
  it('builds the request from valid settings', () => {
    const folder = userFolder();
    const request = startRequest(servicesWith({ environmentName: 'exp', gpus: '0,1', memory: '16g', cpus: '2', shmSize: '4g', baseImage: 'gpu-env-test/trixie-torch:dev' }, [folder]), localApi);
    expect(request).toMatchObject({
      name: 'exp', workspace: folder, gpus: { kind: 'devices', ids: ['0', '1'] }, memoryBytes: 16 * 1024 ** 3, nanoCpus: 2e9, shmSizeBytes: 4 * 1024 ** 3, baseImage: 'gpu-env-test/trixie-torch:dev',
    });
  });

  it('resolves a relative gpuEnv.workspaceFolder against the first folder', () => {
    const folder = userFolder();
    expect(startRequest(servicesWith({ workspaceFolder: '.' }, [folder]), localApi).workspace).toBe(folder);
  });

  it.each([
    [{ memory: '16q' }, /^gpuEnv\.memory: "16q" is not a size/],
    [{ cpus: 'many' }, /^gpuEnv\.cpus: "many" is not a CPU count/],
    [{ shmSize: '-1g' }, /^gpuEnv\.shmSize: "-1g" is not a size/],
    [{ gpus: '0,,1' }, /^gpuEnv\.gpus: "0,,1" is not a GPU request/],
    [{ environmentName: 'My Env' }, /^gpuEnv\.environmentName: "My Env" is not a valid name/],
    [{ baseImage: 'Not An Image' }, /^gpuEnv\.baseImage: "Not An Image" is not an image reference/],
    [{ image: 'UPPER/case' }, /^gpuEnv\.image: "UPPER\/case" is not an image reference/],
    [{ engineHost: 'http://localhost:2375' }, /^gpuEnv\.engineHost: "http:\/\/localhost:2375" is not a Docker engine address/],
    [{ uid: '-5' }, /^gpuEnv\.uid: "-5" is not a user id/],
    [{ workspaceFolder: '/does/not/exist' }, /^gpuEnv\.workspaceFolder: "\/does\/not\/exist" does not exist/],
  ])('%j', (settings, message) => {
    expect(() => startRequest(servicesWith(settings, [userFolder()]), localApi)).toThrow(message);
  });

  it.skipIf(process.getuid?.() !== 0)('asks for gpuEnv.uid when the folder is root\'s', () => {
    expect(() => startRequest(servicesWith({}, [rootFolder()]), localApi)).toThrow(/^gpuEnv\.workspaceFolder: ".*" is owned by root.*Pass gpuEnv\.uid N/);
  });
});

describe('startEnvironment when the settings changed since the environment was made (issue 16 defect 17)', () => {
  it('says how they differ and offers Recreate, which runs up again with recreate', async () => {
    const folder = userFolder();
    const requests: unknown[] = [];
    const driftWarning = 'gpu-env-exp exists and keeps the options it was made with (gpuEnv.memory: runs with no limit, asked 16g). To apply them, recreate it (…): choose Recreate';
    const info = { name: 'exp', container: 'gpu-env-exp', ssh: { alias: 'gpu-env-exp', port: 2222, user: 'dev', host: '127.0.0.1' } };
    const core = fakeCore({
      up: async (request) => {
        requests.push(request);
        const again = (request as { recreate?: boolean }).recreate === true;
        return (again ? { info, action: 'recreated', warnings: [] } : { info, action: 'running', warnings: [driftWarning], driftWarning, drift: [{ field: 'gpuEnv.memory', running: 'no limit', asked: '16g' }] }) as unknown as UpResult;
      },
    });
    const services = fakeServices({ settings: { environmentName: 'exp', memory: '16g' }, core });
    services.ui.folders = [folder];
    services.ui.respond = (shown) => (shown.actions.includes('Recreate') ? 'Recreate' : undefined);
    await startEnvironment(services);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(services.ui.messages.filter((m) => m.kind === 'warning')).toEqual([{ kind: 'warning', message: driftWarning, actions: ['Recreate'] }]);
    expect(requests).toHaveLength(2);
    expect(requests[1]).toMatchObject({ name: 'exp', memoryBytes: 16 * 1024 ** 3, recreate: true });
    expect(requests[0]).not.toHaveProperty('recreate');
  });

  it('offers nothing more when nothing differs; a dismissed offer recreates nothing; a failed recreate is shown as an error', async () => {
    const folder = userFolder();
    const info = { name: 'exp', container: 'gpu-env-exp', ssh: { alias: 'gpu-env-exp', port: 2222, user: 'dev', host: '127.0.0.1' } };
    const driftWarning = 'gpu-env-exp exists and keeps the options it was made with (gpuEnv.memory: runs with no limit, asked 16g). choose Recreate';
    const run = async (drifted: boolean, answer: string | undefined, failRecreate = false) => {
      const requests: { recreate?: boolean }[] = [];
      const core = fakeCore({
        up: async (request) => {
          requests.push(request as { recreate?: boolean });
          if ((request as { recreate?: boolean }).recreate) {
            if (failRecreate) throw new Error('container remove: engine went away');
            return { info, action: 'recreated', warnings: [] } as unknown as UpResult;
          }
          return (drifted ? { info, action: 'running', warnings: [driftWarning], driftWarning } : { info, action: 'running', warnings: [] }) as unknown as UpResult;
        },
      });
      const services = fakeServices({ settings: { environmentName: 'exp', memory: '16g' }, core });
      services.ui.folders = [folder];
      services.ui.respond = (shown) => (shown.actions.includes('Recreate') ? answer : undefined);
      await startEnvironment(services);
      for (let i = 0; i < 5; i += 1) await new Promise((resolve) => setTimeout(resolve, 0));
      return { requests, messages: services.ui.messages };
    };
    const same = await run(false, 'Recreate');
    expect(same.requests).toHaveLength(1);
    expect(same.messages.filter((m) => m.kind === 'warning')).toEqual([]);
    const dismissed = await run(true, undefined);
    expect(dismissed.requests).toHaveLength(1);
    expect(dismissed.messages.filter((m) => m.kind === 'warning')).toHaveLength(1);
    const failed = await run(true, 'Recreate', true);
    expect(failed.requests.map((r) => r.recreate === true)).toEqual([false, true]);
    expect(failed.messages.filter((m) => m.kind === 'error').map((m) => m.message)).toEqual(['Recreate failed: container remove: engine went away']);
  });
});

