/**
 * Runs the user's own Python file detached through the runner, like a template run: the same run
 * folder, status, stdout.log and $GPU_ENV_RUN_DIR for metrics, so the Runs view, the logs and the
 * dashboard treat it like any other run. Built from the runs module's own helpers (install,
 * startCommand, parseStatusOutput) rather than by changing RunsClient.
 */
import { usageError } from '../errors';
import { hasControlChars } from '../../shared/control-chars';
import type { SshSession } from '../ssh/session';
import { DEFAULT_RUN_PATHS, runDir, runPathsOf, type RunPaths } from '../runs/paths';
import { generateRunId } from '../runs/run-id';
import { parseStatusOutput } from '../runs/run-listing';
import { RunnerError, RunsClient, type StartedRun } from '../runs/runs-client';
import type { ShippedAssets } from '../runs/shipped-assets';
import { startCommand } from '../runs/train-command';

export interface ScriptRunRequest {
  /** Absolute path of the .py file inside the environment, under the workspace mount. */
  readonly script: string;
  /** Environment name, recorded in run.json. */
  readonly environment?: string;
  readonly signal?: AbortSignal;
}

const MAX_SCRIPT_CHARS = 4096;

/** A script path the runner may be given: absolute, under the workspace, a .py file, no control characters. */
export function validateScriptPath(script: string, paths: RunPaths = DEFAULT_RUN_PATHS): string {
  const accepted = `a .py file under ${paths.workspace}`;
  if (script.length > MAX_SCRIPT_CHARS || hasControlChars(script)) throw usageError(`script: ${JSON.stringify(script.slice(0, 80))} is not ${accepted}`);
  const parts = script.split('/');
  if (!script.startsWith(`${paths.workspace}/`) || parts.includes('..') || parts.includes('.') || !script.endsWith('.py')) {
    throw usageError(`script: ${JSON.stringify(script)} is not ${accepted}`);
  }
  return script;
}

/** The run's command: the script under the environment's Python, from the workspace folder. */
export function scriptArgv(script: string, paths: RunPaths = DEFAULT_RUN_PATHS): string[] {
  return [paths.python, validateScriptPath(script, paths)];
}

/** "train.py" for /workspace/exp/train.py. */
export function scriptLabel(script: string): string {
  return script.slice(script.lastIndexOf('/') + 1);
}

/** Installs the runner (and the templates, for gpu_env_metrics.py) and starts the script detached. */
export async function startScriptRun(
  session: SshSession,
  assets: ShippedAssets,
  request: ScriptRunRequest,
  paths: RunPaths = runPathsOf(session),
  now: () => Date = () => new Date(),
): Promise<StartedRun> {
  const argv = scriptArgv(request.script, paths);
  const templates = await new RunsClient(session, paths, now).install(assets);
  const id = generateRunId(now());
  const command = startCommand(paths, {
    id,
    argv,
    label: scriptLabel(request.script),
    // A script of the user's may not know how to continue from a checkpoint.
    autoResume: false,
    ...(request.environment !== undefined ? { environment: request.environment } : {}),
  });
  const result = await session.exec(command, request.signal ? { signal: request.signal } : {});
  if (result.code !== 0) throw new RunnerError('start run', result.code, result.stderr);
  const status = parseStatusOutput(result.stdout);
  if (!status) throw new RunnerError('start run', result.code, `unexpected output: ${result.stdout.slice(0, 200)}`);
  return { id, dir: runDir(paths, id), argv, status, templates };
}
