import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolvedHop } from '../../../support/ssh-hops';
import { hostId } from '../../../../src/core/remote/host-connection';
import { jumpHostsFor } from '../../../../src/core/remote/jump-hosts';
import { removeHostBlock, renderHostBlock, renderJumpBlock, writeHostBlock } from '../../../../src/core/ssh/openssh-config';

describe('generated OpenSSH config for remote hosts', () => {
  it('a jump block is self-contained: absolute key and known_hosts, strict checking, its own ProxyJump', () => {
    const home = mkdtempSync(join(tmpdir(), 'jump-home-'));
    mkdirSync(join(home, '.ssh'));
    writeFileSync(join(home, '.ssh', 'id_ed25519'), 'key');
    const chain = [
      resolvedHop({ alias: 'bastion', hostName: 'bastion.example.com', user: 'ops', port: 2022, identityFiles: ['/keys/ops key'], identitiesOnly: true }),
      resolvedHop({ alias: 'gpu', hostName: '10.0.0.5', hostKeyAlias: 'gpu-box' }),
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

  it('the environment block goes through the host with ProxyJump; without a jump it is as before', () => {
    const state = '/state';
    expect(renderHostBlock(state, 'a', { host: '127.0.0.1', port: 40000, user: 'dev', jump: 'gpu-env-host-abc' })).toContain('  ProxyJump gpu-env-host-abc\n');
    expect(renderHostBlock(state, 'a', { host: '127.0.0.1', port: 40000, user: 'dev' })).not.toContain('ProxyJump');
  });

  it('writing keeps one copy of each block; removing the last environment on a host removes its jump blocks', () => {
    const state = mkdtempSync(join(tmpdir(), 'jump-state-'));
    const chain = [resolvedHop({ hostName: 'bastion' }), resolvedHop({ hostName: 'gpu' })];
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

describe('OpenSSH config file', () => {
  it('keeps one block per environment and removes it again', () => {
    const state = mkdtempSync(join(tmpdir(), 'state-'));
    writeHostBlock(state, 'a', { host: '127.0.0.1', port: 1111, user: 'dev' });
    writeHostBlock(state, 'b', { host: '127.0.0.1', port: 2222, user: 'dev' });
    writeHostBlock(state, 'a', { host: '127.0.0.1', port: 3333, user: 'dev' });
    const text = readFileSync(join(state, 'ssh_config'), 'utf8');
    expect(text.match(/^Host gpu-env-a$/gm)).toHaveLength(1);
    expect(text).toContain('Port 3333');
    expect(text).not.toContain('Port 1111');
    expect(text).toMatch(/Host gpu-env-a\n {2}HostName 127\.0\.0\.1\n {2}Port 3333\n {2}User dev\n {2}IdentityFile .*envs\/a\/id_ed25519\n {2}IdentitiesOnly yes\n {2}UserKnownHostsFile .*envs\/a\/known_hosts\n {2}StrictHostKeyChecking yes\n {2}HostKeyAlias gpu-env-a/);
    removeHostBlock(state, 'a');
    const after = readFileSync(join(state, 'ssh_config'), 'utf8');
    expect(after).not.toContain('gpu-env-a');
    expect(after).toContain('Host gpu-env-b');
  });
});
