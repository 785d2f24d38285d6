import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hostId } from '../../src/core/remote/host-connection';
import { jumpHostsFor } from '../../src/core/remote/jump-hosts';
import type { ResolvedSshHost } from '../../src/core/remote/resolve-host';
import { removeHostBlock, renderHostBlock, renderJumpBlock, writeHostBlock } from '../../src/core/ssh/openssh-config';

function hop(overrides: Partial<ResolvedSshHost>): ResolvedSshHost {
  return {
    alias: 'gpu', hostName: '10.0.0.5', port: 22, user: 'me', identityFiles: [], identitiesOnly: false,
    userKnownHostsFiles: ['/home/me/.ssh/known_hosts'], globalKnownHostsFiles: ['/etc/ssh/ssh_known_hosts'], hashKnownHosts: false, proxyJump: [], ...overrides,
  };
}

describe('generated OpenSSH config for remote hosts', () => {
  it('a jump block is self-contained: absolute key and known_hosts, strict checking, its own ProxyJump', () => {
    const home = mkdtempSync(join(tmpdir(), 'jump-home-'));
    mkdirSync(join(home, '.ssh'));
    writeFileSync(join(home, '.ssh', 'id_ed25519'), 'key');
    const chain = [
      hop({ alias: 'bastion', hostName: 'bastion.example.com', user: 'ops', port: 2022, identityFiles: ['/keys/ops key'], identitiesOnly: true }),
      hop({ alias: 'gpu', hostName: '10.0.0.5', hostKeyAlias: 'gpu-box' }),
    ];
    const [first, last] = jumpHostsFor(chain, home);
    expect(first!.alias).toBe(`gpu-env-host-${hostId(chain.slice(0, 1))}`);
    expect(last!.alias).toBe(`gpu-env-host-${hostId(chain)}`);
    expect(last!.via).toBe(first!.alias);
    expect(last!.identityFiles).toEqual([join(home, '.ssh', 'id_ed25519')]);
    expect(renderJumpBlock(first!)).toBe([
      `Host ${first!.alias}`,
      '  HostName bastion.example.com',
      '  Port 2022',
      '  User ops',
      '  IdentityFile "/keys/ops key"',
      '  IdentitiesOnly yes',
      '  UserKnownHostsFile /home/me/.ssh/known_hosts',
      '  GlobalKnownHostsFile /etc/ssh/ssh_known_hosts',
      '  StrictHostKeyChecking yes',
      '  ServerAliveInterval 30',
      '',
    ].join('\n'));
    expect(renderJumpBlock(last!)).toContain(`  HostKeyAlias gpu-box\n  ServerAliveInterval 30\n  ProxyJump ${first!.alias}\n`);
  });

  it('ids are stable for the same user@host:port path and differ otherwise', () => {
    expect(hostId([hop({})])).toBe(hostId([hop({ alias: 'another-alias' })]));
    expect(hostId([hop({})])).not.toBe(hostId([hop({ port: 2222 })]));
    expect(hostId([hop({})])).toMatch(/^[0-9a-f]{10}$/);
  });

  it('the environment block goes through the host with ProxyJump; without a jump it is as before', () => {
    const state = '/state';
    expect(renderHostBlock(state, 'a', { host: '127.0.0.1', port: 40000, user: 'dev', jump: 'gpu-env-host-abc' })).toContain('  ProxyJump gpu-env-host-abc\n');
    expect(renderHostBlock(state, 'a', { host: '127.0.0.1', port: 40000, user: 'dev' })).not.toContain('ProxyJump');
  });

  it('writing keeps one copy of each block; removing the last environment on a host removes its jump blocks', () => {
    const state = mkdtempSync(join(tmpdir(), 'jump-state-'));
    const chain = [hop({ hostName: 'bastion' }), hop({ hostName: 'gpu' })];
    const jumps = jumpHostsFor(chain, state);
    const jump = jumps[1]!.alias;
    writeHostBlock(state, 'one', { host: '127.0.0.1', port: 40001, user: 'dev', jump }, jumps);
    writeHostBlock(state, 'two', { host: '127.0.0.1', port: 40002, user: 'dev', jump }, jumps);
    writeHostBlock(state, 'local', { host: '127.0.0.1', port: 40003, user: 'dev' });
    const text = readFileSync(join(state, 'ssh_config'), 'utf8');
    expect(text.match(new RegExp(`^Host ${jump}$`, 'gm'))).toHaveLength(1);
    expect(text.match(new RegExp(`^Host ${jumps[0]!.alias}$`, 'gm'))).toHaveLength(1);
    removeHostBlock(state, 'one');
    expect(readFileSync(join(state, 'ssh_config'), 'utf8')).toContain(`Host ${jump}`);
    removeHostBlock(state, 'two');
    const after = readFileSync(join(state, 'ssh_config'), 'utf8');
    expect(after).not.toContain('gpu-env-host-');
    expect(after).toContain('Host gpu-env-local');
  });
});
