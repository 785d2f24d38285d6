import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isUsageError } from '../../../../src/core/errors';
import { resolveSshHost } from '../../../../src/core/remote/resolve-host';
import { loadUserSshConfig } from '../../../../src/core/remote/user-ssh-config';

describe('loadUserSshConfig', () => {
  it('follows Include (relative to ~/.ssh, with * globs) and knows which aliases are defined', () => {
    const home = mkdtempSync(join(tmpdir(), 'ssh-include-'));
    mkdirSync(join(home, '.ssh', 'config.d'), { recursive: true });
    writeFileSync(join(home, '.ssh', 'config'), 'Include config.d/*.conf\nHost direct\n  HostName 1.1.1.1\n');
    writeFileSync(join(home, '.ssh', 'config.d', '10-gpu.conf'), 'Host gpu\n  HostName 10.0.0.5\n  Include ~/.ssh/nested\n');
    writeFileSync(join(home, '.ssh', 'config.d', 'ignored.txt'), 'Host ignored\n');
    writeFileSync(join(home, '.ssh', 'nested'), '  User nested-user\n');
    const config = loadUserSshConfig(home);
    const context = { homeDir: home, config, localUser: 'me' };
    expect(resolveSshHost({ host: 'gpu' }, context)).toMatchObject({ hostName: '10.0.0.5', user: 'nested-user' });
    expect(config.definesHost('gpu')).toBe(true);
    expect(config.definesHost('direct')).toBe(true);
    expect(config.definesHost('ignored')).toBe(false);
  });

  it('a missing config gives OpenSSH defaults', () => {
    const home = mkdtempSync(join(tmpdir(), 'ssh-none-'));
    expect(resolveSshHost({ host: 'h' }, { homeDir: home, config: loadUserSshConfig(home), localUser: 'me' })).toMatchObject({ hostName: 'h', user: 'me', port: 22 });
  });

  it('a self-including config stops at the depth limit', () => {
    const home = mkdtempSync(join(tmpdir(), 'ssh-self-'));
    mkdirSync(join(home, '.ssh'));
    writeFileSync(join(home, '.ssh', 'config'), 'Include config\nHost h\n  User u\n');
    expect(resolveSshHost({ host: 'h' }, { homeDir: home, config: loadUserSshConfig(home), localUser: 'me' }).user).toBe('u');
  });

  it('a keyword with no argument is refused naming the file and line, as OpenSSH does, also in an included file', () => {
    const home = mkdtempSync(join(tmpdir(), 'ssh-bare-'));
    mkdirSync(join(home, '.ssh'));
    const file = join(home, '.ssh', 'config');
    writeFileSync(file, 'Include\nHost a\n  HostName b\n');
    expect(() => loadUserSshConfig(home)).toThrow(`${file} line 1: no argument after keyword "include"`);
    writeFileSync(file, '# comment\n\nHost a\n  HostName =  \n');
    expect(() => loadUserSshConfig(home)).toThrow(`${file} line 4: no argument after keyword "hostname"`);
    const nested = join(home, '.ssh', 'nested');
    writeFileSync(nested, 'Host n\n  Port\n');
    writeFileSync(file, 'Include nested\nHost a\n  HostName b\n');
    try {
      loadUserSshConfig(home);
      expect.unreachable();
    } catch (error) {
      expect(isUsageError(error)).toBe(true);
      expect((error as Error).message).toMatch(`${nested} line 2: no argument after keyword "port"`);
    }
  });
});
