/**
 * Where runs, the runner and the templates live inside an environment. Everything is under the
 * workspace mount so that runs survive the container and any client (CLI, VS Code) finds them.
 */
import { isRunId } from './run-id';

export interface RunPaths {
  /** The workspace as the environment's sessions see it (/workspace in a container). */
  readonly workspace: string;
  /** One folder per run id. */
  readonly runsDir: string;
  /** media/runner/gpu_env_run.py, copied in by `installRunner`. */
  readonly runner: string;
  /** templates/, copied in on first use (the user may edit them afterwards). */
  readonly templatesDir: string;
  readonly python: string;
}

/** The paths for a workspace folder as the environment's sessions see it. */
export function runPathsFor(workspace: string): RunPaths {
  const root = workspace.replace(/\/+$/, '') || '/';
  return {
    workspace: root,
    runsDir: `${root}/.gpu-env/runs`,
    runner: `${root}/.gpu-env/runner/gpu_env_run.py`,
    templatesDir: `${root}/gpu-env-templates`,
    python: 'python3',
  };
}

/** A container's workspace mount. */
export const CONTAINER_WORKSPACE = '/workspace';

export const DEFAULT_RUN_PATHS: RunPaths = runPathsFor(CONTAINER_WORKSPACE);

/** The paths of the environment a session is connected to (its `workspace`, else a container's). */
export function runPathsOf(session: { readonly workspace?: string }): RunPaths {
  return session.workspace === undefined ? DEFAULT_RUN_PATHS : runPathsFor(session.workspace);
}

export const TRAIN_SCRIPT = 'train_cnn.py';

export function runDir(paths: RunPaths, id: string): string {
  // Ids end up in paths and shell commands: only well-formed ones get this far.
  if (!isRunId(id)) throw new RangeError(`"${id}" is not a run id (expected YYYYMMDD-HHMMSS-xxxx)`);
  return `${paths.runsDir}/${id}`;
}

export function runFile(paths: RunPaths, id: string, name: 'stdout.log' | 'metrics.jsonl' | 'run.json' | 'status.json'): string {
  return `${runDir(paths, id)}/${name}`;
}

/** The templates folder of the workspace a run folder (`<workspace>/.gpu-env/runs/<id>`) belongs to. */
export function templatesDirOfRun(runDirectory: string): string {
  const workspace = runDirectory.replace(/\/\.gpu-env\/runs\/[^/]+\/?$/, '');
  return runPathsFor(workspace === runDirectory ? CONTAINER_WORKSPACE : workspace).templatesDir;
}
