import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { dockerConfigDir, parseDockerConfig, readDockerConfig } from '../../../../src/core/registry/docker-config';

describe('the docker CLI config', () => {
  let dir = '';
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('lives in DOCKER_CONFIG when set, else ~/.docker', () => {
    expect(dockerConfigDir({ DOCKER_CONFIG: '/etc/dc' }, '/home/u')).toBe('/etc/dc');
    expect(dockerConfigDir({ DOCKER_CONFIG: '' }, '/home/u')).toBe('/home/u/.docker');
    expect(dockerConfigDir({}, '/home/u')).toBe('/home/u/.docker');
  });

  it('a missing file is an empty config that still names the file looked for', () => {
    dir = mkdtempSync(join(tmpdir(), 'dc-'));
    const config = readDockerConfig({ DOCKER_CONFIG: dir }, '/nowhere');
    expect(config).toEqual({ file: join(dir, 'config.json'), exists: false, auths: {}, credHelpers: {}, proxies: {} });
  });

  it('reads auths, credsStore, credHelpers, proxies and currentContext; skips entries of the wrong type', () => {
    const config = parseDockerConfig('/x/config.json', JSON.stringify({
      auths: { 'ghcr.io': { auth: 'dTpw' }, 'https://index.docker.io/v1/': { identitytoken: 'tok' }, bad: 'text', empty: {} },
      credsStore: 'desktop',
      credHelpers: { 'gcr.io': 'gcloud', 'x.io': 5 },
      proxies: { default: { httpProxy: 'http://p:3128', noProxy: 'localhost', other: 'x' }, 'tcp://h:2376': { httpsProxy: 'http://q:1' } },
      currentContext: 'remote',
      unknown: true,
    }));
    expect(config).toEqual({
      file: '/x/config.json',
      exists: true,
      currentContext: 'remote',
      auths: { 'ghcr.io': { auth: 'dTpw' }, 'https://index.docker.io/v1/': { identitytoken: 'tok' }, empty: {} },
      credsStore: 'desktop',
      credHelpers: { 'gcr.io': 'gcloud' },
      proxies: { default: { httpProxy: 'http://p:3128', noProxy: 'localhost' }, 'tcp://h:2376': { httpsProxy: 'http://q:1' } },
    });
  });

  it('an invalid file is an error that names it and never quotes its content (it holds passwords)', () => {
    dir = mkdtempSync(join(tmpdir(), 'dc-'));
    writeFileSync(join(dir, 'config.json'), '{"auths": {"r.io": {"auth": "c2VjcmV0LXBhc3N3b3Jk"}} oops');
    expect(() => readDockerConfig({ DOCKER_CONFIG: dir }, '/nowhere')).toThrow(new RegExp(`${join(dir, 'config.json')}: it is not valid JSON`));
    try {
      readDockerConfig({ DOCKER_CONFIG: dir }, '/nowhere');
    } catch (error) {
      expect((error as Error).message).not.toMatch(/c2VjcmV0|oops|auths/);
    }
    expect(() => parseDockerConfig('/x/config.json', '[1]')).toThrow(/not a JSON object/);
  });
});
