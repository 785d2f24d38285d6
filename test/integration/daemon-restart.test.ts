/**
 * Daemon restart mid-run (issue 16 case): dockerd itself is stopped and started again (not only the
 * container) while a template training run with auto-resume trains. The engine's stop ends the
 * container, the run checkpoints on its way down; when dockerd is back, the container's restart
 * policy starts it, the entrypoint resumes the run from its newest checkpoint (attempt 2, from a
 * step past 0), and the extension's Runs view shows it running again, attempt 2.
 *
 * REAL: dockerd (the suite's second engine, test/harness/gpu-engine.sh, which tests may stop and
 * start: integration files run one after another), the container and its restart policy, the
 * entrypoint and runner, a template training run (PyTorch, CPU, Fashion-MNIST), the CLI, the
 * extension bundle (against the `vscode` double).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, userWorkspace, waitFor } from './harness-env';
import { activateExtensionOnEngine, BUNDLE, runRows, type ExtensionOnEngine } from './extension-on-engine';
import { GPU_DOCKER_HOST, GPU_HARNESS_READY, GPU_SKIP_REASON, REPO, gpuDocker, removeEnvironments, runCliAs } from './gpu-harness';
import { state } from '../support/vscode-module-mock';

const PREFIX = 'dmnrestart-';
const NAME = `${PREFIX}a`;
/** The harness's HOME, where its engines keep their data: the extension's activation replaces process.env.HOME. */
const HARNESS_HOME = process.env.HOME;

function engine(action: 'restart' | 'start'): void {
  const result = spawnSync('bash', [join(REPO, 'test/harness/gpu-engine.sh'), action], { encoding: 'utf8', timeout: 180_000, env: { ...process.env, HOME: HARNESS_HOME } });
  if (result.status !== 0) throw new Error(`gpu-engine.sh ${action} failed: ${result.stderr}`);
}

interface RunJson {
  readonly id: string;
  readonly state: string;
  readonly status: { attempt: number } | null;
}

describe.skipIf(!GPU_HARNESS_READY || !existsSync(BUNDLE))(`daemon restart mid-run${GPU_HARNESS_READY ? '' : ` (skipped: ${GPU_SKIP_REASON})`}`, () => {
  let vsx: ExtensionOnEngine | undefined;
  let workspace = '';

  beforeAll(async () => {
    await removeEnvironments(PREFIX);
    vsx = activateExtensionOnEngine(NAME, 'dmnrestart', { host: GPU_DOCKER_HOST, docker: gpuDocker });
  });

  afterAll(async () => {
    if (!(await gpuDocker().ping().then(() => true, () => false))) engine('start');
    await removeEnvironments(PREFIX);
    await vsx?.close();
    if (workspace) removeDir(workspace);
  });

  it('the auto-resume run comes back from its checkpoint after dockerd restarts, and the Runs view shows it running, attempt 2', async () => {
    const env = { GPU_ENV_STATE_DIR: vsx!.stateDir, HOME: vsx!.home };
    const t0 = Date.now();
    const mark = (what: string): void => console.log(`daemon restart: ${what} after ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    workspace = userWorkspace(`${PREFIX}ws`);
    const up = await runCliAs(null, ['up', '--name', NAME, '--workspace', workspace, '--gpus', 'none'], env);
    expect(up.code, up.stderr).toBe(0);
    // Tiny batches: the first periodic checkpoint (every 200 steps) comes within a minute or two even
    // on a busy machine; 2 epochs outlast the test.
    const train = await runCliAs(null, ['train', NAME, '--epochs', '2', '--batch-size', '8', '--json'], env, 120_000);
    expect(train.code, train.stderr).toBe(0);
    const runId = (JSON.parse(train.stdout) as { id: string }).id;
    mark('train started');
    const log = async (): Promise<string> => (await runCliAs(null, ['logs', NAME, runId], env, 60_000)).stdout;
    // The workspace is the environment's /workspace: the run's checkpoints are visible here.
    const checkpoints = join(workspace, '.gpu-env', 'runs', runId, 'checkpoints');
    const newest = (): number | undefined => {
      const steps = (existsSync(checkpoints) ? readdirSync(checkpoints) : []).map((f) => /^ckpt-(\d{10})\.pt$/.exec(f)?.[1]).filter((d) => d !== undefined).map(Number);
      return steps.length > 0 ? Math.max(...steps) : undefined;
    };
    const checkpointed = await waitFor('the run\'s first periodic checkpoint', 360_000, async () => newest());
    mark(`checkpoint at step ${checkpointed}`);
    const stepsLogged = (text: string): number => Math.max(0, ...[...text.matchAll(/ step (\d+) loss /g)].map((m) => Number(m[1])));

    const tree = state.trees.get('gpuEnv.runs')!;
    state.treeViews.get('gpuEnv.runs')!.setVisible(true);
    await waitFor('the Runs view to show it running', 60_000, async () => ((await runRows(tree, NAME))[0]?.item.contextValue === 'run.running' ? true : undefined));

    // Trained on past the checkpoint, so a checkpoint written as the engine stops would show.
    const before = await waitFor('a step logged after the checkpoint', 240_000, async () => {
      const logged = stepsLogged(await log());
      return logged > checkpointed ? logged : undefined;
    });
    const restartedAt = Date.now();
    engine('restart');
    const atRestart = newest();
    const restartSeconds = (Date.now() - restartedAt) / 1000;
    mark('dockerd restarted');
    const resumed = await waitFor('the run to resume (attempt 2)', 240_000, async () => {
      const listed = await runCliAs(null, ['runs', NAME, '--json'], env, 60_000).catch(() => undefined);
      const run = (JSON.parse(listed?.stdout || '[]') as RunJson[]).find((r) => r.id === runId);
      return run?.state === 'running' && (run.status?.attempt ?? 0) >= 2 ? run : undefined;
    });
    const resumedSeconds = (Date.now() - restartedAt) / 1000;
    expect(resumed.status?.attempt).toBe(2);
    mark('attempt 2 running');

    // From its checkpoint, not from the start: the resume line names a checkpoint and a step past 0.
    let last = '';
    const text = await waitFor('the resume line in the log', 120_000, async () => {
      last = await log();
      return /resumed from \S+: epoch \d+, batch \d+, step \d+/.test(last) ? last : undefined;
    }).catch((error: Error) => {
      throw new Error(`${error.message}; the log ends:\n${last.split('\n').slice(-25).join('\n')}`);
    });
    const [, checkpoint, step] = /resumed from (\S+): epoch \d+, batch \d+, step (\d+)/.exec(text)!;
    // The newest checkpoint there was when the engine went down, and its step.
    expect(checkpoint).toBe(`/workspace/.gpu-env/runs/${runId}/checkpoints/ckpt-${String(atRestart).padStart(10, '0')}.pt`);
    expect(Number(step)).toBe(atRestart);
    expect(Number(step)).toBeGreaterThan(0);
    expect(text).toMatch(/attempt 2: python3 /);

    const row = await waitFor('the Runs view to show attempt 2 running', 60_000, async () => {
      const [found] = await runRows(tree, NAME);
      return found?.item.contextValue === 'run.running' && found.item.tooltip?.value.includes('**Attempt:** 2') ? found : undefined;
    });
    expect(row.item.tooltip?.value).toContain(`**Run:** ${runId}`);
    console.log(`daemon restart: figures: step ${before} logged before the restart; dockerd restart took ${restartSeconds.toFixed(1)} s; attempt 2 running ${resumedSeconds.toFixed(1)} s after the restart began, resumed at step ${step} from ${checkpoint} (${Number(step) % 200 === 0 ? 'a periodic one: the run wrote none as the engine stopped it, so the steps after it are trained again' : 'written as the engine stopped it'})`);
  }, 600_000);
});
