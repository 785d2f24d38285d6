import { homedir } from 'node:os';
import * as vscode from 'vscode';
import { messageOf } from '../shared/errors';
import { autoStartOnFirstList } from './auto-start';
import { COMMANDS } from './commands/index';
import { ENVIRONMENTS_VIEW } from './contribution-ids';
import { runCommand } from './commands/run-command';
import type { CoreContext } from '../core/lifecycle/context';
import { closeLoadedCore, loadCoreApi, type CoreApi } from './core-api';
import { EnvironmentStore } from './environment-store';
import { JupyterTunnels } from './jupyter/jupyter-tunnels';
import { lazyLogChannel } from './lazy-log';
import { hostKeyPrompt } from './remote/host-key-prompt';
import { coreContext, type CoreContextSource, type Services } from './services';
import { readSettings, SECTION, SETTING_FIELDS } from './settings';
import { extensionStateDir } from './state-dir';
import { EnvironmentStatusBar } from './status-bar';
import { TimeLimitWarning } from './time-limit-warning';
import { IdleStopWarning } from './idle-stop-warning';
import { registerTerminalProfile } from './terminal/profile-provider';
import { environmentsTree } from './views/environments-tree';
import { createVsCodeUi, vscodeTranslate } from './vscode-ui';
import { START_COMMAND } from './contribution-ids';
import { createTraining, registerTraining, type TrainingParts } from './training-setup';

/**
 * Registers commands, the Environments view and the terminal profile, and nothing else: no engine
 * call, no file read, no UI until a view is shown or a command runs.
 */
export function activate(context: vscode.ExtensionContext): void {
  const { services, training } = createServices(context);
  jupyterTunnels = services.jupyter;
  for (const command of COMMANDS) {
    context.subscriptions.push(vscode.commands.registerCommand(command.id, (...args: unknown[]) => runCommand(services, command, args)));
  }
  const tree = environmentsTree(services.store, services.t);
  context.subscriptions.push(
    tree,
    vscode.window.registerTreeDataProvider(ENVIRONMENTS_VIEW, tree),
    registerTerminalProfile(services),
    services.store.onDidChange(autoStartOnFirstList(services, () => Promise.resolve(vscode.commands.executeCommand(START_COMMAND)))),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration(SETTING_FIELDS.host)) services.store.reconnect();
    }),
  );
  registerTraining(context, services, training);
}

let jupyterTunnels: JupyterTunnels | undefined;

/**
 * Jupyter tunnels first, then the shared SSH connections to remote Docker hosts they may ride on;
 * neither loads the core when it was never used.
 */
export async function deactivate(): Promise<void> {
  await jupyterTunnels?.closeAll();
  jupyterTunnels = undefined;
  await closeLoadedCore();
}

function createServices(context: vscode.ExtensionContext): { services: Services; training: TrainingParts } {
  const t = vscodeTranslate;
  const log = lazyLogChannel('GPU Environments');
  const ui = createVsCodeUi(context, t);
  const base: CoreContextSource = {
    settings: () => readSettings((key) => vscode.workspace.getConfiguration(SECTION).get<unknown>(key)),
    stateDir: extensionStateDir(process.env, context.globalStorageUri.fsPath),
    homeDir: homedir(),
    env: process.env,
    assetsRoot: context.extensionPath,
    confirmHostKey: hostKeyPrompt(ui, t, log),
  };
  /** The loaded core and a context made from the settings as they are now. */
  const withCore = async <T>(work: (core: CoreApi, ctx: CoreContext) => T | Promise<T>): Promise<T> => {
    const core = await loadCoreApi();
    return work(core, coreContext(core, base));
  };
  const store = new EnvironmentStore({
    list: () => withCore((core, ctx) => core.list(ctx)),
    // A lost connection re-lists too: with the engine gone, the view says so (and names it) instead
    // of showing the last list as if nothing happened; the reconnect's resync re-lists again.
    watch: (onChange) =>
      withCore((core, ctx) => core.watchEvents(ctx, onChange, (reason, retryInMs) => {
        log.warn(`${reason}; reconnecting in ${retryInMs} ms`);
        onChange();
      })),
  }, log);
  const statusBar = new EnvironmentStatusBar(ui.statusBar, store, t, () => configuredName(base.settings, log));
  const jupyter = new JupyterTunnels(store.onDidChange, log);
  const timeLimits = new TimeLimitWarning({ store, t, warn: (message) => void ui.showWarning(message) });
  const idleStops = new IdleStopWarning({
    store, t, log,
    idleReport: (name) => withCore((core, ctx) => core.idleReport(name, ctx)),
    keepRunning: (name) => withCore((core, ctx) => core.keepRunning(name, ctx)),
    warn: (message, ...actions) => ui.showWarning(message, ...actions),
    info: (message) => void ui.showInfo(message),
  });
  context.subscriptions.push(log, ui, store, statusBar, jupyter, timeLimits, idleStops);
  const training = createTraining({ context, base, core: loadCoreApi, store, statusBar, ui, log });
  return { services: { ...base, ui, core: loadCoreApi, t, log, store, statusBar, training: training.training, jupyter }, training };
}

function configuredName(settings: () => ReturnType<typeof readSettings>, log: { warn(message: string): void }): string | undefined {
  try {
    return settings().environmentName ?? 'default';
  } catch (error) {
    log.warn(messageOf(error));
    return undefined;
  }
}
