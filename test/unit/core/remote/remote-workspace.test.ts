import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { shellPath, validateRemoteWorkspace } from '../../../../src/core/remote/remote-workspace';

describe('remote workspace paths', () => {
  it.each(['~', '~/gpu-env/a', '/data/x y', "/data/it's"])('accepts %s', (path) => expect(validateRemoteWorkspace('--remote-workspace', path)).toBe(path));

  it.each(['relative', '~other/x', '/a\nb', ''])('refuses %j, saying what is accepted', (path) => {
    expect(() => validateRemoteWorkspace('--remote-workspace', path)).toThrow(/use an absolute path such as \/data\/me\/project, or ~\/project/);
  });

  it('quotes paths for sh so that spaces, quotes and $ stay literal and ~ is the home', () => {
    const home = '/home/tester';
    const echo = (path: string): string => spawnSync('sh', ['-c', `printf '%s' ${shellPath(path)}`], { encoding: 'utf8', env: { HOME: home, PATH: process.env.PATH } }).stdout;
    expect(echo('~')).toBe(home);
    expect(echo('~/a b/$HOME')).toBe(`${home}/a b/$HOME`);
    expect(echo("/data/it's `x`")).toBe("/data/it's `x`");
  });
});
