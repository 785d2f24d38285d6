/**
 * A stand-in for the `vscode` module, enough to load the built extension (dist/extension.js) in
 * Node and drive it: it records what the extension shows and answers dialogs as the test says.
 * Only the API the extension uses is here; anything else is undefined and would fail loudly.
 */
import Module from 'node:module';
import { Emitter } from '../../src/vscode/util/emitter';
import { ShownMessages } from './shown-messages';

type Listener<T> = (value: T) => unknown;

export interface PseudoterminalLike {
  onDidWrite: (listener: Listener<string>) => { dispose(): void };
  onDidClose?: (listener: Listener<number | void>) => { dispose(): void };
  open(dimensions: { columns: number; rows: number } | undefined): void;
  close(): void;
  handleInput?(data: string): void;
  setDimensions?(dimensions: { columns: number; rows: number }): void;
}

export interface WebviewLike {
  options: unknown;
  html: string;
  readonly cspSource: string;
  asWebviewUri(uri: { toString(): string }): { toString(): string };
  postMessage(message: unknown): Promise<boolean>;
  onDidReceiveMessage(listener: Listener<unknown>): { dispose(): void };
}

/** A webview (panel or view) whose posted messages are recorded and which the test can talk for. */
export class FakeWebview implements WebviewLike {
  options: unknown = {};
  html = '';
  readonly cspSource = 'vscode-webview://test';
  readonly posted: unknown[] = [];
  private readonly received = new Emitter<unknown>();
  asWebviewUri(uri: { toString(): string }): { toString(): string } {
    return { toString: () => `vscode-webview://test${uri.toString().replace(/^file:\/\//, '')}` };
  }
  postMessage(message: unknown): Promise<boolean> {
    this.posted.push(JSON.parse(JSON.stringify(message)));
    return Promise.resolve(true);
  }
  onDidReceiveMessage(listener: Listener<unknown>): { dispose(): void } {
    return this.received.event(listener);
  }
  /** What the page's script would post, e.g. { type: 'ready' }. */
  send(message: unknown): void {
    this.received.fire(message);
  }
}

export class FakeWebviewView {
  readonly webview = new FakeWebview();
  visible = true;
  private readonly visibility = new Emitter<void>();
  private readonly disposed = new Emitter<void>();
  readonly onDidChangeVisibility = this.visibility.event;
  readonly onDidDispose = this.disposed.event;
  setVisible(visible: boolean): void {
    this.visible = visible;
    this.visibility.fire();
  }
}

export class FakeWebviewPanel {
  readonly webview = new FakeWebview();
  visible = true;
  disposedCount = 0;
  private readonly viewState = new Emitter<{ webviewPanel: FakeWebviewPanel }>();
  private readonly disposed = new Emitter<void>();
  readonly onDidChangeViewState = this.viewState.event;
  readonly onDidDispose = this.disposed.event;
  constructor(readonly viewType: string, readonly title: string) {}
  reveal(): void {}
  dispose(): void {
    this.disposedCount++;
    if (this.disposedCount === 1) this.disposed.fire();
  }
}

export interface TreeViewLike {
  readonly id: string;
  visible: boolean;
  setVisible(visible: boolean): void;
}

export interface TreeProviderLike {
  getChildren(element?: unknown): Promise<unknown[]>;
  getTreeItem(element: unknown): { label: string; description?: string; contextValue?: string; tooltip?: { value: string } };
  onDidChangeTreeData: (listener: Listener<unknown>) => { dispose(): void };
}

/** What the test sets and reads. */
export const state = {
  settings: {} as Record<string, unknown>,
  trusted: true,
  folders: [] as string[],
  extensions: new Set<string>(),
  pick: (items: ReadonlyArray<{ label: string }>): { label: string } | undefined => items[0],
  cancelProgressWhen: (_message: string): boolean => false,
  /** What was shown (a modal dialog as kind 'modal'), answered by `shown.respond`. */
  shown: new ShownMessages(),
  progress: [] as Array<{ title: string; message?: string; increment?: number }>,
  executed: [] as Array<{ id: string; args: unknown[] }>,
  terminals: [] as Array<{ name: string; pty: PseudoterminalLike }>,
  channels: new Map<string, string[]>(),
  statusBar: { text: '', visible: false, command: undefined as unknown },
  /** Status bar items other than the environment's ("GPU: <name>", above), by id. */
  statusBars: new Map<string, { text: string; tooltip: unknown; visible: boolean; command: unknown }>(),
  input: (_options: { prompt?: string; value?: string; validateInput?: (text: string) => string | null | undefined }): string | undefined => undefined,
  treeViews: new Map<string, TreeViewLike>(),
  webviewViews: new Map<string, { resolveWebviewView(view: FakeWebviewView): void }>(),
  panels: [] as FakeWebviewPanel[],
  serializers: new Map<string, unknown>(),
  taskProviders: new Map<string, { provideTasks(): unknown[]; resolveTask(task: unknown): unknown }>(),
  codeLensProviders: [] as Array<{ selector: unknown; provider: { provideCodeLenses(document: unknown): unknown[] } }>,
  clipboard: '',
  /** What `env.openExternal` was asked to open. */
  opened: [] as unknown[],
  /** The extension's SecretStorage (`context.secrets`). */
  secrets: new Map<string, string>(),
  documents: [] as string[],
  commands: new Map<string, (...args: unknown[]) => unknown>(),
  trees: new Map<string, TreeProviderLike>(),
  profiles: new Map<string, { provideTerminalProfile(token: unknown): Promise<{ options: { name: string; pty: PseudoterminalLike } } | undefined> }>(),
};

function format(message: string, args: unknown[]): string {
  return message.replace(/\{(\d+)\}/g, (whole, i: string) => (args[Number(i)] === undefined ? whole : String(args[Number(i)])));
}

function show(kind: 'info' | 'warning' | 'error') {
  return (message: string, ...rest: unknown[]): Promise<string | undefined> => {
    const options = typeof rest[0] === 'object' && rest[0] !== null ? (rest.shift() as { modal?: boolean; detail?: string }) : {};
    return state.shown.show(options.modal === true ? 'modal' : kind, message, rest as string[], options.detail || undefined);
  };
}

function channel(name: string) {
  const lines = state.channels.get(name) ?? [];
  state.channels.set(name, lines);
  const add = (level: string) => (message: string) => void lines.push(`${level} ${message}`);
  return {
    name,
    append: (text: string) => void lines.push(text),
    appendLine: (text: string) => void lines.push(text),
    replace: (text: string) => void lines.splice(0, lines.length, text),
    clear: () => void lines.splice(0),
    show: () => {},
    hide: () => {},
    dispose: () => {},
    trace: add('trace'),
    debug: add('debug'),
    info: add('info'),
    warn: add('warn'),
    error: add('error'),
  };
}

class Uri {
  private constructor(readonly scheme: string, readonly authority: string, readonly path: string, readonly fsPath: string) {}
  static parse(value: string): Uri {
    const url = new URL(value);
    return new Uri(url.protocol.replace(/:$/, ''), decodeURIComponent(url.host), url.pathname, url.pathname);
  }
  static file(path: string): Uri {
    return new Uri('file', '', path, path);
  }
  static joinPath(base: Uri, ...parts: string[]): Uri {
    const path = [base.path.replace(/\/$/, ''), ...parts].join('/');
    return new Uri(base.scheme, base.authority, path, path);
  }
  toString(): string {
    return `${this.scheme}://${this.authority}${this.path}`;
  }
}

class ThemeIcon {
  constructor(readonly id: string, readonly color?: unknown) {}
}
class ThemeColor {
  constructor(readonly id: string) {}
}
class MarkdownString {
  constructor(readonly value: string) {}
}
class TreeItem {
  id?: string;
  description?: string;
  iconPath?: unknown;
  tooltip?: unknown;
  contextValue?: string;
  command?: unknown;
  constructor(readonly label: string, readonly collapsibleState: number) {}
}
class Disposable {
  constructor(private readonly callOnDispose: () => unknown) {}
  static from(...items: Array<{ dispose(): unknown }>): Disposable {
    return new Disposable(() => items.forEach((item) => item.dispose()));
  }
  dispose(): void {
    this.callOnDispose();
  }
}
class Range {
  constructor(readonly startLine: number, readonly startCharacter: number, readonly endLine: number, readonly endCharacter: number) {}
}
class CodeLens {
  constructor(readonly range: Range, readonly command?: { title: string; command: string; arguments?: unknown[] }) {}
}
class CustomExecution {
  constructor(readonly callback: (definition: Record<string, unknown>) => Promise<PseudoterminalLike>) {}
}
class Task {
  constructor(readonly definition: Record<string, unknown>, readonly scope: unknown, readonly name: string, readonly source: string, readonly execution: CustomExecution) {}
}
class TerminalProfile {
  constructor(readonly options: { name: string; pty: PseudoterminalLike }) {}
}

const disposable = { dispose: () => {} };

function statusBarItem(id: string) {
  const item = { text: '', tooltip: undefined as unknown, visible: false, command: undefined as unknown };
  if (id !== 'gpuEnv.environment') state.statusBars.set(id, item);
  const target = () => (id === 'gpuEnv.environment' ? state.statusBar : item);
  return {
    set text(value: string) {
      target().text = value;
    },
    set tooltip(value: unknown) {
      item.tooltip = value;
    },
    set name(_value: string) {},
    set command(value: unknown) {
      target().command = value;
    },
    show: () => void (target().visible = true),
    hide: () => void (target().visible = false),
    dispose: () => void (target().visible = false),
  };
}

function createTreeView(id: string, options: { treeDataProvider: TreeProviderLike }) {
  state.trees.set(id, options.treeDataProvider);
  const visibility = new Emitter<{ visible: boolean }>();
  const view = {
    id,
    visible: false,
    onDidChangeVisibility: visibility.event,
    setVisible(visible: boolean) {
      view.visible = visible;
      visibility.fire({ visible });
    },
    dispose: () => state.treeViews.delete(id),
  };
  state.treeViews.set(id, view);
  return view;
}

export const vscodeMock = {
  EventEmitter: Emitter,
  Disposable,
  Range,
  CodeLens,
  CustomExecution,
  Task,
  TaskScope: { Global: 1, Workspace: 2 },
  ViewColumn: { Active: -1, Beside: -2, One: 1 },
  ColorThemeKind: { Light: 1, Dark: 2, HighContrast: 3, HighContrastLight: 4 },
  Uri,
  ThemeIcon,
  ThemeColor,
  MarkdownString,
  TreeItem,
  TerminalProfile,
  TreeItemCollapsibleState: { None: 0, Collapsed: 1, Expanded: 2 },
  ProgressLocation: { SourceControl: 1, Window: 10, Notification: 15 },
  StatusBarAlignment: { Left: 1, Right: 2 },
  l10n: { t: (message: string, ...args: unknown[]) => format(message, args) },
  window: {
    showInformationMessage: show('info'),
    showWarningMessage: show('warning'),
    showErrorMessage: show('error'),
    showQuickPick: async (items: ReadonlyArray<{ label: string }>) => state.pick(items),
    createOutputChannel: (name: string) => channel(name),
    createStatusBarItem: (id: string) => statusBarItem(id),
    createTreeView,
    showInputBox: async (options: { prompt?: string; value?: string; validateInput?: (text: string) => string | null | undefined }) => state.input(options),
    activeTextEditor: undefined,
    registerWebviewViewProvider: (id: string, provider: { resolveWebviewView(view: FakeWebviewView): void }) => {
      state.webviewViews.set(id, provider);
      return disposable;
    },
    registerWebviewPanelSerializer: (viewType: string, serializer: unknown) => {
      state.serializers.set(viewType, serializer);
      return disposable;
    },
    createWebviewPanel: (viewType: string, title: string) => {
      const panel = new FakeWebviewPanel(viewType, title);
      state.panels.push(panel);
      return panel;
    },
    onDidChangeActiveColorTheme: () => disposable,
    withProgress: async <T>(options: { title: string }, task: (progress: { report(u: { message?: string; increment?: number }): void }, token: unknown) => Promise<T>) => {
      const cancel = new Emitter<void>();
      const token = { isCancellationRequested: false, onCancellationRequested: cancel.event };
      return task({
        report: (update) => {
          state.progress.push({ title: options.title, ...update });
          if (update.message !== undefined && state.cancelProgressWhen(update.message)) {
            token.isCancellationRequested = true;
            cancel.fire();
          }
        },
      }, token);
    },
    createTerminal: (options: { name: string; pty: PseudoterminalLike }) => {
      state.terminals.push({ name: options.name, pty: options.pty });
      return { show: () => {}, dispose: () => {} };
    },
    registerTreeDataProvider: (id: string, provider: TreeProviderLike) => {
      state.trees.set(id, provider);
      return disposable;
    },
    registerTerminalProfileProvider: (id: string, provider: { provideTerminalProfile(token: unknown): Promise<{ options: { name: string; pty: PseudoterminalLike } } | undefined> }) => {
      state.profiles.set(id, provider);
      return disposable;
    },
  },
  workspace: {
    getConfiguration: (section: string) => ({ get: (key: string) => state.settings[`${section}.${key}`] }),
    get isTrusted() {
      return state.trusted;
    },
    get workspaceFolders() {
      return state.folders.map((path, index) => ({ uri: Uri.file(path), name: path, index }));
    },
    onDidChangeConfiguration: () => disposable,
    textDocuments: [] as unknown[],
    openTextDocument: async (options: { content: string }) => {
      state.documents.push(options.content);
      return { uri: Uri.parse('untitled://doc/1') };
    },
  },
  commands: {
    registerCommand: (id: string, handler: (...args: unknown[]) => unknown) => {
      state.commands.set(id, handler);
      return { dispose: () => state.commands.delete(id) };
    },
    executeCommand: async (id: string, ...args: unknown[]) => {
      state.executed.push({ id, args });
      return state.commands.get(id)?.(...args);
    },
  },
  tasks: {
    registerTaskProvider: (type: string, provider: { provideTasks(): unknown[]; resolveTask(task: unknown): unknown }) => {
      state.taskProviders.set(type, provider);
      return disposable;
    },
  },
  languages: {
    registerCodeLensProvider: (selector: unknown, provider: { provideCodeLenses(document: unknown): unknown[] }) => {
      state.codeLensProviders.push({ selector, provider });
      return disposable;
    },
  },
  env: {
    language: 'en',
    clipboard: { writeText: async (text: string) => void (state.clipboard = text) },
    // A local window: a URL on this machine's loopback is reachable as it is.
    asExternalUri: async (uri: Uri) => uri,
    openExternal: async (uri: Uri) => {
      state.opened.push(uri);
      return true;
    },
  },
  extensions: { getExtension: (id: string) => (state.extensions.has(id) ? { id } : undefined) },
};

/** Makes `require('vscode')` return the mock, for the bundle loaded after this call. */
export function installVsCodeMock(): void {
  const loader = Module as unknown as { _load(request: string, parent: unknown, isMain: boolean): unknown };
  const original = loader._load.bind(loader);
  loader._load = (request, parent, isMain) => (request === 'vscode' ? vscodeMock : original(request, parent, isMain));
}

function memento() {
  const values = new Map<string, unknown>();
  return {
    get: (key: string) => values.get(key),
    update: async (key: string, value: unknown) => void values.set(key, value),
    keys: () => [...values.keys()],
  };
}

export function extensionContext(globalStoragePath: string, extensionPath: string) {
  return {
    subscriptions: [] as Array<{ dispose(): unknown }>,
    globalStorageUri: Uri.file(globalStoragePath),
    extensionPath,
    extensionUri: Uri.file(extensionPath),
    globalState: memento(),
    workspaceState: memento(),
    secrets: {
      get: async (key: string) => state.secrets.get(key),
      store: async (key: string, value: string) => void state.secrets.set(key, value),
      delete: async (key: string) => void state.secrets.delete(key),
      onDidChange: () => disposable,
    },
  };
}

/** What the extension bundle exports, as the integration tests load it. */
export interface ExtensionModule {
  activate(context: ReturnType<typeof extensionContext>): void;
}

/** A tree item as the mock's tree providers return it. */
export interface TreeItemLike {
  label: string;
  description?: string;
  contextValue?: string;
  tooltip?: { value: string };
}

/** Runs a command the extension registered, as VS Code would. */
export async function runRegisteredCommand(id: string, ...args: unknown[]): Promise<unknown> {
  const handler = state.commands.get(id);
  if (!handler) throw new Error(`command ${id} is not registered`);
  return handler(...args);
}
