import type { EnvironmentInfo } from '../core/lifecycle/environment-info';
import type { UpRequest } from '../core/lifecycle/request';
import type { LocalApi } from '../core/local-api';
import type { UpResult } from '../core/lifecycle/up';
import type { ProgressEvent, ProgressSink } from '../core/progress';
import type { Log } from './log';
import { UpProgressModel } from './progress/up-progress';
import { reportError } from './report-error';
import { coreContext, type Services } from './services';
import { SETTING_FIELDS, settingsBaseDir, upInputFromSettings, type StartTarget } from './settings';

/**
 * The request `up` gets from the settings, checked by the CLI's own validators so a bad value is a
 * usage error naming the `gpuEnv.*` setting, before anything is created.
 */
export function startRequest(services: Services, core: Pick<LocalApi, 'validateEngineUrl' | 'engineIsRemote' | 'settingsForTarget' | 'validateUpInput'>, target?: StartTarget): UpRequest {
  const folders = services.ui.workspaceFolderPaths();
  const settings = services.settings();
  // Checked first so that a bad address is reported naming the setting, as validateUpInput would.
  if (settings.engineHost !== undefined) core.validateEngineUrl(SETTING_FIELDS.host, settings.engineHost, { allowHostAlias: true });
  const remote = core.engineIsRemote(settings.engineHost, SETTING_FIELDS, services.env, services.homeDir);
  const input = core.settingsForTarget(upInputFromSettings(settings, folders, target, remote));
  return core.validateUpInput(input, SETTING_FIELDS, services.env, settingsBaseDir(folders, services.homeDir));
}

/**
 * Creates or starts the environment in a cancellable notification that shows the core's steps.
 * Cancelling aborts the core's work, which removes a half-made container. Throws on failure.
 */
export async function startEnvironment(services: Services, target?: StartTarget, options: { readonly recreate?: boolean } = {}): Promise<UpResult> {
  const { ui, log, t } = services;
  const core = await services.core();
  const request = { ...startRequest(services, core, target), ...(options.recreate ? { recreate: true } : {}) };
  log.info(`starting environment "${request.name}" (workspace ${request.workspace}${request.remote ? ' on the remote host' : ''})`);
  // On a remote host the files are not in the open folder: say where they are before anything starts.
  const title = request.remote
    ? t('Starting GPU environment "{0}" on {1}; its files live in {2} there', request.name, request.host ?? t('the remote host'), request.remote.workspace)
    : t('Starting GPU environment "{0}"', request.name);
  const result = await ui.withProgress(title, (report, signal) => {
    const model = new UpProgressModel(t);
    const progress: ProgressSink = (event) => {
      logProgress(log, event);
      const update = model.update(event);
      if (update) report(update);
    };
    return core.up(request, coreContext(core, services, { progress, signal }));
  });
  const where = result.info.ssh.route ?? `127.0.0.1:${String(result.info.ssh.port)}`;
  log.info(`${result.info.container} ${result.action}: ssh ${result.info.ssh.alias} (${where}, user ${result.info.ssh.user})`);
  services.statusBar.showEnvironment(result.info);
  services.store.refreshSoon();
  for (const warning of result.warnings) {
    if (warning !== result.driftWarning) void ui.showWarning(warning);
  }
  if (result.driftWarning) void offerRecreate(services, result.driftWarning, target);
  return result;
}

/** The settings changed since the environment was made: say how, and recreate it when asked. */
async function offerRecreate(services: Services, warning: string, target: StartTarget | undefined): Promise<void> {
  const recreate = services.t('Recreate');
  if ((await services.ui.showWarning(warning, recreate)) !== recreate) return;
  await startEnvironment(services, target, { recreate: true }).catch((error: unknown) => reportError(services, recreate, error));
}

/** Every step goes to the log; byte counts would flood it, so pulls are logged by step only. */
function logProgress(log: Log, event: ProgressEvent): void {
  switch (event.kind) {
    case 'step': return log.info(event.message);
    case 'warning': return log.warn(event.message);
    case 'log': return log.debug(event.line);
    case 'layers': return;
    case 'queue': return log.info(event.message);
  }
}

/** For terminal and attach: a stopped environment is started (asking first unless gpuEnv.autoStart). */
export async function ensureRunning(services: Services, info: EnvironmentInfo): Promise<EnvironmentInfo | undefined> {
  if (info.state === 'running') return info;
  const { ui, t } = services;
  if (!services.settings().autoStart) {
    const start = t('Start');
    const choice = await ui.showInfo(t('GPU environment "{0}" is not running. Start it?', info.name), start);
    if (choice !== start) return undefined;
  }
  const result = await startEnvironment(services, { name: info.name, workspace: info.workspace });
  return result.info;
}
