/** Ids shared by package.json contributions and the code that fills them (checked by the package test). */
export const VIEW_CONTAINER = 'gpuEnv';
export const ENVIRONMENTS_VIEW = 'gpuEnv.environments';
/** Declared for the runs tree and the GPU monitor webview view; their providers register these. */
export const RUNS_VIEW = 'gpuEnv.runs';
export const MONITOR_VIEW = 'gpuEnv.monitor';
export const TERMINAL_PROFILE_ID = 'gpuEnv.terminal';
