import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveEngine, validateEngineUrl } from '../../../../src/core/engine/resolve';

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

function homeWithSshConfig(text: string): string {
  const home = mkdtempSync(join(tmpdir(), 'remote-target-'));
  mkdirSync(join(home, '.ssh'));
  writeFileSync(join(home, '.ssh', 'config'), text);
  return home;
}

describe('plain Host aliases', () => {
  it('validateEngineUrl takes one only where allowed (--host), not from DOCKER_HOST', () => {
    expect(() => validateEngineUrl('--host', 'gpu-box', { allowHostAlias: true })).not.toThrow();
    expect(() => validateEngineUrl('DOCKER_HOST', 'gpu-box')).toThrow(/^DOCKER_HOST: "gpu-box" is not a Docker engine address; use unix:\/\/\/path\/to\/docker\.sock, tcp:\/\/host:port or ssh:\/\/\[user@\]host\[:port\]/);
    expect(() => validateEngineUrl('--host', 'ftp://example', { allowHostAlias: true })).toThrow(/^--host: "ftp:\/\/example" is not a Docker engine address; use unix:\/\/\/path\/to\/docker\.sock, tcp:\/\/host:port, ssh:\/\/\[user@\]host\[:port\], a Host alias from ~\/\.ssh\/config, or a Slurm cluster's login node slurm:\/\/\[user@\]login\[:port\]/);
  });

  it('resolve to ssh://alias when ~/.ssh/config defines the Host, whatever the case', () => {
    const homeDir = homeWithSshConfig('Host other gpu-box\n  HostName 10.0.0.5\nHost *.lab\n  User me\n');
    expect(resolveEngine({ explicit: { url: 'gpu-box', source: '--host' }, env: {}, homeDir })).toEqual({ url: 'ssh://gpu-box', source: '--host' });
    expect(resolveEngine({ explicit: { url: 'GPU-BOX', source: '--host' }, env: {}, homeDir }).url).toBe('ssh://GPU-BOX');
  });

  it('an alias that only a wildcard would match, or none, is an error naming the config file and the accepted forms', () => {
    const homeDir = homeWithSshConfig('Host *.lab\n  User me\n');
    expect(() => resolveEngine({ explicit: { url: 'x.lab', source: '--host' }, env: {}, homeDir })).toThrow(
      /^--host: "x\.lab" is not a Docker engine address, nor a Host alias in .*\/\.ssh\/config; use unix:\/\/\/path\/to\/docker\.sock, tcp:\/\/host:port, ssh:\/\/\[user@\]host\[:port\], a Host alias/,
    );
    expect(() => resolveEngine({ explicit: { url: 'gpu', source: '--host' }, env: {}, homeDir: mkdtempSync(join(tmpdir(), 'no-ssh-')) })).toThrow(/nor a Host alias/);
  });

  it('ssh:// endpoints from DOCKER_HOST and docker contexts pass through unchanged', () => {
    expect(resolveEngine({ env: { DOCKER_HOST: 'ssh://me@gpu-box:2222' }, homeDir: tmpdir() })).toEqual({ url: 'ssh://me@gpu-box:2222', source: 'DOCKER_HOST' });
  });
});
