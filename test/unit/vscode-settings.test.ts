import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readSettings, SETTING_FIELDS, upInputFromSettings } from '../../src/vscode/settings';
import { startRequest } from '../../src/vscode/start-flow';
import { coreContext } from '../../src/vscode/services';
import { extensionStateDir } from '../../src/vscode/state-dir';
import { fakeServices } from './vscode-fakes';

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
  services.host.folders = folders;
  return services;
}

describe('readSettings', () => {
  it('trims text, drops empty values and applies defaults', () => {
    const settings = readSettings((key) => ({ memory: ' 16g ', cpus: 4, image: '', environmentName: 'exp' } as Record<string, unknown>)[key]);
    expect(settings).toEqual({ memory: '16g', cpus: '4', environmentName: 'exp', autoStart: false, monitorIntervalMs: 1000 });
  });

  it.each([
    ['memory', true, /^gpuEnv\.memory: true is not accepted; use a text value/],
    ['gpus', ['0'], /^gpuEnv\.gpus: \["0"\] is not accepted/],
    ['autoStart', 'yes', /^gpuEnv\.autoStart: "yes" is not accepted; use true or false$/],
    ['monitor.intervalMs', 10, /^gpuEnv\.monitor\.intervalMs: "10" is not accepted; use a whole number of milliseconds from 250 to 60000$/],
    ['monitor.intervalMs', '1000', /^gpuEnv\.monitor\.intervalMs: ""1000"" is not accepted/],
  ])('rejects %s = %j naming the setting', (key, value, message) => {
    expect(() => readSettings((k) => (k === key ? value : undefined))).toThrow(message);
  });

  it('reads the monitor interval', () => {
    expect(readSettings((k) => (k === 'monitor.intervalMs' ? 2500 : undefined)).monitorIntervalMs).toBe(2500);
  });
});

describe('upInputFromSettings', () => {
  it('mounts the first workspace folder by default and names the environment "default"', () => {
    const input = upInputFromSettings(readSettings(() => undefined), ['/a', '/b']);
    expect(input).toMatchObject({ name: 'default', workspace: '/a' });
  });

  it('keeps an existing environment\'s own name and folder over the settings', () => {
    const settings = readSettings((k) => ({ environmentName: 'other', workspaceFolder: '/x' } as Record<string, unknown>)[k]);
    expect(upInputFromSettings(settings, ['/a'], { name: 'exp', workspace: '/w' })).toMatchObject({ name: 'exp', workspace: '/w' });
  });

  it('refuses without any folder, naming gpuEnv.workspaceFolder', () => {
    expect(() => upInputFromSettings(readSettings(() => undefined), [])).toThrow(/^gpuEnv\.workspaceFolder: no folder is open/);
  });
});

describe('startRequest validates with the CLI validators, naming the setting', () => {
  it('builds the request from valid settings', () => {
    const folder = userFolder();
    const request = startRequest(servicesWith({ environmentName: 'exp', gpus: '0,1', memory: '16g', cpus: '2', shmSize: '4g', baseImage: 'gpu-env-test/trixie-torch:dev' }, [folder]));
    expect(request).toMatchObject({
      name: 'exp', workspace: folder, gpus: { kind: 'devices', ids: ['0', '1'] }, memoryBytes: 16 * 1024 ** 3, nanoCpus: 2e9, shmSizeBytes: 4 * 1024 ** 3, baseImage: 'gpu-env-test/trixie-torch:dev',
    });
  });

  it('resolves a relative gpuEnv.workspaceFolder against the first folder', () => {
    const folder = userFolder();
    expect(startRequest(servicesWith({ workspaceFolder: '.' }, [folder])).workspace).toBe(folder);
  });

  it.each([
    [{ memory: '16q' }, /^gpuEnv\.memory: "16q" is not a size/],
    [{ cpus: 'many' }, /^gpuEnv\.cpus: "many" is not a CPU count/],
    [{ shmSize: '-1g' }, /^gpuEnv\.shmSize: "-1g" is not a size/],
    [{ gpus: '0,,1' }, /^gpuEnv\.gpus: "0,,1" is not a GPU list/],
    [{ environmentName: 'My Env' }, /^gpuEnv\.environmentName: "My Env" is not a valid name/],
    [{ baseImage: 'Not An Image' }, /^gpuEnv\.baseImage: "Not An Image" is not an image reference/],
    [{ image: 'UPPER/case' }, /^gpuEnv\.image: "UPPER\/case" is not an image reference/],
    [{ engineHost: 'http://localhost:2375' }, /^gpuEnv\.engineHost: "http:\/\/localhost:2375" is not a Docker engine address/],
    [{ uid: '-5' }, /^gpuEnv\.uid: "-5" is not a user id/],
    [{ workspaceFolder: '/does/not/exist' }, /^gpuEnv\.workspaceFolder: "\/does\/not\/exist" does not exist/],
  ])('%j', (settings, message) => {
    expect(() => startRequest(servicesWith(settings, [userFolder()]))).toThrow(message);
  });

  it.skipIf(process.getuid?.() !== 0)('asks for gpuEnv.uid when the folder is root\'s', () => {
    expect(() => startRequest(servicesWith({}, [rootFolder()]))).toThrow(/^gpuEnv\.workspaceFolder: ".*" is owned by root.*Pass gpuEnv\.uid N/);
  });

  it('the setting names are the contributed ones', () => {
    expect(Object.values(SETTING_FIELDS).every((name) => name.startsWith('gpuEnv.'))).toBe(true);
  });
});

describe('coreContext', () => {
  it('takes the engine from gpuEnv.engineHost, validated', () => {
    expect(coreContext(fakeServices({ settings: { engineHost: 'unix:///tmp/gdt/docker.sock' } })).host).toEqual({ url: 'unix:///tmp/gdt/docker.sock', source: 'setting' });
    expect(coreContext(fakeServices()).host).toBeUndefined();
    expect(() => coreContext(fakeServices({ settings: { engineHost: 'docker.example' } }))).toThrow(/^gpuEnv\.engineHost: "docker\.example" is not a Docker engine address/);
  });
});

describe('extensionStateDir', () => {
  it('uses global storage unless GPU_ENV_STATE_DIR is set', () => {
    expect(extensionStateDir({}, '/storage')).toBe('/storage');
    expect(extensionStateDir({ GPU_ENV_STATE_DIR: ' ' }, '/storage')).toBe('/storage');
    expect(extensionStateDir({ GPU_ENV_STATE_DIR: '/tmp/state' }, '/storage')).toBe('/tmp/state');
  });
});
