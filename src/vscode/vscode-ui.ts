import * as vscode from 'vscode';
import type { Ui, KeyValueStore, PickItem, StatusBarPort, TerminalBackend, TextOutput, TextQuestion } from './ui';
import type { Translate } from './l10n';
import type { Log } from './log';

/** The only bridge from the handlers' `Ui` port to the VS Code API; kept thin so there is little to test by hand. */
export function createVsCodeUi(context: vscode.ExtensionContext, t: Translate): Ui & vscode.Disposable {
  let logsChannel: vscode.OutputChannel | undefined;
  const statusBar = new LazyStatusBar('gpuEnv.environment', 'GPU Environment', 50);
  const gpuStatusBar = new LazyStatusBar('gpuEnv.gpu', 'GPU Utilisation', 49);
  const trainingLog = new LazyOutput(() => t('GPU Training Log'));
  const disposeAll = (): void => {
    logsChannel?.dispose();
    statusBar.dispose();
    gpuStatusBar.dispose();
    trainingLog.dispose();
  };
  return {
    showInfo: (message, ...actions) => Promise.resolve(vscode.window.showInformationMessage(message, ...actions)),
    showWarning: (message, ...actions) => Promise.resolve(vscode.window.showWarningMessage(message, ...actions)),
    showError: (message, ...actions) => Promise.resolve(vscode.window.showErrorMessage(message, ...actions)),
    askModal: (message, detail, actions) => Promise.resolve(vscode.window.showWarningMessage(message, { modal: true, detail }, ...actions)),
    pick: <T>(items: readonly PickItem<T>[], placeHolder: string) => pick(items, placeHolder),
    askText,
    activeFile: () => {
      const document = vscode.window.activeTextEditor?.document;
      if (!document || document.uri.scheme !== 'file') return undefined;
      return { path: document.uri.fsPath, languageId: document.languageId, dirty: document.isDirty };
    },
    saveFile: async (path) => {
      const document = vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'file' && d.uri.fsPath === path);
      return document ? (document.isDirty ? document.save() : true) : true;
    },
    withProgress: (title, work) =>
      Promise.resolve(vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, (progress, token) => {
        const controller = new AbortController();
        token.onCancellationRequested(() => controller.abort());
        return work((update) => progress.report(update), controller.signal);
      })),
    isTrusted: () => vscode.workspace.isTrusted,
    workspaceFolderPaths: () => (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath),
    executeCommand: (id, ...args) => Promise.resolve(vscode.commands.executeCommand<unknown>(id, ...args)),
    writeClipboard: (text) => Promise.resolve(vscode.env.clipboard.writeText(text)),
    openMarkdownPreview: async (markdown) => {
      const document = await vscode.workspace.openTextDocument({ language: 'markdown', content: markdown });
      await vscode.commands.executeCommand('markdown.showPreview', document.uri);
    },
    openRemoteFolder: async (uri) => {
      await vscode.commands.executeCommand('vscode.openFolder', vscode.Uri.parse(uri, true), { forceNewWindow: true });
    },
    hasExtension: (id) => vscode.extensions.getExtension(id) !== undefined,
    externalUri: async (localUrl) => (await vscode.env.asExternalUri(vscode.Uri.parse(localUrl, true))).toString(true),
    openExternal: (url) => Promise.resolve(vscode.env.openExternal(vscode.Uri.parse(url, true))),
    // Read through `context` on each call: SecretStorage is touched only when a secret is needed.
    secrets: {
      get: (key) => Promise.resolve(context.secrets.get(key)),
      store: (key, value) => Promise.resolve(context.secrets.store(key, value)),
    },
    openTerminal: (name: string, backend: TerminalBackend) => {
      vscode.window.createTerminal({ name, pty: backend, iconPath: new vscode.ThemeIcon('vm') }).show();
    },
    showContainerLogs: (text) => {
      logsChannel ??= vscode.window.createOutputChannel(t('GPU Environment Logs'));
      logsChannel.replace(text);
      logsChannel.show(true);
    },
    statusBar,
    gpuStatusBar,
    trainingLog,
    globalState: mementoStore(context.globalState),
    workspaceState: mementoStore(context.workspaceState),
    dispose: disposeAll,
  };
}

async function pick<T>(items: readonly PickItem<T>[], placeHolder: string): Promise<T | undefined> {
  type Item = vscode.QuickPickItem & { readonly value: T };
  const choices: Item[] = items.map((item) => ({
    label: item.label,
    ...(item.description !== undefined ? { description: item.description } : {}),
    ...(item.detail !== undefined ? { detail: item.detail } : {}),
    value: item.value,
  }));
  const chosen = await vscode.window.showQuickPick(choices, { placeHolder, matchOnDescription: true, matchOnDetail: true });
  return chosen?.value;
}

async function askText(question: TextQuestion): Promise<string | undefined> {
  return vscode.window.showInputBox({
    title: question.title,
    prompt: question.prompt,
    value: question.value,
    ignoreFocusOut: true,
    ...(question.placeHolder !== undefined ? { placeHolder: question.placeHolder } : {}),
    validateInput: (text) => question.validate(text) ?? null,
  });
}

function mementoStore(memento: vscode.Memento): KeyValueStore {
  return { get: (key) => memento.get<unknown>(key), update: (key, value) => Promise.resolve(memento.update(key, value)) };
}

/** Created on first show, so activation creates no UI. */
class LazyStatusBar implements StatusBarPort, vscode.Disposable {
  private item: vscode.StatusBarItem | undefined;

  constructor(
    private readonly id: string,
    private readonly name: string,
    private readonly priority: number,
  ) {}

  show(text: string, tooltip: string, command: { readonly id: string; readonly args: readonly unknown[] }): void {
    this.item ??= vscode.window.createStatusBarItem(this.id, vscode.StatusBarAlignment.Left, this.priority);
    this.item.name = this.name;
    this.item.text = text;
    this.item.tooltip = tooltip;
    this.item.command = { command: command.id, title: text, arguments: [...command.args] };
    this.item.show();
  }

  hide(): void {
    this.item?.hide();
  }

  dispose(): void {
    this.item?.dispose();
  }
}

/** An output channel created on first use. */
class LazyOutput implements TextOutput, vscode.Disposable {
  private channel: vscode.OutputChannel | undefined;

  constructor(private readonly name: () => string) {}

  clear(): void {
    this.channel?.clear();
  }

  append(text: string): void {
    this.get().append(text);
  }

  show(): void {
    this.get().show(true);
  }

  dispose(): void {
    this.channel?.dispose();
  }

  private get(): vscode.OutputChannel {
    return (this.channel ??= vscode.window.createOutputChannel(this.name()));
  }
}

export function logFromChannel(channel: vscode.LogOutputChannel): Log {
  return {
    debug: (message) => channel.debug(message),
    info: (message) => channel.info(message),
    warn: (message) => channel.warn(message),
    error: (message) => channel.error(message),
    show: () => channel.show(true),
  };
}

export const vscodeTranslate: Translate = (message, ...args) => vscode.l10n.t(message, ...args);
