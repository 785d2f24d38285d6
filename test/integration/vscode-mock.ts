/**
 * A stand-in for the `vscode` module, enough to load the built extension (dist/extension.js) in
 * Node and drive it: it records what the extension shows and answers dialogs as the test says.
 * Only the API the extension uses is here; anything else is undefined and would fail loudly.
 */
import Module from 'node:module';

type Listener<T> = (value: T) => unknown;

export class EventEmitter<T> {
  private listeners = new Set<Listener<T>>();
  readonly event = (listener: Listener<T>): { dispose(): void } => {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  };
  fire(value: T): void {
    for (const listener of [...this.listeners]) listener(value);
  }
  dispose(): void {
    this.listeners.clear();
  }
}

export interface Shown {
  readonly kind: 'info' | 'warning' | 'error';
  readonly message: string;
  readonly modal: boolean;
  readonly detail?: string;
  readonly items: readonly string[];
}

export interface PseudoterminalLike {
  onDidWrite: (listener: Listener<string>) => { dispose(): void };
  onDidClose?: (listener: Listener<number | void>) => { dispose(): void };
  open(dimensions: { columns: number; rows: number } | undefined): void;
  close(): void;
  handleInput?(data: string): void;
  setDimensions?(dimensions: { columns: number; rows: number }): void;
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
  answer: (_shown: Shown): string | undefined => undefined,
  pick: (items: ReadonlyArray<{ label: string }>): { label: string } | undefined => items[0],
  cancelProgressWhen: (_message: string): boolean => false,
  shown: [] as Shown[],
  progress: [] as Array<{ title: string; message?: string; increment?: number }>,
  executed: [] as Array<{ id: string; args: unknown[] }>,
  terminals: [] as Array<{ name: string; pty: PseudoterminalLike }>,
  channels: new Map<string, string[]>(),
  statusBar: { text: '', visible: false, command: undefined as unknown },
  clipboard: '',
  documents: [] as string[],
  commands: new Map<string, (...args: unknown[]) => unknown>(),
  trees: new Map<string, TreeProviderLike>(),
  profiles: new Map<string, { provideTerminalProfile(token: unknown): Promise<{ options: { name: string; pty: PseudoterminalLike } } | undefined> }>(),
};

function format(message: string, args: unknown[]): string {
  return message.replace(/\{(\d+)\}/g, (whole, i: string) => (args[Number(i)] === undefined ? whole : String(args[Number(i)])));
}

function show(kind: Shown['kind']) {
  return (message: string, ...rest: unknown[]): Promise<string | undefined> => {
    const options = typeof rest[0] === 'object' && rest[0] !== null ? (rest.shift() as { modal?: boolean; detail?: string }) : {};
    const shown: Shown = { kind, message, modal: options.modal === true, ...(options.detail ? { detail: options.detail } : {}), items: rest as string[] };
    state.shown.push(shown);
    return Promise.resolve(state.answer(shown));
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
class TerminalProfile {
  constructor(readonly options: { name: string; pty: PseudoterminalLike }) {}
}

const disposable = { dispose: () => {} };

export const vscodeMock = {
  EventEmitter,
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
    createStatusBarItem: () => ({
      set text(value: string) {
        state.statusBar.text = value;
      },
      set tooltip(_value: unknown) {},
      set name(_value: string) {},
      set command(value: unknown) {
        state.statusBar.command = value;
      },
      show: () => void (state.statusBar.visible = true),
      hide: () => void (state.statusBar.visible = false),
      dispose: () => void (state.statusBar.visible = false),
    }),
    withProgress: async <T>(options: { title: string }, task: (progress: { report(u: { message?: string; increment?: number }): void }, token: unknown) => Promise<T>) => {
      const cancel = new EventEmitter<void>();
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
  env: { clipboard: { writeText: async (text: string) => void (state.clipboard = text) } },
  extensions: { getExtension: (id: string) => (state.extensions.has(id) ? { id } : undefined) },
};

/** Makes `require('vscode')` return the mock, for the bundle loaded after this call. */
export function installVsCodeMock(): void {
  const loader = Module as unknown as { _load(request: string, parent: unknown, isMain: boolean): unknown };
  const original = loader._load.bind(loader);
  loader._load = (request, parent, isMain) => (request === 'vscode' ? vscodeMock : original(request, parent, isMain));
}

export function extensionContext(globalStoragePath: string, extensionPath: string) {
  const memento = new Map<string, unknown>();
  return {
    subscriptions: [] as Array<{ dispose(): unknown }>,
    globalStorageUri: Uri.file(globalStoragePath),
    extensionPath,
    globalState: {
      get: (key: string) => memento.get(key),
      update: async (key: string, value: unknown) => void memento.set(key, value),
      keys: () => [...memento.keys()],
    },
  };
}
