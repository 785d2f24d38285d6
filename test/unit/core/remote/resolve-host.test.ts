import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveHostChain, resolveSshHost, type ResolveContext } from '../../../../src/core/remote/resolve-host';
import { parseUserSshConfig } from '../../../../src/core/remote/user-ssh-config';

const HOME = '/home/me';

function ctx(text: string): ResolveContext {
  return { homeDir: HOME, config: parseUserSshConfig(text, `${HOME}/.ssh/config`), localUser: 'localme' };
}

describe('resolveSshHost applies ~/.ssh/config as OpenSSH does', () => {
  const config = [
    'Host gpu',
    '  HostName 10.0.0.5',
    '  User trainer',
    '  Port 2222',
    '  IdentityFile ~/.ssh/gpu_ed25519',
    '  IdentityFile %d/.ssh/%h_%r',
    '  IdentitiesOnly yes',
    '  HostKeyAlias gpu-box',
    '',
    'Host *',
    '  User fallback',
    '  HashKnownHosts yes',
  ].join('\n');

  it('HostName, User, Port, IdentityFile (~ and % tokens expanded), IdentitiesOnly, HostKeyAlias', () => {
    expect(resolveSshHost({ host: 'gpu' }, ctx(config))).toEqual({
      alias: 'gpu',
      hostName: '10.0.0.5',
      port: 2222,
      user: 'trainer',
      identityFiles: [`${HOME}/.ssh/gpu_ed25519`, `${HOME}/.ssh/10.0.0.5_trainer`],
      identitiesOnly: true,
      userKnownHostsFiles: [`${HOME}/.ssh/known_hosts`, `${HOME}/.ssh/known_hosts2`],
      globalKnownHostsFiles: ['/etc/ssh/ssh_known_hosts', '/etc/ssh/ssh_known_hosts2'],
      hostKeyAlias: 'gpu-box',
      hashKnownHosts: true,
      proxyJump: [],
    });
  });

  it('user and port written in the address win over the config (first value wins, command line first)', () => {
    const host = resolveSshHost({ host: 'gpu', user: 'other', port: 22 }, ctx(config));
    expect(host).toMatchObject({ hostName: '10.0.0.5', user: 'other', port: 22 });
  });

  it('an unknown host gets OpenSSH defaults: its own name, port 22, the local user', () => {
    expect(resolveSshHost({ host: 'elsewhere.example.com' }, ctx(''))).toMatchObject({
      hostName: 'elsewhere.example.com', port: 22, user: 'localme', identityFiles: [], identitiesOnly: false, proxyJump: [],
    });
    expect(resolveSshHost({ host: 'elsewhere' }, ctx(config)).user).toBe('fallback');
  });

  it('directive names are case-insensitive', () => {
    expect(resolveSshHost({ host: 'g' }, ctx('host g\n  HOSTNAME 1.2.3.4\n  port 2200\n  user U\n'))).toMatchObject({ hostName: '1.2.3.4', port: 2200, user: 'U' });
  });

  it('UserKnownHostsFile with several files, and `none` entries dropped', () => {
    const host = resolveSshHost({ host: 'k' }, ctx('Host k\n  UserKnownHostsFile ~/.ssh/kh_a /etc/kh_b\n  GlobalKnownHostsFile none\n'));
    expect(host.userKnownHostsFiles).toEqual([`${HOME}/.ssh/kh_a`, '/etc/kh_b']);
  });

  it('IdentityAgent none turns the agent off; a path is expanded', () => {
    expect(resolveSshHost({ host: 'a' }, ctx('Host a\n  IdentityAgent none\n')).identityAgent).toBe('none');
    expect(resolveSshHost({ host: 'a' }, ctx('Host a\n  IdentityAgent ~/.agent.sock\n')).identityAgent).toBe(`${HOME}/.agent.sock`);
  });

  it('ProxyCommand is refused with what to use instead; a bad Port names the file', () => {
    expect(() => resolveSshHost({ host: 'p' }, ctx('Host p\n  ProxyCommand nc %h %p\n'))).toThrow(/\/home\/me\/\.ssh\/config: host p uses ProxyCommand, which gpu-env does not run; use ProxyJump/);
    expect(resolveSshHost({ host: 'p' }, ctx('Host p\n  ProxyCommand none\n')).proxyJump).toEqual([]);
    expect(() => resolveSshHost({ host: 'p' }, ctx('Host p\n  Port http\n'))).toThrow(/Port "http" for host p is not a port/);
  });

  it('Match exec is never run', () => {
    const marker = join(mkdtempSync(join(tmpdir(), 'match-exec-')), 'ran');
    const host = resolveSshHost({ host: 'm' }, ctx(`Match exec "touch ${marker}"\n  User fromexec\nHost m\n  User plain\n`));
    expect(existsSync(marker)).toBe(false);
    expect(host.user).toBe('plain');
  });
});

describe('ProxyJump chains', () => {
  const config = [
    'Host gpu',
    '  HostName 10.0.0.5',
    '  User trainer',
    '  ProxyJump bastion',
    'Host bastion',
    '  HostName bastion.example.com',
    '  User ops',
    '  Port 2022',
    '  ProxyJump edge@gateway.example.com:443',
    'Host loop-a',
    '  ProxyJump loop-b',
    'Host loop-b',
    '  ProxyJump loop-a',
  ].join('\n');

  it('resolves every hop through the config, the first hop first, the host last', () => {
    const chain = resolveHostChain({ host: 'gpu' }, ctx(config));
    expect(chain.map((h) => `${h.user}@${h.hostName}:${h.port}`)).toEqual(['edge@gateway.example.com:443', 'ops@bastion.example.com:2022', 'trainer@10.0.0.5:22']);
  });

  it('a comma list is several hops in order; `none` is a direct connection', () => {
    const chain = resolveHostChain({ host: 'x' }, ctx('Host x\n  ProxyJump a@one,b@two:2\n'));
    expect(chain.map((h) => `${h.user}@${h.hostName}:${h.port}`)).toEqual(['a@one:22', 'b@two:2', 'localme@x:22']);
    expect(resolveHostChain({ host: 'x' }, ctx('Host x\n  ProxyJump none\n'))).toHaveLength(1);
  });

  it('a loop ends with an error naming the path', () => {
    expect(() => resolveHostChain({ host: 'loop-a' }, ctx(config))).toThrow(/ProxyJump for loop-a goes through more than 8 hosts \(loop-a → loop-b → loop-a/);
  });
});
