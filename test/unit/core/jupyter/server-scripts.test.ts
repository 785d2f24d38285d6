import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PROBE_SCRIPT, READ_TOKEN_SCRIPT, START_SCRIPT, parseServerState, shCommand } from '../../../../src/core/jupyter/server-scripts';
import { generateJupyterToken } from '../../../../src/core/jupyter/token';

/** Runs a script the way the environment's login shell would run `shCommand(script)`. */
function runInShell(script: string, env: Record<string, string>, stdin?: string): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync('/bin/bash', ['-c', shCommand(script)], { encoding: 'utf8', env, input: stdin ?? '', timeout: 20_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('server state lines', () => {
  it.each([
    ['running 41234 lab\n', { state: 'running', port: 41234, kind: 'lab' }],
    ['motd from a profile\nstopped 0 notebook\n', { state: 'stopped', port: 0, kind: 'notebook' }],
    ['started 8888 notebook', { state: 'started', port: 8888, kind: 'notebook' }],
    ['stopped 0 none', { state: 'stopped', port: 0, kind: 'none' }],
  ])('%j', (text, state) => expect(parseServerState(text)).toEqual(state));

  it('anything else is not a state', () => {
    expect(parseServerState('running lab')).toBeUndefined();
    expect(parseServerState('')).toBeUndefined();
  });
});

describe('the start and probe scripts, run by a real shell against a stand-in jupyter-notebook', () => {
  const root = mkdtempSync(join(tmpdir(), 'jupyter-scripts-'));
  const home = join(root, 'home');
  const bin = join(root, 'bin');
  mkdirSync(home);
  mkdirSync(bin);
  // Records its arguments and stays up; its command line names jupyter, like the real one.
  writeFileSync(join(bin, 'jupyter-notebook'), '#!/bin/sh\necho "$@" > "$HOME/args"\nsleep 30\n');
  chmodSync(join(bin, 'jupyter-notebook'), 0o755);
  const env = { HOME: home, PATH: `${bin}:${process.env.PATH ?? '/usr/bin:/bin'}` };
  const token = generateJupyterToken();
  let pid = 0;

  afterAll(() => {
    if (pid > 0) {
      try {
        process.kill(-pid, 'SIGTERM'); // setsid made it a process group leader
      } catch {
        /* gone */
      }
    }
  });

  it('are valid sh', () => {
    for (const script of [PROBE_SCRIPT, START_SCRIPT, READ_TOKEN_SCRIPT]) {
      const check = spawnSync('sh', ['-n', '-c', script], { encoding: 'utf8' });
      expect(check.status, check.stderr).toBe(0);
    }
  });

  it('probe: installed but not running', () => {
    const probe = runInShell(PROBE_SCRIPT, env);
    expect(probe.status, probe.stderr).toBe(0);
    expect(parseServerState(probe.stdout)).toEqual({ state: 'stopped', port: 0, kind: 'notebook' });
  });

  it('start: token from stdin into a 0600 file, detached server with the config file as its only argument', async () => {
    const started = runInShell(START_SCRIPT, env, `${token}\n`);
    expect(started.status, started.stderr).toBe(0);
    const state = parseServerState(started.stdout)!;
    expect(state).toMatchObject({ state: 'started', kind: 'notebook' });
    const dir = join(home, '.gpu-env', 'jupyter');
    expect(statSync(join(dir, 'token')).mode & 0o777).toBe(0o600);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(readFileSync(join(dir, 'token'), 'utf8').trim()).toBe(token);
    expect(readFileSync(join(dir, 'jupyter_config.py'), 'utf8')).not.toContain(token);
    for (let i = 0; i < 100 && !existsSync(join(home, 'args')); i++) await new Promise((r) => setTimeout(r, 50));
    expect(readFileSync(join(home, 'args'), 'utf8').trim()).toBe(`--config=${join(dir, 'jupyter_config.py')}`);
    pid = Number(readFileSync(join(dir, 'pid'), 'utf8'));
    expect(readFileSync(`/proc/${pid}/cmdline`, 'utf8')).not.toContain(token);
    expect(readFileSync(`/proc/${pid}/environ`, 'utf8')).not.toContain(token);
    // The session id is the process's own: setsid detached it from the SSH session.
    expect(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[3]).toBe(String(pid));
    const probe = runInShell(PROBE_SCRIPT, env);
    expect(parseServerState(probe.stdout)).toEqual({ state: 'running', port: state.port, kind: 'notebook' });
    expect(runInShell(READ_TOKEN_SCRIPT, env).stdout.trim()).toBe(token);
  });

  it('the config binds 127.0.0.1, turns remote access and the browser off, and reads the token for both apps', () => {
    const dir = join(home, '.gpu-env', 'jupyter');
    const evaluate = [
      'import json, sys',
      'class Section(dict):',
      '    def __getattr__(self, name):',
      '        return self.setdefault(name, Section())',
      '    def __setattr__(self, name, value):',
      '        self[name] = value',
      'c = Section()',
      'exec(open(sys.argv[1]).read(), {"c": c})',
      'print(json.dumps(c))',
    ].join('\n');
    const result = spawnSync('python3', ['-c', evaluate, join(dir, 'jupyter_config.py')], { encoding: 'utf8' });
    expect(result.status, result.stderr).toBe(0);
    const config = JSON.parse(result.stdout) as Record<string, Record<string, unknown>>;
    const port = Number(readFileSync(join(dir, 'port'), 'utf8'));
    for (const app of ['ServerApp', 'NotebookApp']) {
      expect(config[app]).toMatchObject({ token, ip: '127.0.0.1', port, port_retries: 0, open_browser: false, allow_remote_access: false });
    }
    expect(config.IdentityProvider).toEqual({ token });
  });

  it('a pid file naming some other process does not count as running', () => {
    const dir = join(home, '.gpu-env', 'jupyter');
    const saved = readFileSync(join(dir, 'pid'), 'utf8');
    writeFileSync(join(dir, 'pid'), `${process.pid}\n`);
    expect(parseServerState(runInShell(PROBE_SCRIPT, env).stdout)?.state).toBe('stopped');
    writeFileSync(join(dir, 'pid'), saved);
  });

  it('start without Jupyter installed exits 3 with what to install', () => {
    // A PATH with nothing but sh, so a Jupyter installed on the test machine cannot be found.
    const onlySh = mkdtempSync(join(tmpdir(), 'only-sh-'));
    symlinkSync('/bin/sh', join(onlySh, 'sh'));
    const bare = { HOME: mkdtempSync(join(tmpdir(), 'no-jupyter-')), PATH: onlySh };
    const result = runInShell(START_SCRIPT, bare, `${token}\n`);
    expect(result.status).toBe(3);
    expect(result.stderr).toContain('Jupyter is not installed in the environment');
    expect(existsSync(join(bare.HOME, '.gpu-env', 'jupyter', 'token'))).toBe(false);
  });
});
