/**
 * The built extension (dist/extension.js) loaded in Node with a stand-in `vscode` module, driven
 * through its registered commands, tree and terminal against the real engine, sshd and OpenSSH.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { BASE_IMAGE, DOCKER_HOST, HARNESS_READY, SKIP_REASON, docker, productContainers, removeDir, runProcess, tempDir, userWorkspace, waitFor } from './harness-env';
import { extensionContext, installVsCodeMock, state, type PseudoterminalLike, type TreeProviderLike } from '../support/vscode-module-mock';
import { BUNDLE, ROOT, requireBundle } from '../support/extension-bundle';

const NAME = 'itest-vsx';
const CANCELLED = 'itest-vsx-cancel';

interface ExtensionModule {
  activate(context: ReturnType<typeof extensionContext>): void;
}

async function run(id: string, ...args: unknown[]): Promise<unknown> {
  const handler = state.commands.get(id);
  if (!handler) throw new Error(`command ${id} is not registered`);
  return handler(...args);
}

async function inspectState(container: string): Promise<string | undefined> {
  try {
    return (await docker().getContainer(container).inspect()).State.Status;
  } catch {
    return undefined;
  }
}

function messages(kind: 'info' | 'warning' | 'error'): string[] {
  return state.shown.texts(kind);
}

describe.skipIf(!HARNESS_READY || !existsSync(BUNDLE))(`VS Code extension on the real engine${HARNESS_READY ? '' : ` (skipped: ${SKIP_REASON})`}`, () => {
  let workspace = '';
  let stateDir = '';
  let home = '';
  let context: ReturnType<typeof extensionContext>;
  let probe: Server;
  let probeConnections = 0;
  const saved = { HOME: process.env.HOME, DOCKER_HOST: process.env.DOCKER_HOST, GPU_ENV_STATE_DIR: process.env.GPU_ENV_STATE_DIR };
  const timings = { requireMs: 0, activateMs: 0 };

  beforeAll(async () => {
    workspace = userWorkspace('vsx-ws');
    stateDir = tempDir('vsx-state');
    home = tempDir('vsx-home');
    // An engine address that only counts connections: activation must not make any.
    const probeSocket = join(stateDir, 'probe.sock');
    probe = createServer((socket) => {
      probeConnections++;
      socket.destroy();
    });
    await new Promise<void>((done) => probe.listen(probeSocket, done));
    Object.assign(process.env, { HOME: home, DOCKER_HOST, GPU_ENV_STATE_DIR: stateDir });
    state.settings = { 'gpuEnv.engineHost': `unix://${probeSocket}` };
    state.folders = [workspace];
    installVsCodeMock();
    context = extensionContext(join(home, 'global-storage'), ROOT);
    const t0 = performance.now();
    const extension = requireBundle<ExtensionModule>();
    const t1 = performance.now();
    extension.activate(context);
    const t2 = performance.now();
    timings.requireMs = t1 - t0;
    timings.activateMs = t2 - t1;
    console.log(`dist/extension.js: require ${timings.requireMs.toFixed(1)} ms, activate ${timings.activateMs.toFixed(1)} ms`);
  });

  afterAll(async () => {
    for (const subscription of context?.subscriptions ?? []) subscription.dispose();
    for (const name of [NAME, CANCELLED]) await docker().getContainer(`gpu-env-${name}`).remove({ force: true }).catch(() => undefined);
    probe?.close();
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
    for (const dir of [workspace, stateDir, home]) if (dir) removeDir(dir);
  });

  it('activates loading only its own bundle, registers every contributed command, and makes no engine call or UI', async () => {
    const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { contributes: { commands: Array<{ command: string }> } };
    expect([...state.commands.keys()].sort()).toEqual(manifest.contributes.commands.map((c) => c.command).sort());
    expect([...state.trees.keys()]).toEqual(['gpuEnv.environments', 'gpuEnv.runs']);
    expect([...state.webviewViews.keys()]).toEqual(['gpuEnv.monitor']);
    expect([...state.serializers.keys()]).toEqual(['gpuEnv.dashboard']);
    expect([...state.taskProviders.keys()]).toEqual(['gpu-env']);
    expect([...state.statusBars.values()].filter((item) => item.visible)).toEqual([]);
    expect([...state.profiles.keys()]).toEqual(['gpuEnv.terminal']);
    await new Promise((done) => setTimeout(done, 200));
    expect(probeConnections).toBe(0);
    // The core (dockerode, ssh2, every engine and SSH path) is dist/core.js, required on first use only.
    expect(Object.keys(require.cache).filter((path) => path.startsWith(join(ROOT, 'dist')))).toEqual([BUNDLE]);
    expect(state.channels.size).toBe(0);
    expect(state.statusBar.visible).toBe(false);
    state.settings = { 'gpuEnv.engineHost': DOCKER_HOST, 'gpuEnv.baseImage': BASE_IMAGE, 'gpuEnv.environmentName': NAME };
  });

  it('refuses to start in an untrusted workspace and creates nothing', async () => {
    state.trusted = false;
    await run('gpuEnv.start');
    state.trusted = true;
    expect(messages('error')).toEqual([expect.stringMatching(/^"Start GPU Environment" requires a trusted workspace/)]);
    expect(await productContainers()).not.toContain(`gpu-env-${NAME}`);
  });

  it('names the setting when one is invalid, and creates nothing', async () => {
    state.shown.clear();
    state.settings['gpuEnv.shmSize'] = 'huge';
    await run('gpuEnv.start');
    delete state.settings['gpuEnv.shmSize'];
    expect(messages('error')).toEqual(['Start GPU Environment: gpuEnv.shmSize: "huge" is not a size; use a positive number with a unit b, k, m, g or t, e.g. 512m or 16g']);
    expect(await productContainers()).not.toContain(`gpu-env-${NAME}`);
  });

  it('starts with the core\'s progress steps, then shows "GPU: <name>" and offers terminal or attach', async () => {
    state.shown.clear();
    state.progress = [];
    await run('gpuEnv.start');
    expect(messages('error')).toEqual([]);
    const steps = state.progress.map((p) => p.message);
    expect(steps).toEqual(expect.arrayContaining(['Resolving Docker engine', 'Creating container', 'Starting container', 'Waiting for SSH']));
    expect(state.progress.every((p) => p.title === `Starting GPU environment "${NAME}"`)).toBe(true);
    expect(await inspectState(`gpu-env-${NAME}`)).toBe('running');
    expect(state.statusBar).toMatchObject({ text: `GPU: ${NAME}`, visible: true, command: { command: 'gpuEnv.showEnvironmentActions', arguments: [NAME] } });
    expect(state.shown.messages.find((s) => s.message === `GPU environment "${NAME}" is running.`)?.actions).toEqual(['Open Terminal', 'Attach VS Code']);
    expect(state.channels.get('GPU Environments')?.join('\n')).toContain('Waiting for SSH');
  });

  it('lists it in the Environments view and follows engine events without polling', async () => {
    const tree = state.trees.get('gpuEnv.environments') as TreeProviderLike;
    const item = async () => {
      const children = await tree.getChildren();
      const node = children.find((child) => tree.getTreeItem(child).label === NAME);
      return node ? { node, item: tree.getTreeItem(node) } : undefined;
    };
    const running = await item();
    expect(running?.item).toMatchObject({ description: 'running', contextValue: 'environment.running' });
    expect(running?.item.tooltip?.value).toContain('**SSH port:** 127.0.0.1:');
    let changes = 0;
    tree.onDidChangeTreeData(() => void changes++);
    await docker().getContainer(`gpu-env-${NAME}`).stop({ t: 1 });
    await vi.waitFor(async () => expect((await item())?.item.contextValue).toBe('environment.stopped'), { timeout: 15_000, interval: 100 });
    expect(changes).toBeGreaterThan(0);
    await vi.waitFor(() => expect(state.statusBar.visible).toBe(false), { timeout: 5000 });
    // Start it again from the tree item, as the inline action does.
    await run('gpuEnv.start', (await item())!.node);
    await vi.waitFor(async () => expect((await item())?.item.contextValue).toBe('environment.running'), { timeout: 15_000, interval: 100 });
  });

  it('opens a terminal with a PTY that follows the terminal size, and closes on exit', async () => {
    state.terminals = [];
    await run('gpuEnv.openTerminal', NAME);
    const terminal = state.terminals[0]!;
    expect(terminal.name).toBe(`GPU: ${NAME}`);
    const pty: PseudoterminalLike = terminal.pty;
    let output = '';
    const closes: Array<number | void> = [];
    pty.onDidWrite((text) => void (output += text));
    pty.onDidClose?.((code) => void closes.push(code));
    pty.open({ columns: 120, rows: 40 });
    pty.handleInput!('stty size; id -un; pwd\r');
    await vi.waitFor(() => expect(output).toMatch(/40 120\r\ndev\r\n\/workspace/), { timeout: 30_000, interval: 100 });
    pty.setDimensions!({ columns: 100, rows: 30 });
    pty.handleInput!('stty size\r');
    await vi.waitFor(() => expect(output).toContain('30 100'), { timeout: 10_000, interval: 100 });
    pty.handleInput!('exit\r');
    await vi.waitFor(() => expect(closes).toEqual([0]), { timeout: 10_000, interval: 100 });
  });

  it('offers the same terminal as a terminal profile', async () => {
    const profile = await state.profiles.get('gpuEnv.terminal')!.provideTerminalProfile({});
    expect(profile?.options.name).toBe(`GPU: ${NAME}`);
    profile?.options.pty.close();
  });

  it('shows the container\'s logs, demultiplexed', async () => {
    await run('gpuEnv.showLogs', NAME);
    const text = state.channels.get('GPU Environment Logs')?.join('') ?? '';
    expect(text).toMatch(new RegExp(`^Container gpu-env-${NAME} \\(running\\), last 2000 lines of its output:`));
    expect(text).toContain('gpu-env: sshd ready for dev');
    // eslint-disable-next-line no-control-regex -- the container log must reach the channel without control bytes
    expect(text).not.toMatch(/[\u0000-\u0008]/);
  });

  it('copies an SSH command that works in a shell', async () => {
    await run('gpuEnv.copySshCommand', NAME);
    expect(state.clipboard).toBe(`ssh -F ${stateDir}/ssh_config gpu-env-${NAME}`);
    const result = await runProcess('sh', ['-c', `${state.clipboard} -o BatchMode=yes echo copied-ok`], {}, 30_000);
    expect(result.stdout.trim(), result.stderr).toBe('copied-ok');
  });

  it('without Remote - SSH, says what to install', async () => {
    state.shown.clear();
    await run('gpuEnv.attach', NAME);
    expect(messages('warning')).toEqual([expect.stringContaining('ms-vscode-remote.remote-ssh')]);
    expect(state.executed.filter((e) => e.id === 'vscode.openFolder')).toEqual([]);
  });

  it('attaches with Remote - SSH after a yes to the Include line, which OpenSSH then resolves', async () => {
    state.extensions.add('ms-vscode-remote.remote-ssh');
    state.shown.clear();
    state.shown.respond = (shown) => (shown.kind === 'modal' ? 'Add Include Line' : undefined);
    await run('gpuEnv.attach', NAME);
    expect(state.shown.messages.filter((s) => s.kind === 'modal')).toHaveLength(1);
    const open = state.executed.find((e) => e.id === 'vscode.openFolder')!;
    expect(String(open.args[0])).toBe(`vscode-remote://ssh-remote+gpu-env-${NAME}/workspace`);
    expect(open.args[1]).toEqual({ forceNewWindow: true });
    const userConfig = readFileSync(join(home, '.ssh', 'config'), 'utf8');
    expect(userConfig).toContain(`Include ${stateDir}/ssh_config`);
    // What Remote-SSH does: resolve the alias through ~/.ssh/config.
    const result = await runProcess('ssh', ['-F', join(home, '.ssh', 'config'), '-o', 'BatchMode=yes', `gpu-env-${NAME}`, 'echo attached-ok'], {}, 30_000);
    expect(result.stdout.trim(), result.stderr).toBe('attached-ok');
    state.shown.clear();
    await run('gpuEnv.attach', NAME);
    expect(state.shown.messages.filter((s) => s.kind === 'modal')).toEqual([]);
    state.shown.respond = () => undefined;
  });

  it('runs GPU Doctor on the environment and previews its markdown report', async () => {
    state.shown.clear();
    state.documents = [];
    await run('gpuEnv.runDoctor', NAME);
    expect(messages('error')).toEqual([]);
    expect(state.documents).toHaveLength(1);
    expect(state.documents[0]).toContain(NAME);
    const preview = state.executed.filter((e) => e.id === 'markdown.showPreview');
    expect(preview).toHaveLength(1);
    expect(String(preview[0]!.args[0])).toMatch(/^untitled:/);
  });

  it('settings changed since the start: names them and offers Recreate, which applies them keeping the keys (issue 16 defect 17)', async () => {
    state.shown.clear();
    const before = await docker().getContainer(`gpu-env-${NAME}`).inspect();
    const key = readFileSync(join(stateDir, 'envs', NAME, 'id_ed25519'), 'utf8');
    state.settings['gpuEnv.memory'] = '1g';
    state.shown.respond = (shown) => (shown.actions.includes('Recreate') ? 'Recreate' : undefined);
    await run('gpuEnv.start');
    const recreated = await waitFor('the recreated container', 120_000, async () => {
      const now = await docker().getContainer(`gpu-env-${NAME}`).inspect().catch(() => undefined);
      return now && now.Id !== before.Id && now.State.Running && (state.channels.get('GPU Environments') ?? []).some((line) => line.includes(`gpu-env-${NAME} recreated:`)) ? now : undefined;
    });
    state.shown.respond = () => undefined;
    delete state.settings['gpuEnv.memory'];
    expect(state.shown.messages.filter((m) => m.kind === 'warning' && !m.message.startsWith('no NVIDIA runtime'))).toEqual([{
      kind: 'warning',
      message: expect.stringMatching(new RegExp(`^gpu-env-${NAME} exists and keeps the options it was made with \\(gpuEnv\\.memory: runs with no limit, asked 1g\\)\\..*choose Recreate$`)),
      actions: ['Recreate'],
    }]);
    expect(before.HostConfig.Memory).toBe(0);
    expect(recreated.HostConfig.Memory).toBe(1024 ** 3);
    expect(readFileSync(join(stateDir, 'envs', NAME, 'id_ed25519'), 'utf8')).toBe(key);
    expect(messages('error')).toEqual([]);
  });

  it('cancelling a start removes the half-made container and shows no error', async () => {
    state.shown.clear();
    state.settings['gpuEnv.environmentName'] = CANCELLED;
    state.cancelProgressWhen = (message) => message === 'Starting container';
    await run('gpuEnv.start');
    state.cancelProgressWhen = () => false;
    state.settings['gpuEnv.environmentName'] = NAME;
    expect(messages('error')).toEqual([]);
    expect(await productContainers()).not.toContain(`gpu-env-${CANCELLED}`);
  });

  it('stops, then removes after the confirmation', async () => {
    await run('gpuEnv.stop', NAME);
    expect(await inspectState(`gpu-env-${NAME}`)).toBe('exited');
    state.shown.respond = (shown) => (shown.kind === 'modal' ? 'Remove' : undefined);
    await run('gpuEnv.remove', NAME);
    state.shown.respond = () => undefined;
    expect(await inspectState(`gpu-env-${NAME}`)).toBeUndefined();
    expect(existsSync(join(stateDir, 'envs', NAME))).toBe(true);
    expect(messages('error')).toEqual([]);
  });
});
