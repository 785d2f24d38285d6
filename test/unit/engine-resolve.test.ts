import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { connectEngine } from '../../src/core/engine/connect';
import { resolveEngine } from '../../src/core/engine/resolve';

function home(contexts: Record<string, { host: string; tls?: boolean }>, current?: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'home-'));
  const docker = join(dir, '.docker');
  mkdirSync(docker);
  if (current) writeFileSync(join(docker, 'config.json'), JSON.stringify({ currentContext: current }));
  for (const [name, { host, tls }] of Object.entries(contexts)) {
    const id = createHash('sha256').update(name).digest('hex');
    mkdirSync(join(docker, 'contexts', 'meta', id), { recursive: true });
    writeFileSync(join(docker, 'contexts', 'meta', id, 'meta.json'), JSON.stringify({ Name: name, Endpoints: { docker: { Host: host, SkipTLSVerify: false } } }));
    if (tls) {
      const tlsDir = join(docker, 'contexts', 'tls', id, 'docker');
      mkdirSync(tlsDir, { recursive: true });
      writeFileSync(join(tlsDir, 'ca.pem'), 'CA');
      writeFileSync(join(tlsDir, 'cert.pem'), 'CERT');
      writeFileSync(join(tlsDir, 'key.pem'), 'KEY');
    }
  }
  return dir;
}

describe('resolveEngine follows the docker CLI order', () => {
  const homeDir = home({ remote: { host: 'tcp://10.1.2.3:2376', tls: true }, other: { host: 'unix:///run/other.sock' } }, 'remote');

  it('explicit host wins over everything', () => {
    expect(resolveEngine({ explicit: { url: 'unix:///x.sock', source: '--host' }, env: { DOCKER_HOST: 'tcp://a:1', DOCKER_CONTEXT: 'other' }, homeDir })).toEqual({ url: 'unix:///x.sock', source: '--host' });
  });
  it('then DOCKER_HOST', () => {
    expect(resolveEngine({ env: { DOCKER_HOST: 'tcp://a:1', DOCKER_CONTEXT: 'other' }, homeDir })).toEqual({ url: 'tcp://a:1', source: 'DOCKER_HOST' });
  });
  it('then DOCKER_CONTEXT, read from the context store by sha256 of its name', () => {
    expect(resolveEngine({ env: { DOCKER_CONTEXT: 'other' }, homeDir })).toEqual({ url: 'unix:///run/other.sock', source: 'DOCKER_CONTEXT', context: 'other' });
  });
  it('then currentContext from config.json, with the TLS files beside it', () => {
    expect(resolveEngine({ env: {}, homeDir })).toEqual({
      url: 'tcp://10.1.2.3:2376', source: 'current context', context: 'remote', tls: { verify: true, ca: 'CA', cert: 'CERT', key: 'KEY' },
    });
  });
  it('DOCKER_CONFIG moves the config folder', () => {
    expect(resolveEngine({ env: { DOCKER_CONFIG: join(homeDir, 'nowhere') }, homeDir })).toEqual({ url: 'unix:///var/run/docker.sock', source: 'default' });
  });
  it('then the default socket', () => {
    expect(resolveEngine({ env: {}, homeDir: mkdtempSync(join(tmpdir(), 'empty-')) })).toEqual({ url: 'unix:///var/run/docker.sock', source: 'default' });
  });
  it('the default context is the default socket', () => {
    expect(resolveEngine({ env: { DOCKER_CONTEXT: 'default' }, homeDir })).toMatchObject({ url: 'unix:///var/run/docker.sock' });
  });
  it('an unknown context says where it looked', () => {
    expect(() => resolveEngine({ env: { DOCKER_CONTEXT: 'nope' }, homeDir })).toThrow(/Docker context "nope" \(from DOCKER_CONTEXT\) not found: no .*meta\.json/);
  });
  it('a malformed DOCKER_HOST is a usage error naming it', () => {
    expect(() => resolveEngine({ env: { DOCKER_HOST: 'http://x' }, homeDir })).toThrow(/^DOCKER_HOST: "http:\/\/x" is not a Docker engine address/);
  });
});

describe('connectEngine', () => {
  it('says which endpoint it tried and how it was chosen', async () => {
    const endpoint = resolveEngine({ env: { DOCKER_HOST: 'unix:///tmp/gpu-env-no-engine-here.sock' }, homeDir: tmpdir() });
    await expect(connectEngine(endpoint)).rejects.toThrow(/^Docker engine not reachable at unix:\/\/\/tmp\/gpu-env-no-engine-here\.sock \(from DOCKER_HOST\): is it running\?/);
  });
});
