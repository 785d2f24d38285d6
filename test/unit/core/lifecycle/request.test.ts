import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI_FIELDS, engineIsRemote, validateUpInput, type DockerUpRequest, type FieldNames } from '../../../../src/core/lifecycle/request';
import { defaultRemoteWorkspace } from '../../../../src/core/remote/remote-workspace';
import { SETTING_FIELDS } from '../../../../src/vscode/settings';

const home = mkdtempSync(join(tmpdir(), 'remote-request-'));
mkdirSync(join(home, '.ssh'));
writeFileSync(join(home, '.ssh', 'config'), 'Host gpu\n  HostName 10.0.0.5\n');

describe('up input for a remote host', () => {
  it('is remote for ssh:// from --host, a Host alias, or DOCKER_HOST; local otherwise', () => {
    expect(engineIsRemote('ssh://me@gpu', CLI_FIELDS, {}, home)).toBe(true);
    expect(engineIsRemote('gpu', CLI_FIELDS, {}, home)).toBe(true);
    expect(engineIsRemote(undefined, CLI_FIELDS, { DOCKER_HOST: 'ssh://me@gpu' }, home)).toBe(true);
    expect(engineIsRemote(undefined, CLI_FIELDS, { DOCKER_HOST: 'unix:///x.sock' }, home)).toBe(false);
    expect(engineIsRemote(undefined, CLI_FIELDS, { DOCKER_CONTEXT: 'missing' }, home)).toBe(false);
    expect(() => engineIsRemote('no-such-alias', CLI_FIELDS, {}, home)).toThrow(/nor a Host alias/);
  });

  it('needs no local folder: the workspace defaults to ~/gpu-env/NAME on the host, the owner is read there', () => {
    // The cwd is root-owned here; for a local engine that would be refused without --uid.
    const request = validateUpInput({ name: 'exp', host: 'ssh://me@gpu' }, CLI_FIELDS, {}, '/', home);
    expect(request).toMatchObject({ name: 'exp', workspace: '~/gpu-env/exp', uid: -1, gid: -1, host: 'ssh://me@gpu', remote: { workspace: '~/gpu-env/exp' } });
    expect(request.remote).not.toHaveProperty('explicitUid');
    expect(defaultRemoteWorkspace('exp')).toBe('~/gpu-env/exp');
  });

  it('takes --remote-workspace and an explicit --uid', () => {
    const request = validateUpInput({ name: 'exp', host: 'gpu', remoteWorkspace: '/data/me/exp', uid: '1500' }, CLI_FIELDS, {}, '/', home);
    expect(request).toMatchObject({ workspace: '/data/me/exp', uid: 1500, gid: 1500, remote: { workspace: '/data/me/exp', explicitUid: 1500 } });
  });

  it('--remote-workspace with an engine on this machine is a usage error saying what to use', () => {
    const local = mkdtempSync(join(tmpdir(), 'local-ws-'));
    expect(() => validateUpInput({ workspace: local, remoteWorkspace: '~/x', uid: '1000' }, CLI_FIELDS, { DOCKER_HOST: 'unix:///x.sock' }, '/', home))
      .toThrow(/^--remote-workspace: only for an engine on another machine \(ssh:\/\/…\); this engine is on this machine, so give the folder with --workspace/);
  });

  it('front ends without a remoteWorkspace field name still validate (defaults to the CLI name)', () => {
    const { remoteWorkspace: _cliName, ...fields } = CLI_FIELDS;
    expect(() => validateUpInput({ host: 'gpu', remoteWorkspace: 'relative/path' }, fields, {}, '/', home)).toThrow(/^--remote-workspace: "relative\/path" is not a folder on the remote host/);
  });
});

describe('up: where the image comes from (mirrors, --pull)', () => {
  const workspace = mkdtempSync(join(tmpdir(), 'req-'));
  const local = { DOCKER_HOST: 'unix:///x.sock' };
  const input = { workspace, uid: '1000' };
  afterAll(() => rmSync(workspace, { recursive: true, force: true }));

  it('passes validated mirror and index URLs, and pull', () => {
    const request = validateUpInput({ ...input, aptMirror: 'https://mirrors.tuna.tsinghua.edu.cn/debian/', pipIndexUrl: 'https://pypi.tuna.tsinghua.edu.cn/simple', pull: true }, CLI_FIELDS, local, '/');
    expect(request).toMatchObject({ aptMirror: 'https://mirrors.tuna.tsinghua.edu.cn/debian', pipIndexUrl: 'https://pypi.tuna.tsinghua.edu.cn/simple', pull: true });
    const plain = validateUpInput(input, CLI_FIELDS, local, '/') as DockerUpRequest;
    expect(plain.pull).toBe(false);
    expect(plain).not.toHaveProperty('aptMirror');
    expect(plain).not.toHaveProperty('pipIndexUrl');
  });

  it.each([[CLI_FIELDS, '--apt-mirror', '--pip-index-url'], [SETTING_FIELDS, 'gpuEnv.aptMirror', 'gpuEnv.pipIndexUrl']] as [FieldNames, string, string][])(
    'a bad value names the flag or setting the user set (%#)',
    (fields, mirrorName, indexName) => {
      expect(() => validateUpInput({ ...input, aptMirror: 'mirrors.example/debian' }, fields, local, '/')).toThrow(new RegExp(`^${mirrorName.replace('.', '\\.')}: "mirrors.example/debian" is not accepted`));
      expect(() => validateUpInput({ ...input, pipIndexUrl: 'https://u:p@pypi.corp/simple' }, fields, local, '/')).toThrow(new RegExp(`^${indexName.replace('.', '\\.')}: the URL contains a user name or password`));
    },
  );

  it('the same checks for an engine on another machine', () => {
    expect(() => validateUpInput({ host: 'ssh://me@gpu', aptMirror: 'ftp://m/debian' }, CLI_FIELDS, {}, '/', '/nonexistent-home')).toThrow(/^--apt-mirror: /);
    expect((validateUpInput({ host: 'ssh://me@gpu', pull: true }, CLI_FIELDS, {}, '/', '/nonexistent-home') as DockerUpRequest).pull).toBe(true);
  });
});
