/**
 * Wires training into the window: the shared SSH sessions, the runs model and its view, the
 * dashboard (feed, metrics tails, panel serializer), the GPU monitor (stream, view, status bar
 * item), finish notifications, the `gpu-env` task type and the main-guard CodeLens. Everything
 * here only registers; the first SSH or engine call waits for a view to be shown or a command.
 */
import * as vscode from 'vscode';
import type { MonitorEvent } from '../core/gpu/monitor-stream';
import { DashboardFeed } from './dashboard/dashboard-feed';
import { GpuPanelModel } from './monitor/gpu-panel-model';
import { registerMainGuardCodeLens } from './codelens/main-guard-codelens';
import type { CoreApi } from './core-api';
import { DashboardPanel, registerDashboardSerializer, type DashboardPanelDeps } from './dashboard/dashboard-panel';
import { MetricsFollowers } from './dashboard/metrics-followers';
import type { EnvironmentStore } from './environment-store';
import type { Ui } from './ui';
import type { Log } from './log';
import { GpuMonitorService } from './monitor/gpu-monitor-service';
import { registerGpuMonitor } from './monitor/monitor-view';
import { announceFinished } from './runs/finish-notifier';
import { RunsModel } from './runs/runs-model';
import { SessionPool } from './runs/session-pool';
import { TrainingLogView } from './runs/training-log';
import { coreContext, type CoreContextSource, type Services, type Training } from './services';
import { MONITOR_INTERVAL } from './settings';
import type { EnvironmentStatusBar } from './status-bar';
import { registerTrainTaskProvider } from './tasks/task-provider';
import { registerRunsView } from './views/runs-tree';

export interface TrainingDeps {
  readonly context: vscode.ExtensionContext;
  readonly base: CoreContextSource;
  readonly core: () => Promise<CoreApi>;
  readonly store: EnvironmentStore;
  readonly statusBar: EnvironmentStatusBar;
  readonly ui: Ui;
  readonly log: Log;
}

export interface TrainingParts {
  readonly training: Training;
  readonly feed: DashboardFeed;
  readonly gpuPanel: GpuPanelModel;
  readonly followers: MetricsFollowers;
  readonly dashboardDeps: DashboardPanelDeps;
}

function runningNames(store: EnvironmentStore): string[] {
  return store.environments().filter((info) => info.state === 'running').map((info) => info.name);
}

export function createTraining(deps: TrainingDeps): TrainingParts {
  const { base, core, store, log } = deps;
  const sessions = new SessionPool(async (environment) => {
    const api = await core();
    return api.openSession(environment, coreContext(api, base));
  }, log);
  const runs = new RunsModel({
    runningEnvironments: async () => {
      await store.ensureLoaded();
      return runningNames(store);
    },
    list: async (environment) => {
      const api = await core();
      const listed = await sessions.use(environment, (session) => api.runs(session).list());
      for (const problem of listed.problems) log.warn(`runs in ${environment}: ${problem}`);
      return listed.runs;
    },
  }, log);
  runs.persistTracked(deps.ui.workspaceState);
  const feed = new DashboardFeed();
  const gpuPanel = new GpuPanelModel((id) => feed.runs().find((run) => run.id === id)?.label);
  const followers = new MetricsFollowers({
    core,
    locate: (id) => {
      const ref = runs.find(id);
      const path = ref?.listing.facts.metricsFile;
      return ref && path !== undefined ? { environment: ref.environment, path } : undefined;
    },
    connect: (environment) => sessions.session(environment),
    hold: (environment) => sessions.hold(environment),
    feed,
    log,
  });
  const dashboardDeps: DashboardPanelDeps = {
    extensionUri: deps.context.extensionUri,
    source: feed,
    preferences: deps.ui.globalState,
    log: (message) => log.warn(message),
    onSelectionChange: (ids) => followers.setRuns(ids),
    onVisibilityChange: (visible) => {
      runs.setViewer('dashboard', visible);
      if (visible) void runs.ensureLoaded();
    },
  };
  const training: Training = {
    sessions,
    runs,
    logView: new TrainingLogView(deps.ui.trainingLog),
    openDashboard: (ids) => {
      DashboardPanel.show(dashboardDeps, ids);
      void runs.ensureLoaded();
    },
  };
  return { training, feed, gpuPanel, followers, dashboardDeps };
}

export function registerTraining(context: vscode.ExtensionContext, services: Services, parts: TrainingParts): void {
  const { store, log, t } = services;
  const { training, feed, gpuPanel, followers, dashboardDeps } = parts;
  const monitor = new GpuMonitorService({
    core: services.core,
    startStream: async (environment: string, intervalMs: number, onEvent: (event: MonitorEvent) => void) =>
      (await services.core()).startMonitor({
        openSession: async (signal) => {
          const core = await services.core();
          return core.openSession(environment, coreContext(core, services, { signal }));
        },
        intervalMs,
        onEvent,
      }, services.assetsRoot),
    attribution: async (environment) => {
      const core = await services.core();
      return core.gpuAttribution(environment, coreContext(core, services), (message) => log.warn(message));
    },
    statusBarEnvironment: () => services.statusBar.current(),
    runningEnvironments: () => runningNames(store),
    intervalMs: () => services.settings().monitorIntervalMs,
    defaultIntervalMs: MONITOR_INTERVAL.defaultMs,
    statusBar: services.ui.gpuStatusBar,
    onReading: (reading) => {
      feed.ingestGpu(reading);
      gpuPanel.update(reading);
    },
    t,
    log,
  });
  context.subscriptions.push(
    training.sessions,
    training.runs,
    training.logView,
    followers,
    monitor,
    registerRunsView(training.runs, t),
    registerDashboardSerializer(dashboardDeps),
    registerGpuMonitor({
      extensionUri: context.extensionUri,
      source: gpuPanel,
      openDashboard: (run) => training.openDashboard(run ? [run] : undefined),
      log: (message) => log.warn(message),
      onVisibilityChange: (visible) => {
        monitor.setViewVisible(visible);
        if (visible) void store.ensureLoaded();
      },
    }),
    registerTrainTaskProvider(services),
    registerMainGuardCodeLens(t),
    training.runs.onDidChange(() => {
      feed.setRuns(training.runs.all().map((ref) => ref.listing.facts.info).sort((a, b) => (b.startTime ?? 0) - (a.startTime ?? 0)));
      followers.sync();
    }),
    training.runs.onDidFinish((ref) => void announceFinished(services, ref)),
    services.statusBar.onDidChange(() => monitor.update()),
    store.onDidChange(() => {
      monitor.update();
      const running = new Set(runningNames(store));
      for (const environment of training.sessions.environments()) if (!running.has(environment)) training.sessions.close(environment);
      training.runs.refreshIfWatched();
    }),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration(MONITOR_INTERVAL.key)) monitor.update();
    }),
  );
}
