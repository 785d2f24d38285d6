/**
 * Where runs, the runner and the templates live inside an environment. Everything is under the
 * workspace mount so that runs survive the container and any client (CLI, VS Code) finds them.
 */
import { isRunId } from './run-id';

export interface RunPaths {
  /** The workspace inside the container. */
  readonly workspace: string;
  /** One folder per run id. */
  readonly runsDir: string;
  /** media/runner/gpu_env_run.py, copied in by `installRunner`. */
  readonly runner: string;
  /** templates/, copied in on first use (the user may edit them afterwards). */
  readonly templatesDir: string;
  readonly python: string;
}

export const DEFAULT_RUN_PATHS: RunPaths = {
  workspace: '/workspace',
  runsDir: '/workspace/.gpu-env/runs',
  runner: '/workspace/.gpu-env/runner/gpu_env_run.py',
  templatesDir: '/workspace/gpu-env-templates',
  python: 'python3',
};

export const TRAIN_SCRIPT = 'train_cnn.py';

export function runDir(paths: RunPaths, id: string): string {
  // Ids end up in paths and shell commands: only well-formed ones get this far.
  if (!isRunId(id)) throw new RangeError(`"${id}" is not a run id (expected YYYYMMDD-HHMMSS-xxxx)`);
  return `${paths.runsDir}/${id}`;
}

export function runFile(paths: RunPaths, id: string, name: 'stdout.log' | 'metrics.jsonl' | 'run.json' | 'status.json'): string {
  return `${runDir(paths, id)}/${name}`;
}
