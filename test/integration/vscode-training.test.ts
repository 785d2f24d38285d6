/**
 * Training through the built extension (dist/extension.js with the stand-in `vscode` module) on the
 * real engine: Train CNN runs a real one-epoch Fashion-MNIST training in a real environment, the
 * Runs view shows its progress, the finish notification carries its test accuracy, the dashboard
 * gets its metrics over SSH, and the GPU Monitor view gets the CPU-only sample of a machine
 * without an NVIDIA driver.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { HARNESS_READY, SKIP_REASON } from './harness-env';
import { activateExtensionOnEngine, BUNDLE, runRows, type ExtensionOnEngine } from './extension-on-engine';
import { FakeWebviewView, state } from '../support/vscode-module-mock';

const NAME = 'itest-vsx-train';

async function run(id: string, ...args: unknown[]): Promise<unknown> {
  const handler = state.commands.get(id);
  if (!handler) throw new Error(`command ${id} is not registered`);
  return handler(...args);
}


describe.skipIf(!HARNESS_READY || !existsSync(BUNDLE))(`training from VS Code on the real engine${HARNESS_READY ? '' : ` (skipped: ${SKIP_REASON})`}`, () => {
  let vsx: ExtensionOnEngine | undefined;
  let runId = '';

  beforeAll(() => {
    vsx = activateExtensionOnEngine(NAME, 'vsx-train');
  });

  afterAll(async () => {
    if (process.env.GPU_ENV_TEST_DEBUG) console.log([...state.channels.entries()].map(([k, v]) => `== ${k}\n${v.join('\n')}`).join('\n'));
    await vsx?.close();
  });

  it('registers the runs view, monitor view, dashboard restore, task type and lens without any engine call or UI', () => {
    expect([...state.trees.keys()]).toContain('gpuEnv.runs');
    expect(state.webviewViews.has('gpuEnv.monitor')).toBe(true);
    expect(state.serializers.has('gpuEnv.dashboard')).toBe(true);
    expect(state.taskProviders.has('gpu-env')).toBe(true);
    expect(state.codeLensProviders).toHaveLength(1);
    expect(state.channels.size).toBe(0);
    expect(state.panels).toEqual([]);
  });

  it('puts "Train in GPU Environment" on the main guard of a Python file', () => {
    const document = { uri: { scheme: 'file', fsPath: join(vsx!.workspace, 'train.py') }, getText: () => 'import torch\n\nif __name__ == "__main__":\n    main()\n' };
    const lenses = state.codeLensProviders[0]!.provider.provideCodeLenses(document) as Array<{ range: { startLine: number }; command: { command: string; arguments: unknown[] } }>;
    expect(lenses.map((l) => [l.range.startLine, l.command.command, l.command.arguments[0]])).toEqual([[2, 'gpuEnv.trainCnn', document.uri]]);
  });

  it('a gpu-env task with an invalid definition fails with exit code 1 and says why', async () => {
    const provider = state.taskProviders.get('gpu-env')!;
    const task = provider.resolveTask({ definition: { type: 'gpu-env', epochs: 0 }, scope: 2, name: 'bad' }) as { execution: { callback(d: Record<string, unknown>): Promise<{ onDidWrite(l: (t: string) => void): unknown; onDidClose?(l: (c: number | void) => void): unknown; open(d: undefined): void }> } };
    const terminal = await task.execution.callback({ type: 'gpu-env', epochs: 0 });
    let output = '';
    terminal.onDidWrite((text) => void (output += text));
    const code = new Promise<number | void>((done) => terminal.onDidClose?.(done));
    terminal.open(undefined);
    expect(await code).toBe(1);
    expect(output).toContain('The gpu-env task in tasks.json is not valid: epochs must be a whole number from 1');
  });

  it('Train CNN starts a real one-epoch Fashion-MNIST run; the Runs view shows its progress; the notification its accuracy', async () => {
    await run('gpuEnv.start');
    expect(state.shown.messages.filter((s) => s.kind === 'error')).toEqual([]);
    state.shown.clear();
    // SimpleCNN, fashion-mnist (the defaults come first), 3 epochs (long enough to be seen running), automatic batch size and learning rate.
    const picks: string[] = [];
    state.pick = (items) => {
      picks.push(items.map((i) => i.label).join('|'));
      return items[0];
    };
    // Epochs, batch size, learning rate, target accuracy, processes: all but the epochs left automatic.
    const answers = ['3', '', '', '', ''];
    state.input = (options) => {
      expect(options.validateInput?.('0') ?? undefined).toBeTruthy();
      return answers.shift();
    };
    await run('gpuEnv.trainCnn');
    expect(state.shown.messages.filter((s) => s.kind === 'error')).toEqual([]);
    // Other environments on a shared engine are offered too; this workspace's comes first.
    if (picks.length === 3) expect(picks.shift()).toMatch(new RegExp(`^${NAME}\\|`));
    expect(picks).toEqual(['SimpleCNN|Small ResNet', 'fashion-mnist|mnist|cifar10|imagefolder']);
    expect(state.channels.get('GPU Environments')?.join('\n')).toMatch(new RegExp(`run \\d{8}-\\d{6}-[0-9a-f]{4} started in ${NAME}: python3 /workspace/gpu-env-templates/train_cnn.py --model simplecnn --dataset fashion-mnist --epochs 3 `));
    // The dashboard opened on the new run.
    expect(state.panels.map((p) => p.viewType)).toEqual(['gpuEnv.dashboard']);
    const tree = state.trees.get('gpuEnv.runs')!;
    state.treeViews.get('gpuEnv.runs')!.setVisible(true);
    const rows = await runRows(tree, NAME);
    expect(rows).toHaveLength(1);
    runId = (rows[0]!.node as { listing: { id: string } }).listing.id;
    expect(rows[0]!.item.label).toBe('cnn · fashion-mnist · 3 epochs');
    expect(rows[0]!.item.tooltip?.value).toContain(`**Run:** ${runId}`);
    // Progress appears while it trains (the view polls the runner every 3 s while it is visible).
    await vi.waitFor(async () => {
      const [row] = await runRows(tree, NAME);
      expect(row?.item.description).toMatch(/^epoch [0-2]\.\d\/3 · loss \d+\.\d\d · acc \d+\.\d% · \d+(m\d\d)?s$/);
      expect(row?.item.contextValue).toBe('run.running');
    }, { timeout: 150_000, interval: 1000 });
    const finished = await vi.waitFor(() => {
      const message = state.shown.messages.find((s) => s.kind === 'info' && s.message.startsWith('Training cnn · fashion-mnist · 3 epochs finished'));
      expect(message).toBeDefined();
      return message!;
    }, { timeout: 240_000, interval: 1000 });
    expect(finished.message).toMatch(new RegExp(`^Training cnn · fashion-mnist · 3 epochs finished: test accuracy (\\d+\\.\\d)% in \\d+(m\\d\\d)?s · best checkpoint \\.gpu-env/runs/${runId}/checkpoints/best\\.pt$`));
    expect(Number(/accuracy (\d+\.\d)%/.exec(finished.message)![1])).toBeGreaterThan(75);
    expect(finished.actions).toEqual(['Open Dashboard']);
    const [done] = await runRows(tree, NAME);
    expect(done!.item).toMatchObject({ contextValue: 'run.succeeded', description: expect.stringMatching(/^succeeded · epoch 3\.0\/3 · /) });
  }, 420_000);

  it('the dashboard got the run\'s metrics over SSH', async () => {
    const panel = state.panels[0]!;
    panel.webview.send({ type: 'ready', view: 'dashboard', protocol: 1 });
    await vi.waitFor(() => {
      const snapshot = panel.webview.posted.find((m): m is { type: 'snapshot'; selectedRuns: string[]; series: Array<{ key: { kind: string; run?: string; metric: string }; v: unknown[] }> } => (m as { type?: string }).type === 'snapshot');
      expect(snapshot?.selectedRuns).toEqual([runId]);
      const loss = snapshot?.series.find((s) => s.key.kind === 'metric' && s.key.run === runId && s.key.metric === 'loss');
      expect(loss?.v.length).toBeGreaterThan(2);
    }, { timeout: 30_000, interval: 250 });
  });

  it('Show Training Log puts the run\'s stdout.log in the training log channel', async () => {
    const [row] = await runRows(state.trees.get('gpuEnv.runs')!, NAME);
    await run('gpuEnv.showTrainingLog', row!.node);
    const text = state.channels.get('GPU Training Log')?.join('') ?? '';
    expect(text).toContain(`attempt 1: python3 /workspace/gpu-env-templates/train_cnn.py --model simplecnn --dataset fashion-mnist --epochs 3`);
    expect(text).toMatch(/done: test accuracy 0\.\d+/);
    expect(text).toContain('— the run is succeeded.');
  });

  it('the GPU Monitor view gets the CPU-only sample with the "no NVIDIA driver" reason, and the status bar the CPU figures', async () => {
    const view = new FakeWebviewView();
    state.webviewViews.get('gpuEnv.monitor')!.resolveWebviewView(view);
    expect(view.webview.html).toContain('monitor.js');
    view.webview.send({ type: 'ready', view: 'monitor', protocol: 1 });
    await vi.waitFor(() => {
      const gpu = view.webview.posted.filter((m) => (m as { type?: string }).type === 'gpu') as Array<{ snapshot: { env: string | null; cards: unknown[]; noGpuReason: string | null; usage: { cpuPct: number | null } | null } }>;
      const last = gpu.at(-1)?.snapshot;
      expect(last?.env).toBe(NAME);
      expect(last?.cards).toEqual([]);
      expect(last?.noGpuReason).toMatch(/no NVIDIA driver/i);
      expect(last?.usage?.cpuPct).not.toBeNull();
    }, { timeout: 30_000, interval: 250 });
    expect(state.statusBars.get('gpuEnv.gpu')).toMatchObject({ visible: true, text: expect.stringMatching(/^CPU \d+% · /), command: { command: 'gpuEnv.openDashboard' } });
    view.setVisible(false);
  });
});
