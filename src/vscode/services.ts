import type { CoreContext } from '../core/lifecycle/context';
import type { ConfirmHostKey } from '../core/remote/host-key-check';
import type { ProgressSink } from '../core/progress';
import type { LocalApi } from '../core/local-api';
import type { CoreApi } from './core-api';
import type { EnvironmentStore } from './environment-store';
import type { Ui } from './ui';
import type { JupyterTunnels } from './jupyter/jupyter-tunnels';
import type { Translate } from './l10n';
import type { Log } from './log';
import type { RunsModel } from './runs/runs-model';
import type { SessionPool } from './runs/session-pool';
import type { TrainingLogView } from './runs/training-log';
import { SETTING_FIELDS, type ExtensionSettings } from './settings';
import type { EnvironmentStatusBar } from './status-bar';

/** Everything a command handler may use; built once in `activate`, faked in unit tests. */
export interface Services {
  readonly ui: Ui;
  readonly core: () => Promise<CoreApi>;
  readonly t: Translate;
  readonly log: Log;
  /** Current settings; throws a usage error naming the setting when one has the wrong type. */
  readonly settings: () => ExtensionSettings;
  readonly stateDir: string;
  readonly homeDir: string;
  readonly env: NodeJS.ProcessEnv;
  /** The extension's install folder (media/recipe, templates). */
  readonly assetsRoot: string;
  readonly store: EnvironmentStore;
  readonly statusBar: EnvironmentStatusBar;
  readonly training: Training;
  /** Asks the user about an unknown remote host key (a modal); on every core context. */
  readonly confirmHostKey: ConfirmHostKey;
  /** Open Jupyter tunnels, closed when their environment stops and on deactivate. */
  readonly jupyter: JupyterTunnels;
}

/** Training runs: one shared SSH session per environment, the runs list, the log view, the dashboard. */
export interface Training {
  readonly sessions: SessionPool;
  readonly runs: RunsModel;
  readonly logView: TrainingLogView;
  /** Opens (or reveals) the training dashboard, showing these runs when given. */
  openDashboard(runIds?: readonly string[]): void;
}

/** What a core context is made from. */
export type CoreContextSource = Pick<Services, 'settings' | 'stateDir' | 'homeDir' | 'env' | 'assetsRoot' | 'confirmHostKey'>;

/**
 * The core context for one operation. The engine comes from `gpuEnv.engineHost` when set (checked
 * with the CLI's validator, so a bad value names the setting), else as the docker CLI finds it.
 */
export function coreContext(core: Pick<LocalApi, 'validateEngineUrl' | 'silentProgress'>, services: CoreContextSource, options: { progress?: ProgressSink; signal?: AbortSignal } = {}): CoreContext {
  const host = services.settings().engineHost;
  if (host !== undefined) core.validateEngineUrl(SETTING_FIELDS.host, host);
  return {
    stateDir: services.stateDir,
    env: services.env,
    homeDir: services.homeDir,
    assetsRoot: services.assetsRoot,
    progress: options.progress ?? core.silentProgress,
    // Without it the core refuses unknown host keys outright; with it the user decides, once.
    confirmHostKey: services.confirmHostKey,
    ...(options.signal ? { signal: options.signal } : {}),
    ...(host !== undefined ? { host: { url: host, source: 'setting' as const } } : {}),
  };
}
