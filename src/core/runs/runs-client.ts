/**
 * Runs in one environment: start, list, status, stop, resume, logs and diagnosis, all through the
 * runner (media/runner/gpu_env_run.py) over an SshSession. No vscode, no ssh2: the extension and
 * the CLI both use this.
 */
import { GpuEnvError } from '../errors';
import type { SshSession, ExecResult } from '../ssh/session';
import { recogniseFailure, type RecognisedFailure } from './failure';
import { runDir, runFile, runPathsOf, type RunPaths } from './paths';
import { decodeTail, followFile, readChunk, tailCommand, type FileChunk, type FollowFileOptions } from './remote-file';
import { generateRunId } from './run-id';
import { parseResumeOutput, parseRunList, parseStatusOutput, type ParsedRunList, type RunListing, type RunStatus } from './run-listing';
import { clusterRequest, isClusterRun, requestToResubmit, runnerCopy, withQueue } from './cluster-runs';
import type { ClusterRunPlan, RunScheduler } from './run-scheduler';
import { shellQuote } from './shell';
import { GPU_COUNT_COMMAND, createCommand, reopenCommand, submittedCommand, GPU_ENV_GITIGNORE, RUNNER_CHANGED_EXIT, listCommand, parseGpuCount, resumeCommand, runLabel, runnerGuard, startCommand, statusCommand, stopCommand, trainArgv } from './train-command';
import { shippedRunner, type ShippedAssets } from './shipped-assets';
import { parseTrainOptions, processesPerNode, TrainOptionsError, type Placement, type TrainOptions } from './train-options';
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
  /** A cluster run's batch job (submitted, maybe still queued). */
  readonly jobId?: string;
}

export interface StartOptions {
  /** Environment name, recorded in run.json for the runs list. */
  readonly environment?: string;
  /** What the environment is; default 'machine' (a container on one machine). */
  readonly target?: Placement['target'];
  readonly signal?: AbortSignal;
}

export class RunsClient {
  /**
   * `scheduler`: where runs can be batch jobs of their own (a Slurm environment; from its target's
   * runScheduler). Without one, every run is processes of the environment.
   */
  constructor(
    private readonly session: SshSession,
    readonly paths: RunPaths = runPathsOf(session),
    private readonly now: () => Date = () => new Date(),
    private readonly scheduler?: RunScheduler,
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
    const placed = processesPerNode(train, { target: this.scheduler ? 'cluster' : (extra.target ?? 'machine'), gpus });
    if (!placed.ok) throw new TrainOptionsError(placed.problems);
    // On a cluster, giving the nodes at all makes the run a batch job of its own.
    if (this.scheduler && train.nodes !== undefined) return this.startJob(this.scheduler, train, placed.nprocPerNode, assets, extra);
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

  /**
   * A cluster run: checked against the cluster (usage errors before anything is created), its folder
   * written (run.json, the runner's own copy, job.sh), then submitted; the job runs it.
   */
  private async startJob(scheduler: RunScheduler, train: TrainOptions, nprocPerNode: number, assets: ShippedAssets, extra: StartOptions): Promise<StartedRun> {
    const id = generateRunId(this.now());
    const argv = trainArgv(train, this.paths, id);
    const nodes = train.nodes ?? 1;
    const plan = await scheduler.plan(clusterRequest(this.paths, id, { nodes, nprocPerNode, time: train.time, argv }), extra.signal);
    const templates = await this.install(assets);
    await this.run('create run', createCommand(this.paths, {
      id,
      argv,
      label: runLabel(train, nprocPerNode, nodes),
      environment: extra.environment ?? scheduler.environment,
      scheduler: 'slurm',
      nodes,
      nprocPerNode,
      warnSeconds: plan.warnSeconds,
      ...(train.time !== undefined ? { time: train.time } : {}),
    }), extra.signal);
    const jobId = await this.submitJob(scheduler, id, plan, extra.signal, true);
    return { id, dir: runDir(this.paths, id), argv, status: await this.recordJob(id, jobId, extra.signal), templates, jobId };
  }

  /** Writes the run's runner copy and job script, submits; a first submission that fails leaves no run folder behind. */
  private async submitJob(scheduler: RunScheduler, id: string, plan: ClusterRunPlan, signal: AbortSignal | undefined, fresh: boolean): Promise<string> {
    try {
      await writeRemoteFile(this.session, runnerCopy(this.paths, id), shippedRunner().content, '755');
      await writeRemoteFile(this.session, plan.scriptPath, plan.script, '755');
      return await scheduler.submit(plan, signal);
    } catch (error) {
      if (fresh) await this.session.exec(`rm -rf -- ${shellQuote(runDir(this.paths, id))}`).catch(() => undefined);
      throw error;
    }
  }

  private async recordJob(id: string, jobId: string, signal?: AbortSignal): Promise<RunStatus> {
    const result = await this.run(`record job ${jobId} of run ${id}`, submittedCommand(this.paths, id, jobId), signal);
    const status = parseStatusOutput(result.stdout);
    if (!status) throw new RunnerError(`record job ${jobId} of run ${id}`, result.code, `unexpected output: ${result.stdout.slice(0, 200)}`);
    return status;
  }

  async list(signal?: AbortSignal): Promise<ParsedRunList> {
    // A workspace with no runs yet has no runs folder: the runner lists nothing, which is right.
    const result = await this.run('list runs', listCommand(this.paths), signal);
    const listed = parseRunList(result.stdout);
    return this.scheduler ? withQueue(listed, this.scheduler, signal, (id) => this.filesOf(id, signal)) : listed;
  }

  async status(id: string, signal?: AbortSignal): Promise<RunListing | null> {
    const listed = { runs: [await this.filesOf(id, signal)].filter((run): run is RunListing => run !== null), problems: [] };
    return (this.scheduler ? await withQueue(listed, this.scheduler, signal, (again) => this.filesOf(again, signal)) : listed).runs[0] ?? null;
  }

  /** The run as its files say (the runner's status), without asking any scheduler. */
  private async filesOf(id: string, signal?: AbortSignal): Promise<RunListing | null> {
    const result = await this.run(`status of run ${id}`, statusCommand(this.paths, id), signal);
    return parseRunList(result.stdout).runs[0] ?? null;
  }

  /**
   * SIGTERM (the template checkpoints and exits), then SIGKILL after `graceSeconds` (runner default
   * 20). A cluster run: its ranks get SIGTERM through the scheduler, then its job is cancelled.
   */
  async stop(id: string, options: { readonly graceSeconds?: number; readonly signal?: AbortSignal } = {}): Promise<RunStatus> {
    if (this.scheduler) {
      const listing = await this.status(id, options.signal);
      const jobId = listing?.status?.job?.id;
      if (isClusterRun(listing) && jobId !== undefined) await this.scheduler.stop(runDir(this.paths, id), jobId, options.signal);
    }
    const result = await this.run(`stop run ${id}`, stopCommand(this.paths, id, options.graceSeconds), options.signal);
    const status = parseStatusOutput(result.stdout);
    if (!status) throw new RunnerError(`stop run ${id}`, result.code, `unexpected output: ${result.stdout.slice(0, 200)}`);
    return status;
  }

  /** Relaunches with --resume (a cluster run: submits its job again); 'running' when it was still running (nothing done). */
  async resume(id: string, signal?: AbortSignal): Promise<{ readonly action: 'resumed' | 'running'; readonly status: RunStatus }> {
    if (this.scheduler) {
      const listing = await this.status(id, signal);
      if (isClusterRun(listing)) return this.resubmit(this.scheduler, listing!, signal);
    }
    const result = await this.run(`resume run ${id}`, resumeCommand(this.paths, id), signal);
    const parsed = parseResumeOutput(result.stdout);
    if (!parsed) throw new RunnerError(`resume run ${id}`, result.code, `unexpected output: ${result.stdout.slice(0, 200)}`);
    return parsed;
  }

  private async resubmit(scheduler: RunScheduler, listing: RunListing, signal?: AbortSignal): Promise<{ readonly action: 'resumed' | 'running'; readonly status: RunStatus }> {
    if (listing.queue && listing.status) return { action: 'running', status: listing.status };
    const request = requestToResubmit(this.paths, listing);
    if (!request) throw new RunnerError(`resume run ${listing.id}`, RUNNER_EXIT.usage, `${runDir(this.paths, listing.id)}/run.json does not describe a cluster job`);
    const plan = await scheduler.plan(request, signal);
    await this.run(`reopen run ${listing.id}`, reopenCommand(this.paths, listing.id), signal);
    const jobId = await this.submitJob(scheduler, listing.id, plan, signal, false);
    return { action: 'resumed', status: await this.recordJob(listing.id, jobId, signal) };
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
