import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BASE_IMAGE, DOCKER_HOST, HARNESS_READY, SKIP_REASON, productContainers, removeDir, runCli, tempDir, userWorkspace } from './harness-env';

describe.skipIf(!HARNESS_READY)(`bad input exits 2 and creates nothing${HARNESS_READY ? '' : ` (skipped: ${SKIP_REASON})`}`, () => {
  let workspace = '';
  let stateDir = '';
  let rootOwned = '';
  let aFile = '';
  let env: Record<string, string> = {};
  let before: string[] = [];

  beforeAll(async () => {
    workspace = userWorkspace('bad');
    stateDir = tempDir('bad-state');
    rootOwned = mkdtempSync(join(tmpdir(), 'gpu-env-rootws-'));
    aFile = join(workspace, 'a-file');
    writeFileSync(aFile, 'x');
    env = { DOCKER_HOST, GPU_ENV_STATE_DIR: stateDir };
    before = await productContainers();
  });

  afterAll(() => {
    removeDir(workspace);
    removeDir(stateDir);
    removeDir(rootOwned);
  });

  const up = (...flags: string[]): string[] => ['up', '--name', 'bad-input', '--workspace', workspace, '--base-image', BASE_IMAGE, ...flags];

  const cases: [string, () => string[], RegExp][] = [
    ['--gpus with an empty item', () => up('--gpus', '0,,1'), /--gpus: "0,,1" is not a GPU request; use all, none, a count N of free GPUs \(e\.g\. 2\), device=0,2/],
    ['--gpus with a word', () => up('--gpus', 'two'), /--gpus: "two" is not a GPU request/],
    ['--gpus 0 (none is the way)', () => up('--gpus', '0'), /--gpus: 0 is not a number of GPUs; to start without GPUs use --gpus none/],
    ['--idle-stop with an unknown unit', () => up('--idle-stop', '10x'), /--idle-stop: "10x" is not a duration; use a number with a unit s, m, h or d \(e\.g\. 30m, 2h\), at least 1m, or off/],
    ['--idle-stop below the minimum', () => up('--idle-stop', '1s'), /--idle-stop: 1s is shorter than the minimum of 1m; give 1m or more/],
    ['--gpus with duplicates', () => up('--gpus', '1,1'), /--gpus: "1,1".*no duplicates/],
    ['--memory with an unknown unit', () => up('--memory', '16q'), /--memory: "16q" is not a size; use a positive number with a unit b, k, m, g or t/],
    ['--memory negative', () => up('--memory=-1g'), /--memory: "-1g" is not a size/],
    ['--memory followed by a dash value', () => up('--memory', '-1g'), /Option '--memory' argument is ambiguous/],
    ['--memory zero', () => up('--memory', '0'), /--memory: "0" is not a size/],
    ['--shm-size zero', () => up('--shm-size', '0g'), /--shm-size: "0g" is not a size/],
    ['--cpus zero', () => up('--cpus', '0'), /--cpus: "0" is not a CPU count; use a number from 0.01 to 1024/],
    // Issue 16 defect 10: these were accepted, and meant "no limit", or failed only after the build.
    ['--cpus too small to be a limit', () => up('--cpus', '0.0000000001'), /--cpus: "0.0000000001" is not a CPU count; use a number from 0.01 to 1024/],
    ['--memory beyond any machine', () => up('--memory', '99999999999999t'), /--memory: "99999999999999t" is too large; use at most 1024t/],
    ['--memory below what the engine allows', () => up('--memory', '1m'), /--memory: "1m" is too small; use at least 6m/],
    ['--shm-size without a unit (bytes)', () => up('--shm-size', '1'), /--shm-size: "1" is too small; use at least 1m \(a number without a unit is bytes\)/],
    ['--gpus with the same index written twice', () => up('--gpus', '0,00'), /--gpus: "0,00".*no duplicates/],
    ['--cpus a word', () => up('--cpus', 'many'), /--cpus: "many" is not a CPU count/],
    ['--base-image with upper case and spaces', () => up('--base-image', 'Not An/Image'), /--base-image: "Not An\/Image" is not an image reference/],
    ['--image with two colons', () => up('--image', 'repo::tag'), /--image: "repo::tag" is not an image reference/],
    ['--name with upper case', () => ['up', '--name', 'Bad_Name', '--workspace', workspace], /--name: "Bad_Name" is not a valid name; use lower-case letters/],
    ['--workspace missing', () => ['up', '--name', 'x', '--workspace', '/nonexistent/gpu-env'], /--workspace: "\/nonexistent\/gpu-env" does not exist/],
    ['--workspace a file', () => ['up', '--name', 'x', '--workspace', aFile], /--workspace: ".*a-file" is not a folder/],
    ['--uid negative', () => up('--uid=-1'), /--uid: "-1" is not a user id/],
    ['--uid a word', () => up('--uid', 'me'), /--uid: "me" is not a user id; use a whole number/],
    ['root-owned workspace without --uid', () => ['up', '--name', 'x', '--workspace', rootOwned, '--base-image', BASE_IMAGE], /is owned by root.*Pass --uid N.*--uid 0 to run as root on purpose/s],
    ['--apt-mirror without a scheme', () => up('--apt-mirror', 'mirrors.tuna.tsinghua.edu.cn/debian'), /--apt-mirror: "mirrors\.tuna\.tsinghua\.edu\.cn\/debian" is not accepted; use an http:\/\/ or https:\/\/ URL of an apt archive mirror/],
    ['--pip-index-url with a password', () => up('--pip-index-url', 'https://me:s3cret@pypi.corp/simple'), /^(?![\s\S]*s3cret)[\s\S]*--pip-index-url: the URL contains a user name or password/],
    ['--host with an unknown scheme', () => up('--host', 'ftp://example'), /--host: "ftp:\/\/example" is not a Docker engine address; use unix:\/\/\/path/],
    ['an unknown flag', () => up('--colour', 'blue'), /Unknown option '--colour'[\s\S]*usage: gpu-env up/],
    ['a flag without its value', () => ['up', '--memory'], /Option '--memory <value>' argument missing/],
    ['exec without --', () => ['exec', 'x', 'ls'], /missing "--" before the command/],
    ['status without NAME', () => ['status'], /missing environment NAME/],
    ['rm with a bad NAME', () => ['rm', '../etc'], /NAME: "\.\.\/etc" is not a valid name/],
    ['an unknown command', () => ['upp'], /unknown command "upp"/],
  ];

  it.each(cases)('%s', async (_label, args, message) => {
    const result = await runCli(args(), env, 30_000);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stdout).toBe('');
  });

  it('GPUs named explicitly on an engine without a GPU runtime fail clearly (exit 1)', async () => {
    const result = await runCli(up('--gpus', 'all'), env, 60_000);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/--gpus all: the engine at unix:\/\/.* offers no NVIDIA runtime or CDI GPU devices/);
  });

  it('left no container behind', async () => {
    expect(await productContainers()).toEqual(before);
  });
});
