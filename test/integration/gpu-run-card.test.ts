/**
 * A training run in an environment with a stand-in GPU shows on that GPU's card: in the GPU Monitor
 * view of the built extension and in `gpu-env monitor --json`, with who else holds the GPU.
 *
 * REAL: the engine, the containers, the training run (the template, PyTorch on CPU, started by the
 * runner), /proc of this machine (NSpid, parents), SSH, the extension bundle (with the stand-in
 * `vscode` module of test/support). STAND-IN: the GPU (test/harness/nvidia-standin) and the one fact
 * only a real driver would know, that the training process uses it: the test tells the stand-in
 * driver the training process's pid (as this machine numbers it, found with `docker top`), as NVML
 * would report a process with a CUDA context. Which run that pid belongs to is left to gpu-env.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { BASE_IMAGE, removeDir, tempDir, userWorkspace } from './harness-env';
import { GPU_DOCKER_HOST, GPU_HARNESS_READY, GPU_SKIP_REASON, STANDIN_UUID, gpuDocker, removeEnvironments, runCliAs, writeStandinGpus, writeStandinProcesses } from './gpu-harness';
import { extensionContext, FakeWebviewView, installVsCodeMock, state } from '../support/vscode-module-mock';
import { BUNDLE, ROOT, requireBundle } from '../support/extension-bundle';

const PREFIX = 'card-';
const NAME = `${PREFIX}train`;

interface Card {
  index: number;
  run: { id: string; label: string } | null;
  holders: { environment: string | null; owner: string | null; self: boolean }[];
}

describe.skipIf(!GPU_HARNESS_READY || !existsSync(BUNDLE))(`a run on its GPU's card${GPU_HARNESS_READY ? '' : ` (skipped: ${GPU_SKIP_REASON})`}`, () => {
  const dirs: string[] = [];
  let stateDir = '';
  let env: Record<string, string> = {};
  let runId = '';
  let context: ReturnType<typeof extensionContext> | undefined;
  const saved = { HOME: process.env.HOME, DOCKER_HOST: process.env.DOCKER_HOST, GPU_ENV_STATE_DIR: process.env.GPU_ENV_STATE_DIR };
  const cli = (...args: string[]) => runCliAs(null, args, env);

  beforeAll(async () => {
    await removeEnvironments(PREFIX);
    stateDir = tempDir('card-state');
    dirs.push(stateDir);
    env = { GPU_ENV_STATE_DIR: stateDir, HOME: stateDir };
    writeStandinGpus([0, 1, 2, 3].map((index) => ({ index, utilPercent: index === 1 ? 87 : 0, memUsedMiB: index === 1 ? 3072 : 0 })));
    writeStandinProcesses([]);
    for (const [name, gpus] of [[NAME, 'device=1'], [`${PREFIX}neighbour`, 'device=1,2']] as const) {
      const workspace = userWorkspace(name);
      dirs.push(workspace);
      const up = await cli('up', '--name', name, '--workspace', workspace, '--gpus', gpus);
      expect(up.code, up.stderr).toBe(0);
    }
    const started = await cli('train', NAME, '--epochs', '100', '--batch-size', '256', '--json');
    expect(started.code, started.stderr).toBe(0);
    runId = (JSON.parse(started.stdout) as { id: string }).id;
    // The training process as this machine numbers it: what NVML would list on the GPU it uses.
    const top = await gpuDocker().getContainer(`gpu-env-${NAME}`).top({ ps_args: '-o pid,args' }) as { Processes: string[][] };
    const training = top.Processes.find((row) => row[1]?.includes('train_cnn.py') && row[1].includes(`/runs/${runId}`) && !row[1].includes('gpu_env_run.py'));
    expect(training, JSON.stringify(top.Processes)).toBeDefined();
    writeStandinProcesses([{ gpu: 1, pid: Number(training![0]), usedMiB: 3000 }]);
  });

  afterAll(async () => {
    for (const subscription of context?.subscriptions ?? []) subscription.dispose();
    delete require.cache[require.resolve(BUNDLE)];
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
    writeStandinProcesses([]);
    await removeEnvironments(PREFIX);
    for (const dir of dirs) removeDir(dir);
  });

  it('monitor --json: the GPU\'s attribution names the run, and both environments holding it', async () => {
    const result = await cli('monitor', NAME, '--once', '--json');
    expect(result.code, result.stderr).toBe(0);
    const sample = JSON.parse(result.stdout) as { gpu: { devices: { uuid: string; utilizationGpuPercent: number }[] }; attribution: { devices: { uuid: string; run: { id: string; label: string } | null; holders: { environment: string; self: boolean }[] }[]; cannotMap: string | null } };
    expect(sample.gpu.devices.map((d) => [d.uuid, d.utilizationGpuPercent])).toEqual([[STANDIN_UUID(1), 87]]);
    expect(sample.attribution.cannotMap).toBeNull();
    expect(sample.attribution.devices).toEqual([{
      index: 0, uuid: STANDIN_UUID(1),
      run: { id: runId, label: 'cnn · fashion-mnist · 100 epochs' },
      holders: expect.arrayContaining([
        { environment: NAME, container: `gpu-env-${NAME}`, owner: 'root', self: true },
        { environment: `${PREFIX}neighbour`, container: `gpu-env-${PREFIX}neighbour`, owner: 'root', self: false },
      ]),
    }]);
    const table = await cli('monitor', NAME, '--once');
    expect(table.stdout).toMatch(new RegExp(`^GPU 0: run cnn · fashion-mnist · 100 epochs \\(${runId}\\) · held by .*root/${NAME} \\(this one\\)`, 'm'));
  });

  it('the GPU Monitor view\'s card shows the run and the holders; the status bar tooltip names the other holder', async () => {
    const home = tempDir('card-home');
    dirs.push(home);
    Object.assign(process.env, { HOME: home, DOCKER_HOST: GPU_DOCKER_HOST, GPU_ENV_STATE_DIR: stateDir });
    state.settings = { 'gpuEnv.engineHost': GPU_DOCKER_HOST, 'gpuEnv.baseImage': BASE_IMAGE, 'gpuEnv.environmentName': NAME };
    state.folders = [];
    installVsCodeMock();
    context = extensionContext(join(home, 'global-storage'), ROOT);
    requireBundle<{ activate(c: typeof context): void }>().activate(context);
    const view = new FakeWebviewView();
    state.webviewViews.get('gpuEnv.monitor')!.resolveWebviewView(view);
    view.webview.send({ type: 'ready', view: 'monitor', protocol: 1 });
    await vi.waitFor(() => {
      const gpu = view.webview.posted.filter((m) => (m as { type?: string }).type === 'gpu') as { snapshot: { env: string | null; cards: Card[] } }[];
      const card = gpu.at(-1)?.snapshot.cards[0];
      expect(card?.run).toEqual({ id: runId, label: 'cnn · fashion-mnist · 100 epochs' });
      expect(card?.holders).toEqual(expect.arrayContaining([
        expect.objectContaining({ environment: NAME, self: true }),
        expect.objectContaining({ environment: `${PREFIX}neighbour`, owner: 'root', self: false }),
      ]));
    }, { timeout: 60_000, interval: 500 });
    expect(String(state.statusBars.get('gpuEnv.gpu')?.tooltip)).toContain(`GPU 0 is also held by root/${PREFIX}neighbour`);
    view.setVisible(false);
  });
});
