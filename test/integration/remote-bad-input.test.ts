import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BASE_IMAGE, DOCKER_HOST, HARNESS_READY, SKIP_REASON, productContainers, removeDir, runCli, tempDir, userWorkspace } from './harness-env';

describe.skipIf(!HARNESS_READY)(`bad input for remote hosts and Jupyter exits 2 and creates nothing${HARNESS_READY ? '' : ` (skipped: ${SKIP_REASON})`}`, () => {
  let workspace = '';
  let stateDir = '';
  let home = '';
  let env: Record<string, string> = {};
  let before: string[] = [];

  beforeAll(async () => {
    workspace = userWorkspace('remote-bad');
    stateDir = tempDir('remote-bad-state');
    home = tempDir('remote-bad-home');
    env = { DOCKER_HOST, GPU_ENV_STATE_DIR: stateDir, HOME: home };
    before = await productContainers();
  });

  afterAll(() => {
    removeDir(workspace);
    removeDir(stateDir);
    removeDir(home);
  });

  const cases: [string, () => string[], RegExp][] = [
    ['--workspace with an ssh:// host', () => ['up', '--name', 'x', '--workspace', workspace, '--host', 'ssh://me@192.0.2.1'], /--workspace: the engine is on another machine.*use --remote-workspace PATH|give a folder on that host with --remote-workspace PATH/],
    ['--remote-workspace with a local engine', () => ['up', '--name', 'x', '--workspace', workspace, '--remote-workspace', '~/x', '--base-image', BASE_IMAGE], /--remote-workspace: only for an engine on another machine \(ssh:\/\/…\)/],
    ['--remote-workspace relative', () => ['up', '--name', 'x', '--host', 'ssh://me@192.0.2.1', '--remote-workspace', 'proj'], /--remote-workspace: "proj" is not a folder on the remote host; use an absolute path/],
    ['--host ssh:// with a bad port', () => ['ls', '--host', 'ssh://me@gpu:99999'], /--host: "ssh:\/\/me@gpu:99999" has port 99999; use a port from 1 to 65535/],
    ['--host alias missing from ~/.ssh/config', () => ['ls', '--host', 'gpu-box'], /--host: "gpu-box" is not a Docker engine address, nor a Host alias in .*\/\.ssh\/config/],
    ['jupyter without NAME', () => ['jupyter'], /missing environment NAME[\s\S]*usage: gpu-env jupyter NAME/],
    ['jupyter --port not a number', () => ['jupyter', 'x', '--port', 'http'], /--port: "http" is not a port; use 1 to 65535, or 0 for any free one/],
    ['jupyter with an unknown flag', () => ['jupyter', 'x', '--lab'], /Unknown option '--lab'/],
  ];

  it.each(cases)('%s', async (_label, args, message) => {
    const result = await runCli(args(), env, 30_000);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stdout).toBe('');
  });

  it('an unreachable ssh:// host fails (exit 1) saying which host and why', async () => {
    const result = await runCli(['ls', '--host', 'ssh://me@127.0.0.1:1'], { ...env, SSH_AUTH_SOCK: '' }, 30_000);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/no SSH identity to log in to me@127\.0\.0\.1:1|SSH to me@127\.0\.0\.1:1 \(127\.0\.0\.1:1\) failed: .*ECONNREFUSED/);
  });

  it('left no container behind', async () => {
    expect(await productContainers()).toEqual(before);
  });
});
