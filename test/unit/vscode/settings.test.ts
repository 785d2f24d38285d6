import { describe, expect, it } from 'vitest';
import { readSettings, SETTING_FIELDS, upInputFromSettings } from '../../../src/vscode/settings';
import { allFieldNames } from '../../support/field-names';

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

  it('passes the apt mirror and pip index settings to the core, which validates them', () => {
    const settings = readSettings((k) => ({ aptMirror: ' https://mirrors.tuna.tsinghua.edu.cn/debian ', pipIndexUrl: 'https://pypi.tuna.tsinghua.edu.cn/simple' } as Record<string, unknown>)[k]);
    expect(upInputFromSettings(settings, ['/a'])).toMatchObject({ aptMirror: 'https://mirrors.tuna.tsinghua.edu.cn/debian', pipIndexUrl: 'https://pypi.tuna.tsinghua.edu.cn/simple' });
  });

  it('refuses without any folder, naming gpuEnv.workspaceFolder', () => {
    expect(() => upInputFromSettings(readSettings(() => undefined), [])).toThrow(/^gpuEnv\.workspaceFolder: no folder is open/);
  });
});

describe('startRequest validates with the CLI validators, naming the setting', () => {
  it('the setting names are the contributed ones', () => {
    expect(allFieldNames(SETTING_FIELDS).every((name) => name.startsWith('gpuEnv.'))).toBe(true);
  });

  it('settings that name hosts or URLs for the image build are restricted in untrusted workspaces', async () => {
    const manifest = (await import('../../../package.json')).default as { contributes: { configuration: { properties: Record<string, unknown> } }; capabilities: { untrustedWorkspaces: { restrictedConfigurations: string[] } } };
    for (const key of [SETTING_FIELDS.aptMirror, SETTING_FIELDS.pipIndexUrl]) {
      expect(manifest.contributes.configuration.properties).toHaveProperty([key]);
      expect(manifest.capabilities.untrustedWorkspaces.restrictedConfigurations).toContain(key);
    }
  });
});
