/** Ids shared by package.json contributions and the code that fills them (checked by the package test). */
export const ENVIRONMENTS_VIEW = 'gpuEnv.environments';
/** Declared for the runs tree and the GPU monitor webview view; their providers register these. */
export const RUNS_VIEW = 'gpuEnv.runs';
export const MONITOR_VIEW = 'gpuEnv.monitor';
export const TERMINAL_PROFILE_ID = 'gpuEnv.terminal';

/** Commands that other parts name (rows, status bar items, CodeLens, prompts), besides their own definition. */
export const START_COMMAND = 'gpuEnv.start';
export const TRAIN_COMMAND = 'gpuEnv.trainCnn';
export const OPEN_DASHBOARD_COMMAND = 'gpuEnv.openDashboard';
export const RUN_DOCTOR_COMMAND = 'gpuEnv.runDoctor';
export const ENVIRONMENT_ACTIONS_COMMAND = 'gpuEnv.showEnvironmentActions';
