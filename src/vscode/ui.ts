/**
 * The slice of the VS Code API that command handlers and view models use. Handlers depend on this
 * interface, never on the `vscode` module, so unit tests drive them with a fake (test/support/extension-fakes.ts)
 * and only src/vscode/vscode-ui.ts talks to VS Code itself.
 */

export interface PickItem<T> {
  readonly label: string;
  readonly description?: string;
  readonly detail?: string;
  readonly value: T;
}

export interface ProgressUpdate {
  readonly message?: string;
  /** Percentage points to add to the bar (VS Code sums them). */
  readonly increment?: number;
}

/** A terminal backend in the shape of `vscode.Pseudoterminal`, built without the vscode module. */
export interface TerminalBackend {
  readonly onDidWrite: Subscribe<string>;
  readonly onDidClose: Subscribe<number | void>;
  open(dimensions: TerminalSize | undefined): void;
  close(): void;
  handleInput(data: string): void;
  setDimensions(dimensions: TerminalSize): void;
}

export interface TerminalSize {
  readonly columns: number;
  readonly rows: number;
}

export interface Disposable {
  dispose(): void;
}

/** Structurally the same as `vscode.Event<T>`. */
export type Subscribe<T> = (listener: (value: T) => unknown, thisArgs?: unknown, disposables?: Disposable[]) => Disposable;

export interface StatusBarPort {
  show(text: string, tooltip: string, command: { readonly id: string; readonly args: readonly unknown[] }): void;
  hide(): void;
}

export interface KeyValueStore {
  get(key: string): unknown;
  update(key: string, value: unknown): Promise<void>;
}

/** An input box: `validate` returns the message to show under it, or undefined when the text is fine. */
export interface TextQuestion {
  readonly title: string;
  readonly prompt: string;
  readonly value: string;
  readonly placeHolder?: string;
  readonly validate: (text: string) => string | undefined;
}

/** The file in the active editor, when it is a file on disk. */
export interface ActiveFile {
  readonly path: string;
  readonly languageId: string;
  readonly dirty: boolean;
}

/** An output channel the extension writes to (the training log). */
export interface TextOutput {
  clear(): void;
  append(text: string): void;
  show(): void;
}

/** VS Code's SecretStorage (the OS keychain): for secrets such as Jupyter tokens. */
export interface SecretPort {
  get(key: string): Promise<string | undefined>;
  store(key: string, value: string): Promise<void>;
}

export interface Ui {
  showInfo(message: string, ...actions: string[]): Promise<string | undefined>;
  showWarning(message: string, ...actions: string[]): Promise<string | undefined>;
  showError(message: string, ...actions: string[]): Promise<string | undefined>;
  /** A modal dialog; undefined when dismissed. */
  askModal(message: string, detail: string, actions: readonly string[]): Promise<string | undefined>;
  pick<T>(items: readonly PickItem<T>[], placeHolder: string): Promise<T | undefined>;
  /** Undefined when dismissed. */
  askText(question: TextQuestion): Promise<string | undefined>;
  activeFile(): ActiveFile | undefined;
  /** Saves the open document at `path`; false when it could not be saved. */
  saveFile(path: string): Promise<boolean>;
  /** A cancellable notification; the signal aborts when the user presses Cancel. */
  withProgress<T>(title: string, work: (report: (update: ProgressUpdate) => void, signal: AbortSignal) => Promise<T>): Promise<T>;

  isTrusted(): boolean;
  workspaceFolderPaths(): readonly string[];
  executeCommand(id: string, ...args: unknown[]): Promise<unknown>;
  writeClipboard(text: string): Promise<void>;
  openMarkdownPreview(markdown: string): Promise<void>;
  /** Opens a `vscode-remote://` folder URI in a new window. */
  openRemoteFolder(uri: string): Promise<void>;
  hasExtension(id: string): boolean;
  /**
   * `env.asExternalUri` of a URL on this machine's 127.0.0.1: the same URL locally, a forwarded one
   * in Codespaces or code-server. Give it no secret: the result may be logged by VS Code.
   */
  externalUri(localUrl: string): Promise<string>;
  /** Opens the URL in the browser; false when VS Code could not. */
  openExternal(url: string): Promise<boolean>;
  readonly secrets: SecretPort;
  openTerminal(name: string, backend: TerminalBackend): void;
  /** Replaces the text of the container-logs output channel and reveals it. */
  showContainerLogs(text: string): void;
  readonly statusBar: StatusBarPort;
  /** "GPU 93% · 20.1/24 GB" for the active environment. */
  readonly gpuStatusBar: StatusBarPort;
  /** The "GPU Training Log" output channel. */
  readonly trainingLog: TextOutput;
  readonly globalState: KeyValueStore;
  readonly workspaceState: KeyValueStore;
}
