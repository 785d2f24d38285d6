/** Test doubles for the extension's `Ui` port, core and services; no `vscode` module involved. */
import type { EnvironmentInfo, EnvironmentState } from '../../src/core/lifecycle/environment-info';
import { localApi, type LocalApi } from '../../src/core/local-api';
import type { CoreApi } from '../../src/vscode/core-api';
import { EnvironmentStore, type StoreSource } from '../../src/vscode/environment-store';
import type { ActiveFile, Ui, KeyValueStore, PickItem, ProgressUpdate, SecretPort, StatusBarPort, TerminalBackend, TextOutput, TextQuestion } from '../../src/vscode/ui';
import { JupyterTunnels } from '../../src/vscode/jupyter/jupyter-tunnels';
import { hostKeyPrompt } from '../../src/vscode/remote/host-key-prompt';
import { formatOnly } from './format-only';
import type { Log } from '../../src/vscode/log';
import { coreContext, type Services } from '../../src/vscode/services';
import { readSettings } from '../../src/vscode/settings';
import { EnvironmentStatusBar } from '../../src/vscode/status-bar';
import { RunsModel, type RunsSource } from '../../src/vscode/runs/runs-model';
import { SessionPool } from '../../src/vscode/runs/session-pool';
import { TrainingLogView } from '../../src/vscode/runs/training-log';
import type { SshSession } from '../../src/core/ssh/session';
import { ShownMessages } from './shown-messages';

export function environment(name: string, state: EnvironmentState = 'running', overrides: Partial<EnvironmentInfo> = {}): EnvironmentInfo {
  return {
    name,
    container: `gpu-env-${name}`,
    id: `id-${name}`,
    state,
    status: state === 'running' ? 'running' : 'exited',
    image: 'gpu-env/pytorch-cuda:test',
    gpus: 'all',
    workspace: `/home/user/${name}`,
    engine: 'unix:///var/run/docker.sock',
    ssh: { host: '127.0.0.1', port: state === 'running' ? 32768 : null, user: 'dev', alias: `gpu-env-${name}` },
    ...overrides,
  };
}

/** An Environments view row, as a command receives it when invoked from the tree. */
export const environmentRow = (info: EnvironmentInfo) => ({ kind: 'environment' as const, info });

export class FakeUi extends ShownMessages implements Ui {
  readonly commands: Array<{ id: string; args: unknown[] }> = [];
  readonly progressTitles: string[] = [];
  readonly progressUpdates: ProgressUpdate[] = [];
  readonly terminals: Array<{ name: string; backend: TerminalBackend }> = [];
  readonly remoteFolders: string[] = [];
  readonly previews: string[] = [];
  readonly containerLogs: string[] = [];
  clipboard = '';
  trusted = true;
  folders: string[] = [];
  extensions = new Set<string>();
  pickWith: <T>(items: readonly PickItem<T>[]) => T | undefined = () => undefined;
  lastPickItems: ReadonlyArray<PickItem<unknown>> = [];
  /** Set to abort the progress signal as soon as work starts (the user pressed Cancel). */
  cancelProgress = false;
  readonly statusBar = new FakeStatusBar();
  readonly gpuStatusBar = new FakeStatusBar();
  readonly globalState = new MemoryStore();
  readonly workspaceState = new MemoryStore();
  readonly trainingLog = new FakeOutput();
  readonly questions: TextQuestion[] = [];
  /** Answers input boxes in order; undefined: dismissed. */
  answers: Array<string | undefined> = [];
  active: ActiveFile | undefined;
  readonly saved: string[] = [];
  saveSucceeds = true;
  readonly secrets = new MemorySecrets();
  /** URLs given to openExternal, and what asExternalUri makes of a local URL (as is, by default). */
  readonly opened: string[] = [];
  readonly externalUriCalls: string[] = [];
  externalize: (localUrl: string) => string = (localUrl) => localUrl;

  showInfo(message: string, ...actions: string[]): Promise<string | undefined> {
    return this.show('info', message, actions);
  }
  showWarning(message: string, ...actions: string[]): Promise<string | undefined> {
    return this.show('warning', message, actions);
  }
  showError(message: string, ...actions: string[]): Promise<string | undefined> {
    return this.show('error', message, actions);
  }
  askModal(message: string, detail: string, actions: readonly string[]): Promise<string | undefined> {
    return this.show('modal', message, actions, detail);
  }
  pick<T>(items: readonly PickItem<T>[]): Promise<T | undefined> {
    this.lastPickItems = items;
    return Promise.resolve(this.pickWith(items));
  }
  askText(question: TextQuestion): Promise<string | undefined> {
    this.questions.push(question);
    return Promise.resolve(this.answers.shift());
  }
  activeFile(): ActiveFile | undefined {
    return this.active;
  }
  saveFile(path: string): Promise<boolean> {
    this.saved.push(path);
    return Promise.resolve(this.saveSucceeds);
  }
  async withProgress<T>(title: string, work: (report: (update: ProgressUpdate) => void, signal: AbortSignal) => Promise<T>): Promise<T> {
    this.progressTitles.push(title);
    const controller = new AbortController();
    if (this.cancelProgress) controller.abort();
    return work((update) => this.progressUpdates.push(update), controller.signal);
  }
  isTrusted(): boolean {
    return this.trusted;
  }
  workspaceFolderPaths(): readonly string[] {
    return this.folders;
  }
  executeCommand(id: string, ...args: unknown[]): Promise<unknown> {
    this.commands.push({ id, args });
    return Promise.resolve(undefined);
  }
  writeClipboard(text: string): Promise<void> {
    this.clipboard = text;
    return Promise.resolve();
  }
  openMarkdownPreview(markdown: string): Promise<void> {
    this.previews.push(markdown);
    return Promise.resolve();
  }
  openRemoteFolder(uri: string): Promise<void> {
    this.remoteFolders.push(uri);
    return Promise.resolve();
  }
  hasExtension(id: string): boolean {
    return this.extensions.has(id);
  }
  externalUri(localUrl: string): Promise<string> {
    this.externalUriCalls.push(localUrl);
    return Promise.resolve(this.externalize(localUrl));
  }
  openExternal(url: string): Promise<boolean> {
    this.opened.push(url);
    return Promise.resolve(true);
  }
  openTerminal(name: string, backend: TerminalBackend): void {
    this.terminals.push({ name, backend });
  }
  showContainerLogs(text: string): void {
    this.containerLogs.push(text);
  }
}

export class FakeStatusBar implements StatusBarPort {
  shown: { text: string; tooltip: string; command: { id: string; args: readonly unknown[] } } | undefined;
  show(text: string, tooltip: string, command: { readonly id: string; readonly args: readonly unknown[] }): void {
    this.shown = { text, tooltip, command: { id: command.id, args: command.args } };
  }
  hide(): void {
    this.shown = undefined;
  }
}

export class FakeOutput implements TextOutput {
  text = '';
  shown = 0;
  clear(): void {
    this.text = '';
  }
  append(text: string): void {
    this.text += text;
  }
  show(): void {
    this.shown++;
  }
}

export class MemorySecrets implements SecretPort {
  readonly values = new Map<string, string>();
  get(key: string): Promise<string | undefined> {
    return Promise.resolve(this.values.get(key));
  }
  store(key: string, value: string): Promise<void> {
    this.values.set(key, value);
    return Promise.resolve();
  }
}

export class MemoryStore implements KeyValueStore {
  readonly values = new Map<string, unknown>();
  get(key: string): unknown {
    return this.values.get(key);
  }
  update(key: string, value: unknown): Promise<void> {
    this.values.set(key, value);
    return Promise.resolve();
  }
}

export class RecordingLog implements Log {
  readonly lines: string[] = [];
  shown = 0;
  debug(message: string): void {
    this.lines.push(`debug ${message}`);
  }
  info(message: string): void {
    this.lines.push(`info ${message}`);
  }
  warn(message: string): void {
    this.lines.push(`warn ${message}`);
  }
  error(message: string): void {
    this.lines.push(`error ${message}`);
  }
  show(): void {
    this.shown++;
  }
}

/**
 * A core whose every engine, SSH and file method fails loudly unless the test gives it; its local
 * functions (validators, texts, followers: src/core/local-api.ts) are the real ones, unrecorded.
 */
export function fakeCore(overrides: Partial<CoreApi> = {}): CoreApi & { calls: string[] } {
  const calls: string[] = [];
  const unexpected = (name: string) => () => {
    throw new Error(`unexpected core call: ${name}`);
  };
  const methods: Array<keyof CoreApi> = [
    'up', 'down', 'remove', 'list', 'status', 'openSession', 'logs', 'watchEvents', 'ensureUserSshInclude', 'userSshIncludePresent', 'runDoctor', 'renderDoctorMarkdown',
    'runs', 'shippedAssets', 'startMonitor', 'openJupyter', 'closeRemoteHosts', 'sshConfig', 'syncWorkspace',
  ];
  const core = { ...localApi, calls } as CoreApi & { calls: string[] };
  for (const name of Object.keys(localApi) as Array<keyof LocalApi>) {
    if (overrides[name] !== undefined) Object.assign(core, { [name]: overrides[name] });
  }
  for (const name of methods) {
    const implementation = (overrides[name] ?? unexpected(name)) as (...args: unknown[]) => unknown;
    Object.assign(core, { [name]: (...args: unknown[]) => {
      calls.push(name);
      return implementation(...args);
    } });
  }
  return core;
}

export interface FakeServices extends Services {
  readonly ui: FakeUi;
  readonly log: RecordingLog;
  /** How many times the core was loaded (it must not be for refused commands). */
  coreLoads: number;
  /** Every openDashboard call, with its run ids. */
  readonly dashboards: Array<readonly string[] | undefined>;
}

export function fakeServices(options: {
  core?: CoreApi;
  settings?: Record<string, unknown>;
  ui?: FakeUi;
  stateDir?: string;
  homeDir?: string;
  storeSource?: StoreSource;
  /** Where the runs model lists from; by default the core's runs over a session from openSession. */
  runsSource?: RunsSource;
} = {}): FakeServices {
  const ui = options.ui ?? new FakeUi();
  const log = new RecordingLog();
  const core = options.core ?? fakeCore();
  const settingsValues = options.settings ?? {};
  const settings = (): ReturnType<typeof readSettings> => readSettings((key) => settingsValues[key]);
  const holder: { services?: FakeServices } = {};
  const defaultSource: StoreSource = {
    list: () => core.list(coreContext(core, holder.services!)),
    watch: () => Promise.resolve({ dispose() {} }),
  };
  const store = new EnvironmentStore(options.storeSource ?? defaultSource, log, 1);
  const statusBar = new EnvironmentStatusBar(ui.statusBar, store, formatOnly, () => (settingsValues.environmentName as string | undefined) ?? 'default');
  const sessions = new SessionPool((name) => core.openSession(name, coreContext(core, holder.services!)) as Promise<SshSession>, log, 10);
  const defaultRunsSource: RunsSource = {
    runningEnvironments: async () => (await core.list(coreContext(core, holder.services!))).filter((i) => i.state === 'running').map((i) => i.name),
    list: (name) => sessions.use(name, async (session) => (await core.runs(session).list()).runs),
  };
  const runs = new RunsModel(options.runsSource ?? defaultRunsSource, log);
  const dashboards: Array<readonly string[] | undefined> = [];
  const services: FakeServices = {
    ui,
    log,
    t: formatOnly,
    settings,
    stateDir: options.stateDir ?? '/state',
    homeDir: options.homeDir ?? '/home/user',
    env: {},
    assetsRoot: '/ext',
    store,
    statusBar,
    training: { sessions, runs, logView: new TrainingLogView(ui.trainingLog), openDashboard: (ids) => void dashboards.push(ids) },
    dashboards,
    // The extension's own modal prompt, over the fake `Ui`: tests answer it with `ui.respond`.
    confirmHostKey: hostKeyPrompt(ui, formatOnly, log),
    jupyter: new JupyterTunnels(store.onDidChange, log),
    coreLoads: 0,
    core: () => {
      services.coreLoads++;
      return Promise.resolve(core);
    },
  };
  holder.services = services;
  return services;
}

/** Lets pending promise callbacks run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await new Promise((resolve) => setImmediate(resolve));
}
