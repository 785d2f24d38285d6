import type { EnvironmentInfo } from '../../core/lifecycle/environment-info';
import type { StartedRun } from '../../core/runs/runs-client';
import { pickItems } from '../pick-environment';
import { coreContext, type Services } from '../services';
import { startEnvironment } from '../start-flow';
import { withRuns } from './runs-access';
import { containerPathOf } from './script-target';
import type { TrainChoices } from './train-choices';

/** What a run is started from: the template's options, or a script already mapped into the environment. */
export type RunRequest =
  | { readonly kind: 'template'; readonly choices: TrainChoices }
  | { readonly kind: 'script'; readonly script: string };

export interface StartedTraining {
  readonly environment: string;
  readonly run: StartedRun;
}

/**
 * The running environment to train in: the only one, else the user's pick; with none running,
 * offers to start this workspace's environment and goes on with it.
 */
export async function chooseTrainingEnvironment(services: Services): Promise<EnvironmentInfo | undefined> {
  const { ui, t } = services;
  const core = await services.core();
  const running = (await core.list(coreContext(core, services))).filter((info) => info.state === 'running');
  if (running.length === 1) return running[0];
  if (running.length > 1) return ui.pick(pickItems(services, running), t('Environment to train in'));
  const start = t('Start GPU Environment');
  if ((await ui.showInfo(t('No GPU environment is running. Start one to train in?'), start)) !== start) return undefined;
  return (await startEnvironment(services)).info;
}

/** A local file → the request for running it in `info` (throws a usage error when it is not mounted there). */
export function scriptRequest(services: Pick<Services, 't'>, info: EnvironmentInfo, localPath: string): RunRequest {
  return { kind: 'script', script: containerPathOf(localPath, info.workspace, info.name, services.t) };
}

/**
 * Starts the run detached in `environment` (copying the runner and any missing template files),
 * then follows it for the finish notification, refreshes the Runs view and opens the dashboard on it.
 */
export async function startTraining(services: Services, environment: string, request: RunRequest): Promise<StartedTraining> {
  const { ui, log, t, training } = services;
  const core = await services.core();
  const assets = core.shippedAssets(services.assetsRoot);
  const run = await ui.withProgress(t('Starting training in "{0}"', environment), (_report, signal) =>
    withRuns(services, environment, (runs) =>
      request.kind === 'template'
        ? runs.start({ ...request.choices }, assets, { environment, signal })
        : runs.startScript(request.script, assets, { environment, signal }),
    ),
  );
  log.info(`run ${run.id} started in ${environment}: ${run.argv.join(' ')}`);
  const note = core.templatesNote(run.templates, core.templatesDirOfRun(run.dir));
  if (note) log.info(note);
  training.runs.track(environment, run.id);
  void training.runs.refresh();
  training.openDashboard([run.id]);
  return { environment, run };
}
