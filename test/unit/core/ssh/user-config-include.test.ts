import { lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ensureUserSshInclude, hasTopLevelInclude, includeLine, userSshIncludePresent } from '../../../../src/core/ssh/user-config-include';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function home(): string {
  const dir = mkdtempSync(join(tmpdir(), 'gpu-env-ssh-include-'));
  dirs.push(dir);
  return dir;
}

describe('Include line in ~/.ssh/config', () => {
  it('quotes a state path with spaces', () => {
    expect(includeLine('/s')).toBe('Include /s/ssh_config');
    expect(includeLine('/Application Support/gpu-env')).toBe('Include "/Application Support/gpu-env/ssh_config"');
  });

  it('counts only a top-level Include of our file, quoted, ~-relative or among others', () => {
    expect(hasTopLevelInclude('Include /s/ssh_config\n', '/s', '/h')).toBe(true);
    expect(hasTopLevelInclude('include other /s/ssh_config\nHost x\n', '/s', '/h')).toBe(true);
    expect(hasTopLevelInclude('Include ~/state/ssh_config\n', '/h/state', '/h')).toBe(true);
    expect(hasTopLevelInclude('Include "/a b/ssh_config"\n', '/a b', '/h')).toBe(true);
    expect(hasTopLevelInclude('Host x\n  Include /s/ssh_config\n', '/s', '/h')).toBe(false);
    expect(hasTopLevelInclude('Include /s/ssh_config_old\n', '/s', '/h')).toBe(false);
    expect(hasTopLevelInclude('', '/s', '/h')).toBe(false);
  });

  it('creates ~/.ssh/config (0600 in a 0700 folder) when there is none', () => {
    const dir = home();
    expect(userSshIncludePresent(dir, '/s')).toBe(false);
    expect(ensureUserSshInclude(dir, '/s')).toBe('added');
    const file = join(dir, '.ssh', 'config');
    expect(readFileSync(file, 'utf8')).toContain('Include /s/ssh_config\n');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, '.ssh')).mode & 0o777).toBe(0o700);
    expect(userSshIncludePresent(dir, '/s')).toBe(true);
  });

  it('puts the line first, keeps the rest byte for byte and the file mode, and adds it only once', () => {
    const dir = home();
    mkdirSync(join(dir, '.ssh'), { mode: 0o700 });
    const file = join(dir, '.ssh', 'config');
    const before = 'Host work\n  HostName work.example\n  User me\n';
    writeFileSync(file, before, { mode: 0o644 });
    expect(ensureUserSshInclude(dir, '/s')).toBe('added');
    const after = readFileSync(file, 'utf8');
    expect(after.split('\n').find((l) => !l.startsWith('#'))).toBe('Include /s/ssh_config');
    expect(after.endsWith(before)).toBe(true);
    expect(statSync(file).mode & 0o777).toBe(0o644);
    expect(ensureUserSshInclude(dir, '/s')).toBe('present');
    expect(readFileSync(file, 'utf8')).toBe(after);
  });

  it('writes through a symlinked config instead of replacing the link', () => {
    const dir = home();
    mkdirSync(join(dir, '.ssh'));
    mkdirSync(join(dir, 'dotfiles'));
    writeFileSync(join(dir, 'dotfiles', 'ssh_config'), 'Host a\n');
    symlinkSync(join(dir, 'dotfiles', 'ssh_config'), join(dir, '.ssh', 'config'));
    ensureUserSshInclude(dir, '/s');
    expect(lstatSync(join(dir, '.ssh', 'config')).isSymbolicLink()).toBe(true);
    expect(readFileSync(join(dir, 'dotfiles', 'ssh_config'), 'utf8')).toMatch(/Include \/s\/ssh_config\n\nHost a\n$/);
  });
});
