import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const SCRIPT = resolve(__dirname, '../../../../media/recipe/mirror-sources.sh');

/** Runs the recipe's mirror-sources.sh (POSIX sh, real sed) on an apt folder laid out like the base's. */
function mirrored(mirror: string, files: Record<string, string>): Record<string, string> {
  const dir = mkdtempSync(join(tmpdir(), 'mirror-'));
  dirs.push(dir);
  const etc = join(dir, 'etc');
  mkdirSync(join(etc, 'sources.list.d'), { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(join(etc, name), text);
  const out = join(dir, 'out');
  const result = spawnSync('sh', [SCRIPT, mirror, out, etc], { encoding: 'utf8' });
  expect(result.status, result.stderr).toBe(0);
  const read: Record<string, string> = { 'sources.list': readFileSync(join(out, 'sources.list'), 'utf8') };
  for (const name of readdirSync(join(out, 'sources.list.d'))) read[`sources.list.d/${name}`] = readFileSync(join(out, 'sources.list.d', name), 'utf8');
  return read;
}
const dirs: string[] = [];

describe('the install step’s apt sources through a mirror', () => {
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('Debian one-line sources (debootstrap): the archive and its security sibling', () => {
    expect(mirrored('https://mirrors.tuna.tsinghua.edu.cn/debian/', {
      'sources.list': 'deb http://deb.debian.org/debian trixie main\ndeb http://security.debian.org/debian-security trixie-security main\n',
    })).toEqual({
      'sources.list': 'deb https://mirrors.tuna.tsinghua.edu.cn/debian trixie main\ndeb https://mirrors.tuna.tsinghua.edu.cn/debian-security trixie-security main\n',
    });
  });

  it('Debian deb822 sources (the debian:trixie image): several URIs on one line', () => {
    expect(mirrored('http://172.29.4.1:8080/debian', {
      'sources.list.d/debian.sources': 'Types: deb\nURIs: http://deb.debian.org/debian http://deb.debian.org/debian-security/\nSuites: trixie\n',
    })).toEqual({
      'sources.list': '',
      'sources.list.d/debian.sources': 'Types: deb\nURIs: http://172.29.4.1:8080/debian http://172.29.4.1:8080/debian-security\nSuites: trixie\n',
    });
  });

  it('Ubuntu (the real pytorch image): archive, security and ports; options kept; other repositories untouched', () => {
    const out = mirrored('https://mirrors.aliyun.com/ubuntu', {
      'sources.list': [
        'deb http://archive.ubuntu.com/ubuntu/ jammy main restricted',
        'deb [arch=amd64] http://security.ubuntu.com/ubuntu/ jammy-security main',
        'deb http://ports.ubuntu.com/ubuntu-ports jammy main',
        '# deb-src http://archive.ubuntu.com/ubuntu/ jammy main',
        '',
      ].join('\n'),
      'sources.list.d/cuda.list': 'deb https://developer.download.nvidia.com/compute/cuda/repos/ubuntu2204/x86_64 /\n',
      'sources.list.d/docker.list': 'deb https://download.docker.com/linux/ubuntu jammy stable\n',
    });
    expect(out['sources.list']).toBe([
      'deb https://mirrors.aliyun.com/ubuntu jammy main restricted',
      'deb [arch=amd64] https://mirrors.aliyun.com/ubuntu jammy-security main',
      'deb https://mirrors.aliyun.com/ubuntu-ports jammy main',
      '# deb-src https://mirrors.aliyun.com/ubuntu jammy main',
      '',
    ].join('\n'));
    expect(out['sources.list.d/cuda.list']).toBe('deb https://developer.download.nvidia.com/compute/cuda/repos/ubuntu2204/x86_64 /\n');
    expect(out['sources.list.d/docker.list']).toBe('deb https://download.docker.com/linux/ubuntu jammy stable\n');
  });

  it('no sources at all still gives apt an (empty) list to read', () => {
    expect(mirrored('http://m/debian', {})).toEqual({ 'sources.list': '' });
  });
});
