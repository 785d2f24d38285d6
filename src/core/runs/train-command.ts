/**
 * The command lines of a run: the template's argv from validated options, and the runner call
 * that starts it detached. Kept pure so the exact strings sent over SSH are unit-tested.
 */
import { runDir, TRAIN_SCRIPT, type RunPaths } from './paths';
import { shellJoin, shellQuote } from './shell';
import type { TemplateName, TrainOptions } from './train-options';

/** The template's `--model` for each template name. */
export const MODEL_FOR_TEMPLATE = { cnn: 'simplecnn', resnet: 'resnet' } as const satisfies Record<TemplateName, string>;

/** Its inverse: the template name for a `--model` read back from a run's command. */
export const TEMPLATE_FOR_MODEL: ReadonlyMap<string, TemplateName> = new Map(
  Object.entries(MODEL_FOR_TEMPLATE).map(([template, model]) => [model, template as TemplateName]),
);

/** argv of templates/train_cnn.py for `options`, writing into the run's directory. */
export function trainArgv(options: TrainOptions, paths: RunPaths, id: string): string[] {
  const argv = [paths.python, `${paths.templatesDir}/${TRAIN_SCRIPT}`, '--model', MODEL_FOR_TEMPLATE[options.template], '--dataset', options.dataset];
  if (options.dataDir !== undefined) argv.push('--data-dir', options.dataDir);
  argv.push('--epochs', String(options.epochs));
  if (options.batchSize !== undefined) argv.push('--batch-size', String(options.batchSize));
  // String(n) gives "0.001" or "1e-7"; Python's float() reads both.
  if (options.lr !== undefined) argv.push('--lr', String(options.lr));
  if (options.targetAccuracy !== undefined) argv.push('--target-accuracy', String(options.targetAccuracy));
  if (options.subset !== undefined) argv.push('--subset', String(options.subset));
  argv.push('--seed', String(options.seed), '--run-dir', runDir(paths, id));
  return argv;
}

/** A short human name for lists: "cnn · fashion-mnist · 5 epochs" (and " · 2 processes"). */
export function runLabel(options: TrainOptions, nprocPerNode = 1, nodes = 1): string {
  const processes = nodes > 1 ? ` · ${nodes} nodes × ${nprocPerNode} process${nprocPerNode === 1 ? '' : 'es'}` : nprocPerNode > 1 ? ` · ${nprocPerNode} processes` : '';
  return `${options.template} · ${options.dataset} · ${options.epochs} epoch${options.epochs === 1 ? '' : 's'}${processes}`;
}

/** Counts the GPUs the environment sees (`nvidia-smi -L` lines); prints 0 without a driver. */
export const GPU_COUNT_COMMAND = "nvidia-smi -L 2>/dev/null | grep -c '^GPU ' || true";

export function parseGpuCount(stdout: string): number {
  const n = Number.parseInt(stdout.trim(), 10);
  return Number.isInteger(n) && n >= 0 ? n : 0;
}

/** What run.json records of a new run, whichever command writes it (start, create). */
interface RunRecordInput {
  readonly id: string;
  readonly argv: readonly string[];
  readonly label?: string;
  /** Environment name, recorded in run.json. */
  readonly environment?: string;
}

export interface StartCommandInput extends RunRecordInput {
  readonly autoResume: boolean;
  /** Ranks the runner starts on this machine (torchrun's variables each); undefined or 1: one process. */
  readonly nprocPerNode?: number;
}

/** The shell command that asks the runner to start `argv` detached in the run's directory. */
export function startCommand(paths: RunPaths, input: StartCommandInput): string {
  const extra = [...(input.autoResume ? ['--auto-resume'] : []), ...(input.nprocPerNode !== undefined && input.nprocPerNode > 1 ? ['--nproc-per-node', String(input.nprocPerNode)] : [])];
  return recordCommand(paths, 'start', input, extra);
}

export interface CreateCommandInput extends RunRecordInput {
  readonly scheduler: 'slurm';
  readonly nodes: number;
  readonly nprocPerNode: number;
  /** Seconds before the time limit at which the job asks its ranks to checkpoint. */
  readonly warnSeconds: number;
  /** The job's own time limit (Slurm's form), recorded so that `resume` submits it alike. */
  readonly time?: string;
}

/** Records a cluster run (run.json, status.json) that its batch job will run; starts nothing. */
export function createCommand(paths: RunPaths, input: CreateCommandInput): string {
  const extra = [`--scheduler=${input.scheduler}`, `--nodes=${input.nodes}`, `--nproc-per-node=${input.nprocPerNode}`, `--warn-seconds=${input.warnSeconds}`, ...(input.time !== undefined ? [`--time=${input.time}`] : [])];
  return recordCommand(paths, 'create', input, extra);
}

function recordCommand(paths: RunPaths, verb: 'start' | 'create', input: RunRecordInput, extra: readonly string[]): string {
  if (input.argv.length === 0) throw new RangeError(`${verb}Command: empty command`);
  // --option=value: a value starting with '-' (a script named -train.py as the label) stays a value.
  const args = [paths.python, paths.runner, verb, runDir(paths, input.id), `--id=${input.id}`, `--cwd=${paths.workspace}`];
  if (input.label !== undefined) args.push(`--label=${input.label}`);
  if (input.environment !== undefined) args.push(`--environment=${input.environment}`);
  return shellJoin([...args, ...extra, '--', ...input.argv]);
}

/** Records the batch job that will run a cluster run. */
export function submittedCommand(paths: RunPaths, id: string, jobId: string): string {
  if (!/^\d{1,12}$/.test(jobId)) throw new RangeError(`"${jobId}" is not a Slurm job id`);
  return shellJoin([paths.python, paths.runner, 'submitted', runDir(paths, id), `--job-id=${jobId}`]);
}

/** Clears a cluster run's stop request before it is submitted again. */
export function reopenCommand(paths: RunPaths, id: string): string {
  return shellJoin([paths.python, paths.runner, 'reopen', runDir(paths, id)]);
}

export function stopCommand(paths: RunPaths, id: string, graceSeconds?: number): string {
  const args = [paths.python, paths.runner, 'stop', runDir(paths, id)];
  if (graceSeconds !== undefined) {
    if (!(Number.isFinite(graceSeconds) && graceSeconds >= 0)) throw new RangeError(`grace must be seconds >= 0 (got ${graceSeconds})`);
    args.push('--grace', String(graceSeconds));
  }
  return shellJoin(args);
}

export function resumeCommand(paths: RunPaths, id: string): string {
  return shellJoin([paths.python, paths.runner, 'resume', runDir(paths, id)]);
}

/** Lists nothing (exit 0) where the runner was never installed: no run was ever started there. */
export function listCommand(paths: RunPaths): string {
  return `if [ -f ${shellQuote(paths.runner)} ]; then ${shellJoin([paths.python, paths.runner, 'list', paths.runsDir])}; fi`;
}

export function statusCommand(paths: RunPaths, id: string): string {
  return shellJoin([paths.python, paths.runner, 'status', runDir(paths, id)]);
}

/** The runner's exit status when the runner file is not the one gpu-env ships (see runnerGuard). */
export const RUNNER_CHANGED_EXIT = 97;

/**
 * A prefix for every command that runs the runner from the workspace: a runner file that is not
 * byte for byte `sha256`'s (committed with a repository, edited, an older version) is not run, and
 * a missing one (`git clean -fdx`, .gpu-env/ deleted) is not tried; the command exits 97 so the
 * client installs its own and tries again (a missing runner made every status read fail, and
 * `logs --follow` report a lost connection over and over).
 */
export function runnerGuard(paths: RunPaths, sha256: string): string {
  const runner = shellQuote(paths.runner);
  return `if [ ! -f ${runner} ] || [ "$(sha256sum < ${runner})" != '${sha256}  -' ]; then exit ${RUNNER_CHANGED_EXIT}; fi; `;
}

/** Written into <workspace>/.gpu-env/: run files, checkpoints and the runner are local state, not source. */
export const GPU_ENV_GITIGNORE = '# Written by gpu-env: runs, checkpoints and the runner are this machine\'s state, not source.\n*\n';
