/**
 * Engine down and back (issue 16, catalogue case 22): the private dockerd is stopped mid-session,
 * with the Environments view open and following the engine's events. The view and the CLI say the
 * engine at that endpoint is unreachable (the view stops showing the last list as if nothing had
 * happened), nothing rejects unhandled; when dockerd is back, the watcher reconnects and the view
 * re-lists by itself. A socket this user may not open gets its own message, not "is it running?".
 *
 * REAL: dockerd (the suite's second engine, test/harness/gpu-engine.sh, which tests may stop and
 * start: integration files run one after another), its socket and event stream, an environment
 * container, the CLI, the extension bundle (against the `vscode` double), a Unix user (nobody)
 * outside the socket's group.
 */
import { spawnSync } from 'node:child_process';
import { chownSync, existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, removeDir, tempDir, userWorkspace, waitFor } from './harness-env';
import { activateExtensionOnEngine, BUNDLE, type ExtensionOnEngine } from './extension-on-engine';
import { GPU_DOCKER_HOST, GPU_HARNESS_READY, GPU_SKIP_REASON, REPO, gpuDocker, removeEnvironments, runCliAs } from './gpu-harness';
import { state, type TreeProviderLike } from '../support/vscode-module-mock';

const PREFIX = 'engdown-';
const NAME = `${PREFIX}a`;
const NOBODY = 65534;

interface Row {
  readonly label: string;
  readonly description?: string;
  readonly tooltip?: { value: string };
}

/** The harness's HOME, where its engines keep their data: the extension's activation replaces process.env.HOME. */
const HARNESS_HOME = process.env.HOME;

function engine(action: 'stop' | 'start'): void {
  const env = { ...process.env, HOME: HARNESS_HOME };
  const result = spawnSync('bash', [join(REPO, 'test/harness/gpu-engine.sh'), action], { encoding: 'utf8', timeout: 180_000, env });
  if (result.status !== 0) throw new Error(`gpu-engine.sh ${action} failed: ${result.stderr}`);
}

async function engineAnswers(): Promise<boolean> {
  return gpuDocker().ping().then(() => true, () => false);
}

describe.skipIf(!GPU_HARNESS_READY || !existsSync(BUNDLE))(`engine down and back${GPU_HARNESS_READY ? '' : ` (skipped: ${GPU_SKIP_REASON})`}`, () => {
  let vsx: ExtensionOnEngine | undefined;
  const dirs: string[] = [];
  const rejections: unknown[] = [];
  const onRejection = (reason: unknown): void => void rejections.push(reason);

  beforeAll(async () => {
    process.on('unhandledRejection', onRejection);
    await removeEnvironments(PREFIX);
    vsx = activateExtensionOnEngine(NAME, 'engdown', { host: GPU_DOCKER_HOST, docker: gpuDocker });
  });

  afterAll(async () => {
    // A failure half-way must not leave the suite's engine stopped.
    if (!(await engineAnswers())) engine('start');
    await removeEnvironments(PREFIX);
    await vsx?.close();
    for (const dir of dirs) removeDir(dir);
    process.off('unhandledRejection', onRejection);
  });

  it('the view and the CLI name the unreachable engine, nothing rejects unhandled, and the view re-lists when it is back', async () => {
    const env = { GPU_ENV_STATE_DIR: vsx!.stateDir, HOME: vsx!.home };
    const workspace = userWorkspace(`${PREFIX}ws`);
    dirs.push(workspace);
    const up = await runCliAs(null, ['up', '--name', NAME, '--workspace', workspace, '--gpus', 'none'], env);
    expect(up.code, up.stderr).toBe(0);

    const tree = state.trees.get('gpuEnv.environments') as TreeProviderLike;
    const rows = async (): Promise<Row[]> => (await tree.getChildren()).map((node) => tree.getTreeItem(node) as Row);
    await waitFor('the environment in the view', 30_000, async () => ((await rows()).some((r) => r.label === NAME) ? true : undefined));
    // Stopped first: a running container's stop events would make the view re-list as the engine
    // shuts down, hiding whether the lost connection itself is noticed (it was not, before).
    const down = await runCliAs(null, ['down', NAME], env, 120_000);
    expect(down.code, down.stderr).toBe(0);
    await waitFor('the view to show it stopped', 30_000, async () => ((await rows()).some((r) => r.label === NAME && r.description === 'stopped') ? true : undefined));

    const stoppedAt = Date.now();
    engine('stop');
    const stopSeconds = (Date.now() - stoppedAt) / 1000;
    const downRow = await waitFor('the view to say the engine is unreachable', 60_000, async () =>
      (await rows()).find((r) => r.label === 'Docker engine not reachable'));
    const shownAfter = (Date.now() - stoppedAt) / 1000;
    expect(downRow.tooltip?.value).toContain(GPU_DOCKER_HOST.replace(/[\\`*_{}[\]()<>|~]/g, (c) => `\\${c}`));
    expect((await rows()).map((r) => r.label)).not.toContain(NAME);

    const ls = await runCliAs(null, ['ls'], env, 60_000);
    expect(ls.code).toBe(1);
    expect(ls.stdout + ls.stderr).toContain(`Docker engine not reachable at ${GPU_DOCKER_HOST}`);
    const status = await runCliAs(null, ['status', NAME], env, 60_000);
    expect(status.code).not.toBe(0);
    expect(status.stderr).toContain(`Docker engine not reachable at ${GPU_DOCKER_HOST}`);

    const startedAt = Date.now();
    engine('start');
    const startSeconds = (Date.now() - startedAt) / 1000;
    // Nothing asks the view: the watcher's reconnect (capped backoff, at most 30 s) must re-list by itself.
    let relisted = false;
    tree.onDidChangeTreeData(() => void (relisted = true));
    const back = await waitFor('the view to list the environment again', 90_000, async () =>
      relisted && (await rows()).some((r) => r.label === NAME) ? true : undefined);
    expect(back).toBe(true);
    const relistedAfter = (Date.now() - startedAt) / 1000;
    expect(state.channels.get('GPU Environments')?.join('\n')).toMatch(/event stream (ended|closed|failed)[^\n]*; reconnecting in \d+ ms/);
    console.log(`engine down: stop took ${stopSeconds.toFixed(1)} s, the view said unreachable ${shownAfter.toFixed(1)} s after the stop began; start took ${startSeconds.toFixed(1)} s, the view re-listed ${relistedAfter.toFixed(1)} s after the start began`);
    expect(rejections).toEqual([]);
  });

  it('a socket this user may not open: its own message, not "is it running?"', async () => {
    // The precondition: nobody is neither the socket's owner nor in its group, and others have no access.
    const socket = statSync(new URL(GPU_DOCKER_HOST).pathname);
    expect(socket.uid).toBe(0);
    expect(socket.gid).not.toBe(NOBODY);
    expect(socket.mode & 0o007).toBe(0);
    const home = tempDir(`${PREFIX}nobody`);
    dirs.push(home);
    chownSync(home, NOBODY, NOBODY);
    const result = spawnSync('setpriv', ['--reuid', String(NOBODY), '--regid', String(NOBODY), '--clear-groups', process.execPath, CLI, 'ls'], {
      encoding: 'utf8',
      timeout: 60_000,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, GPU_ENV_STATE_DIR: join(home, 'state'), DOCKER_HOST: GPU_DOCKER_HOST },
    });
    const said = result.stdout + result.stderr;
    expect(result.status, said).toBe(1);
    expect(said).toContain(`No permission to use the Docker engine at ${GPU_DOCKER_HOST}`);
    expect(said).toMatch(/this user may not open its socket; add the user to the docker group/);
    expect(said).not.toMatch(/is it running/);
    // The same engine answers root at once: the message is about permission, not a stopped engine.
    expect(await engineAnswers()).toBe(true);
    expect(rejections).toEqual([]);
  });
});
