/**
 * Issue 16 defect 10 (paths): a workspace whose path has a ':' broke the "src:dst" bind, and a
 * script named -train.py could not be run (its name became an option of the runner). Both on a
 * real engine and the real runner.
 */
import { chownSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultContext, openEnvironmentSession } from '../../src/core/api';
import { RunsClient, readShippedAssets } from '../../src/core/runs/index';
import { startScriptRun } from '../../src/core/scripts/script-run';
import { BASE_IMAGE, DOCKER_HOST, HARNESS_READY, SKIP_REASON, WORKSPACE_UID, docker, removeDir, runCli, tempDir } from './harness-env';

const NAME = 'itest-odd-paths';

describe.skipIf(!HARNESS_READY)(`odd but valid paths${HARNESS_READY ? '' : ` (skipped: ${SKIP_REASON})`}`, () => {
  let parent = '';
  let workspace = '';
  let stateDir = '';
  let env: Record<string, string> = {};

  beforeAll(() => {
    parent = tempDir('odd-paths');
    workspace = join(parent, 'exp:2026 a,b');
    mkdirSync(workspace);
    if (process.getuid?.() === 0) chownSync(workspace, WORKSPACE_UID, WORKSPACE_UID);
    stateDir = tempDir('odd-paths-state');
    env = { DOCKER_HOST, GPU_ENV_STATE_DIR: stateDir };
  });

  afterAll(async () => {
    await docker().getContainer(`gpu-env-${NAME}`).remove({ force: true }).catch(() => undefined);
    removeDir(stateDir);
    removeDir(parent);
  });

  it('mounts a workspace whose path has a colon, a space and a comma at /workspace', async () => {
    writeFileSync(join(workspace, 'marker.txt'), 'here\n');
    const up = await runCli(['up', '--name', NAME, '--workspace', workspace, '--base-image', BASE_IMAGE], env);
    expect(up.code, up.stderr).toBe(0);
    const cat = await runCli(['exec', NAME, '--', 'cat', '/workspace/marker.txt'], env, 60_000);
    expect(cat.code, cat.stderr).toBe(0);
    expect(cat.stdout).toBe('here\n');
    const inspect = await docker().getContainer(`gpu-env-${NAME}`).inspect();
    expect(inspect.Mounts.map((m) => [m.Source, m.Destination])).toEqual([[workspace, '/workspace']]);
  });

  it('runs a script whose name starts with a dash', async () => {
    writeFileSync(join(workspace, '-train.py'), 'print("dash script ran")\n');
    const session = await openEnvironmentSession(NAME, { context: defaultContext({ stateDir, env: { ...process.env, DOCKER_HOST } }) });
    try {
      const started = await startScriptRun(session, readShippedAssets(join(__dirname, '..', '..')), { script: '/workspace/-train.py', environment: NAME });
      const runs = new RunsClient(session);
      let state = started.status.state as string;
      for (let poll = 0; poll < 60 && (state === 'starting' || state === 'running'); poll++) {
        await new Promise((resolve) => setTimeout(resolve, 500));
        state = (await runs.status(started.id))?.status?.state ?? 'missing';
      }
      expect(state).toBe('succeeded');
      expect((await runs.status(started.id))?.run?.label).toBe('-train.py');
      const log = await runs.readLog(started.id, 0);
      expect(log.kind === 'data' ? log.data.toString() : log.kind).toMatch(/dash script ran/);
    } finally {
      session.close();
    }
  });
});
