/**
 * Runs in one environment: start, list, status, stop, resume, logs and diagnosis, all through the
 * runner (media/runner/gpu_env_run.py) over an SshSession. No vscode, no ssh2: the extension and
 * the CLI both use this.
 */
import { GpuEnvError } from '../errors';
import type { SshSession, ExecResult } from '../ssh/session';
import { recogniseFailure, type RecognisedFailure } from './failure';
import { runFile, runPathsOf, type RunPaths } from './paths';
import { decodeTail, followFile, readChunk, tailCommand, type FileChunk, type FollowFileOptions } from './remote-file';
import { generateRunId } from './run-id';
import { parseResumeOutput, parseRunList, parseStatusOutput, type ParsedRunList, type RunListing, type RunStatus } from './run-listing';
import { GPU_COUNT_COMMAND, GPU_ENV_GITIGNORE, RUNNER_CHANGED_EXIT, listCommand, parseGpuCount, resumeCommand, runLabel, runnerGuard, startCommand, statusCommand, stopCommand, trainArgv } from './train-command';
import { shippedRunner, type ShippedAssets } from './shipped-assets';
import { parseTrainOptions, processesPerNode, TrainOptionsError, type Placement } from './train-options';
import { installTemplates, writeRemoteFile, type UploadReport } from './upload';

/** The runner's exit codes (see gpu_env_run.py). */
export const RUNNER_EXIT = { ok: 0, failed: 1, usage: 2, exists: 3 } as const;

export class RunnerError extends GpuEnvError {
  constructor(
    readonly action: string,
    readonly exitCode: number | null,
    readonly stderr: string,
  ) {
    super(runnerMessage(action, exitCode, stderr), exitCode === RUNNER_EXIT.usage ? 'usage' : 'failure');
    this.name = 'RunnerError';
  }
}

function runnerMessage(action: string, exitCode: number | null, stderr: string): string {
  const detail = stderr.trim().split('\n').slice(-3).join(' ');
  if (exitCode === 127) return `${action}: python3 was not found in the environment (${detail})`;
  return `${action} failed${exitCode === null ? '' : ` (exit ${exitCode})`}${detail ? `: ${detail}` : ''}`;
}

export interface StartedRun {
  readonly id: string;
  readonly dir: string;
  readonly argv: readonly string[];
  readonly status: RunStatus;
  readonly templates: UploadReport;
}

export interface StartOptions {
  /** Environment name, recorded in run.json for the runs list. */
  readonly environment?: string;
  /** What the environment is; default 'machine' (a container on one machine). */
  readonly target?: Placement['target'];
  readonly signal?: AbortSignal;
}

export class RunsClient {
  constructor(
    private readonly session: SshSession,
    readonly paths: RunPaths = runPathsOf(session),
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Copies the runner (always) and the templates (see installTemplates: edits survive) into the environment. */
  async install(assets: ShippedAssets): Promise<UploadReport> {
    await this.installRunner(assets.runner);
    return installTemplates(this.session, this.paths.templatesDir, assets.templates);
  }

  /** The runner, and a .gitignore that keeps .gpu-env/ out of the user's repository. */
  private async installRunner(runner: string | Buffer = shippedRunner().content): Promise<void> {
    await writeRemoteFile(this.session, this.paths.runner, runner, '755');
    await writeRemoteFile(this.session, this.paths.runner.replace(/\/runner\/[^/]+$/, '/.gitignore'), GPU_ENV_GITIGNORE);
  }

  /** Validates `options` (throws TrainOptionsError listing every problem), installs, and starts a run. */
  async start(options: unknown, assets: ShippedAssets, extra: StartOptions = {}): Promise<StartedRun> {
    const train = parseTrainOptions(options);
    // Checked before anything is copied or started: a usage error (exit 2) names what was found.
    const gpus = parseGpuCount((await this.session.exec(GPU_COUNT_COMMAND, extra.signal ? { signal: extra.signal } : {})).stdout);
    const placed = processesPerNode(train, { target: extra.target ?? 'machine', gpus });
    if (!placed.ok) throw new TrainOptionsError(placed.problems);
    const templates = await this.install(assets);
    const id = generateRunId(this.now());
    const argv = trainArgv(train, this.paths, id);
    const command = startCommand(this.paths, {
      id,
      argv,
      label: runLabel(train, placed.nprocPerNode),
      autoResume: train.autoResume,
      nprocPerNode: placed.nprocPerNode,
      ...(extra.environment !== undefined ? { environment: extra.environment } : {}),
    });
    const result = await this.run('start run', command, extra.signal);
    const status = parseStatusOutput(result.stdout);
    if (!status) throw new RunnerError('start run', result.code, `unexpected output: ${result.stdout.slice(0, 200)}`);
    return { id, dir: `${this.paths.runsDir}/${id}`, argv, status, templates };
  }

  async list(signal?: AbortSignal): Promise<ParsedRunList> {
    // A workspace with no runs yet has no runs folder: the runner lists nothing, which is right.
    const result = await this.run('list runs', listCommand(this.paths), signal);
    return parseRunList(result.stdout);
  }

  async status(id: string, signal?: AbortSignal): Promise<RunListing | null> {
    const result = await this.run(`status of run ${id}`, statusCommand(this.paths, id), signal);
    return parseRunList(result.stdout).runs[0] ?? null;
  }

  /** SIGTERM (the template checkpoints and exits), then SIGKILL after `graceSeconds` (runner default 20). */
  async stop(id: string, options: { readonly graceSeconds?: number; readonly signal?: AbortSignal } = {}): Promise<RunStatus> {
    const result = await this.run(`stop run ${id}`, stopCommand(this.paths, id, options.graceSeconds), options.signal);
    const status = parseStatusOutput(result.stdout);
    if (!status) throw new RunnerError(`stop run ${id}`, result.code, `unexpected output: ${result.stdout.slice(0, 200)}`);
    return status;
  }

  /** Relaunches with --resume; 'running' when it was still running (nothing done). */
  async resume(id: string, signal?: AbortSignal): Promise<{ readonly action: 'resumed' | 'running'; readonly status: RunStatus }> {
    const result = await this.run(`resume run ${id}`, resumeCommand(this.paths, id), signal);
    const parsed = parseResumeOutput(result.stdout);
    if (!parsed) throw new RunnerError(`resume run ${id}`, result.code, `unexpected output: ${result.stdout.slice(0, 200)}`);
    return parsed;
  }

  readLog(id: string, offset: number, maxBytes?: number, signal?: AbortSignal): Promise<FileChunk> {
    return readChunk(this.session, runFile(this.paths, id, 'stdout.log'), offset, maxBytes, signal);
  }

  followLog(id: string, options: FollowFileOptions = {}): AsyncGenerator<FileChunk, void, undefined> {
    return followFile(this.session, runFile(this.paths, id, 'stdout.log'), options);
  }

  /** Path of the run's metrics.jsonl, for the metrics tail (src/core/metrics/metrics-tail.ts). */
  metricsPath(id: string): string {
    return runFile(this.paths, id, 'metrics.jsonl');
  }

  async logTail(id: string, bytes = 16 * 1024, signal?: AbortSignal): Promise<string> {
    const result = await this.session.exec(tailCommand(runFile(this.paths, id, 'stdout.log'), bytes), signal ? { signal } : {});
    if (result.code !== 0) throw new RunnerError(`read log of run ${id}`, result.code, result.stderr);
    return decodeTail(result.stdout);
  }

  /** What went wrong with a failed run, when it is one of the known failures. */
  async diagnose(id: string, signal?: AbortSignal): Promise<RecognisedFailure | undefined> {
    return recogniseFailure(await this.logTail(id, 16 * 1024, signal));
  }

  /**
   * Runs a runner command, only ever with the runner gpu-env ships: a runner file that differs
   * (a repository's own .gpu-env/, an older version) is replaced first, never run; a missing one is installed.
   */
  private async run(action: string, command: string, signal?: AbortSignal): Promise<ExecResult> {
    const guarded = `${runnerGuard(this.paths, shippedRunner().sha256)}${command}`;
    let result = await this.session.exec(guarded, signal ? { signal } : {});
    if (result.code === RUNNER_CHANGED_EXIT) {
      await this.installRunner();
      result = await this.session.exec(guarded, signal ? { signal } : {});
    }
    if (result.code !== 0) throw new RunnerError(action, result.code, result.code === RUNNER_CHANGED_EXIT ? `${this.paths.runner} is missing or not gpu-env's runner, and could not be installed` : result.stderr);
    return result;
  }
}
