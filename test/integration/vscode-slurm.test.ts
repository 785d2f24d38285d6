/**
 * The built extension (dist/extension.js, with the stand-in `vscode` module) on the real Slurm test
 * cluster: gpuEnv.engineHost = slurm://…, the start notification showing the queue and cancelling the
 * job, the Environments tree as cluster → environment with its job, stop, and Sync Workspace.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, tempDir } from './harness-env';
import { SLURM, SLURM_READY, SLURM_SKIP_REASON, cancelAllJobs, homeWithClusterAlias, onLogin, userJobs, waitForJobState } from './slurm-harness';
import { extensionContext, installVsCodeMock, runRegisteredCommand, state, type ExtensionModule, type TreeItemLike, type TreeProviderLike } from '../support/vscode-module-mock';
import { BUNDLE, ROOT, requireBundle } from '../support/extension-bundle';

const NAME = 'itest-vsx-slurm';

const run = runRegisteredCommand;

describe.skipIf(!SLURM_READY || !existsSync(BUNDLE))(`VS Code extension on the Slurm test cluster${SLURM_READY ? '' : ` (skipped: ${SLURM_SKIP_REASON})`}`, () => {
  let workspace = '';
  let stateDir = '';
  let home = '';
  let context: ReturnType<typeof extensionContext>;
  const saved = { HOME: process.env.HOME, GPU_ENV_STATE_DIR: process.env.GPU_ENV_STATE_DIR, SSH_AUTH_SOCK: process.env.SSH_AUTH_SOCK };

  beforeAll(async () => {
    workspace = tempDir('vsx-slurm-ws');
    stateDir = tempDir('vsx-slurm-state');
    home = homeWithClusterAlias(tempDir('vsx-slurm-home'));
    Object.assign(process.env, { HOME: home, GPU_ENV_STATE_DIR: stateDir, SSH_AUTH_SOCK: '' });
    state.settings = { 'gpuEnv.engineHost': SLURM.host, 'gpuEnv.environmentName': NAME, 'gpuEnv.slurm.time': '1:00:00', 'gpuEnv.shmSize': '8g' };
    state.folders = [workspace];
    installVsCodeMock();
    context = extensionContext(join(home, 'global-storage'), ROOT);
    requireBundle<ExtensionModule>().activate(context);
    await cancelAllJobs();
  });

  afterAll(async () => {
    for (const subscription of context?.subscriptions ?? []) subscription.dispose();
    delete require.cache[require.resolve(BUNDLE)];
    if (SLURM_READY) {
      await cancelAllJobs();
      await onLogin(`rm -rf ~/.gpu-env/envs/${NAME} ~/gpu-env/${NAME}`);
    }
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
    for (const dir of [workspace, stateDir, home]) if (dir) removeDir(dir);
  });

  it('shows the job waiting in the queue in the start notification; Cancel cancels it (scancel)', async () => {
    const blocker = await onLogin("sbatch --parsable --job-name=blocker --nodes=2 --exclusive --wrap 'sleep 600'");
    await waitForJobState(blocker.stdout.trim(), 'RUNNING');
    state.shown.clear();
    state.progress = [];
    state.cancelProgressWhen = (message) => /^Job \d+ waiting in the queue: (Resources|Priority)/.test(message);
    try {
      await run('gpuEnv.start');
    } finally {
      state.cancelProgressWhen = () => false;
    }
    expect(state.progress.map((p) => p.message)).toEqual(expect.arrayContaining(['Connecting to the Slurm login node', 'Submitting the batch job', expect.stringMatching(/^Job \d+ waiting in the queue: (Resources|Priority)/)]));
    expect(state.progress[0]?.title).toBe(`Starting GPU environment "${NAME}" on ${SLURM.host}; its files live in ~/gpu-env/${NAME} there`);
    expect(state.shown.texts('error')).toEqual([]);
    expect((await userJobs()).filter((line) => line.endsWith(`gpu-env-${NAME}`))).toEqual([]);
    await onLogin(`scancel ${blocker.stdout.trim()}`);
    await cancelAllJobs();
  });

  it('starts on the cluster (a Docker-only setting left out), then the tree shows cluster → environment with its job', async () => {
    state.shown.clear();
    state.progress = [];
    await run('gpuEnv.start');
    expect(state.shown.texts('error')).toEqual([]);
    expect(state.progress.map((p) => p.message)).toEqual(expect.arrayContaining([expect.stringMatching(/^Job \d+ RUNNING on node[12]$/), 'Waiting for SSH']));
    const [job] = await userJobs();
    const [jobId, , node] = job!.split(' ');
    const tree = state.trees.get('gpuEnv.environments') as TreeProviderLike;
    const roots = await tree.getChildren();
    expect(roots.map((r) => (tree.getTreeItem(r) as TreeItemLike).label)).toEqual([`${SLURM.user}@${SLURM.login}`]);
    const [row] = await tree.getChildren(roots[0]);
    const item = tree.getTreeItem(row) as TreeItemLike;
    expect(item).toMatchObject({ label: NAME, contextValue: 'environment.running' });
    expect(item.description).toMatch(new RegExp(`^running · job ${jobId} · ${node} · gpu:1 · (5\\d min|1 h 0 min) left$`)); // a 1-hour limit, read within its first minute or later
    expect(item.tooltip?.value).toContain('**Partition:** gpu');
  });

  it('Sync Workspace copies the open folder to the environment and says what it copied', async () => {
    mkdirSync(join(workspace, 'data'), { recursive: true });
    writeFileSync(join(workspace, '.gitignore'), 'data/\n');
    writeFileSync(join(workspace, 'data', 'big.bin'), 'ignored');
    writeFileSync(join(workspace, 'train.py'), 'print("hello")\n');
    state.shown.clear();
    await run('gpuEnv.syncWorkspace', NAME);
    expect(state.shown.texts('error')).toEqual([]);
    expect(state.shown.texts('info')).toEqual([expect.stringMatching(new RegExp(`^Copied 2 files \\(0\\.00 MB\\) to ${SLURM.user}@\\S+:/home/${SLURM.user}/gpu-env/${NAME} in [\\d.]+ s; 0 unchanged, 1 ignored by \\.gitignore\\.$`))]);
    const listed = await onLogin(`ls -A ~/gpu-env/${NAME}`);
    expect(listed.stdout.trim().split('\n').sort()).toEqual(['.gitignore', 'train.py']);
  });

  it('Stop cancels the job', async () => {
    await run('gpuEnv.stop', NAME);
    expect(state.shown.texts('error')).toEqual([]);
    expect(await userJobs()).toEqual([]);
  });
});
