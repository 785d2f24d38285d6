import { describe, expect, it } from 'vitest';
import { describeSshHost, isPlainHostAlias, isSshUrl, parseJumpHop, parseSshUrl } from '../../../../src/core/remote/target';

describe('ssh:// addresses', () => {
  it.each([
    ['ssh://gpu-box', { host: 'gpu-box' }],
    ['ssh://me@gpu-box', { host: 'gpu-box', user: 'me' }],
    ['ssh://me@10.0.0.5:2222', { host: '10.0.0.5', user: 'me', port: 2222 }],
    ['ssh://me@gpu.example.com:22/', { host: 'gpu.example.com', user: 'me', port: 22 }],
    ['ssh://deploy.bot@[::1]:2200', { host: '::1', user: 'deploy.bot', port: 2200 }],
    ['ssh://my_alias', { host: 'my_alias' }],
  ])('%s', (url, spec) => {
    expect(isSshUrl(url)).toBe(true);
    expect(parseSshUrl('--host', url)).toEqual(spec);
  });

  it.each([
    ['ssh://', /is not an SSH address; use ssh:\/\/\[user@\]host\[:port\]/],
    ['ssh://me@', /is not an SSH address/],
    ['ssh://me@host:port', /is not an SSH address/],
    ['ssh://me@host/path', /is not an SSH address/],
    ['ssh://a b', /is not an SSH address/],
    ['ssh://me@host:70000', /has port 70000; use a port from 1 to 65535/],
    ['ssh://me@host:0', /has port 0/],
  ])('refuses %s, naming the field and the accepted form', (url, message) => {
    expect(() => parseSshUrl('--host', url)).toThrow(message);
    expect(() => parseSshUrl('--host', url)).toThrow(/^--host: /);
  });

  it('shows hosts the way people write them', () => {
    expect(describeSshHost({ user: 'me', hostName: 'gpu-box', port: 22 })).toBe('me@gpu-box');
    expect(describeSshHost({ user: 'me', hostName: '10.0.0.5', port: 2222 })).toBe('me@10.0.0.5:2222');
    expect(describeSshHost({ user: 'me', hostName: '::1', port: 2222 })).toBe('me@[::1]:2222');
  });
});

describe('ProxyJump hops', () => {
  it('take [user@]host[:port] and ssh:// forms', () => {
    expect(parseJumpHop('ProxyJump', 'bastion')).toEqual({ host: 'bastion' });
    expect(parseJumpHop('ProxyJump', 'ops@bastion.example.com:2022')).toEqual({ host: 'bastion.example.com', user: 'ops', port: 2022 });
    expect(parseJumpHop('ProxyJump', 'ssh://ops@bastion')).toEqual({ host: 'bastion', user: 'ops' });
    expect(() => parseJumpHop('ProxyJump of gpu', 'a b')).toThrow(/^ProxyJump of gpu: "a b" is not a jump host; use \[user@\]host\[:port\]/);
  });
});

describe('plain Host aliases', () => {
  it('are bare words only', () => {
    for (const ok of ['gpu', 'gpu-box', 'gpu.lab', 'lab_2']) expect(isPlainHostAlias(ok)).toBe(true);
    for (const bad of ['me@gpu', 'gpu:22', 'ssh://gpu', '/var/run/docker.sock', '', '-gpu', 'gpu box']) expect(isPlainHostAlias(bad)).toBe(false);
  });
});
