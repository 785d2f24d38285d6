import { usageError } from '../errors';
import { validateImageRef } from '../validate';
import { SLURM_TIME_FORMS, parseSlurmDuration } from './slurm-time';

/** The Slurm options as the user typed them (flags or settings), unvalidated. */
export interface SlurmOptionsInput {
  readonly partition?: string | undefined;
  readonly account?: string | undefined;
  readonly qos?: string | undefined;
  readonly time?: string | undefined;
  readonly nodes?: string | undefined;
  readonly gpusPerNode?: string | undefined;
  readonly cpusPerTask?: string | undefined;
  readonly mem?: string | undefined;
  readonly constraint?: string | undefined;
  /** Shell lines run on the node before anything else (e.g. `module load cuda/12.4`). */
  readonly setup?: readonly string[] | undefined;
  readonly containerImage?: string | undefined;
  /** Further sbatch options, each one `--option[=value]`. */
  readonly sbatchArgs?: readonly string[] | undefined;
}

export type SlurmFieldNames = Readonly<Record<keyof SlurmOptionsInput, string>>;

export const CLI_SLURM_FIELDS: SlurmFieldNames = {
  partition: '--partition', account: '--account', qos: '--qos', time: '--time', nodes: '--nodes', gpusPerNode: '--gpus-per-node',
  cpusPerTask: '--cpus-per-task', mem: '--mem', constraint: '--constraint', setup: '--setup', containerImage: '--container-image', sbatchArgs: '--sbatch-arg',
};

/** What the job asks Slurm for; every value checked, safe to put into an sbatch command line. */
export interface SlurmJobSpec {
  readonly partition?: string;
  readonly account?: string;
  readonly qos?: string;
  /** As Slurm takes it (`4:00:00`); absent: the partition's default. */
  readonly time?: string;
  readonly timeSeconds?: number;
  readonly nodes: number;
  /** GPUs per node (0: none), with an optional GPU type (`a100`). */
  readonly gpusPerNode: { readonly count: number; readonly type?: string };
  readonly cpusPerTask?: number;
  /** Per node, as Slurm takes it (`32G`, `16000`). */
  readonly mem?: string;
  readonly constraint?: string;
  readonly setup: readonly string[];
  readonly containerImage?: string;
  readonly sbatchArgs: readonly string[];
}

export const DEFAULT_GPUS_PER_NODE = 1;
export const MAX_NODES = 1024;

const SLURM_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$/;
/** Options gpu-env sets itself (or has a flag for): given through --sbatch-arg they would fight ours. */
const MANAGED_SBATCH_OPTIONS: Readonly<Record<string, string>> = {
  'job-name': 'gpu-env names the job gpu-env-NAME', J: 'gpu-env names the job gpu-env-NAME',
  output: 'gpu-env keeps the job output with the environment', o: 'gpu-env keeps the job output with the environment',
  error: 'gpu-env keeps the job output with the environment', e: 'gpu-env keeps the job output with the environment',
  parsable: 'gpu-env reads the job id itself', wrap: 'gpu-env writes the job script', chdir: 'the job starts in the workspace', D: 'the job starts in the workspace',
};

/** sbatch options gpu-env has a field of its own for (the error names that field as the front end calls it). */
const OWN_FIELD_SBATCH_OPTIONS: Readonly<Record<string, keyof SlurmFieldNames>> = {
  partition: 'partition', p: 'partition', account: 'account', A: 'account', qos: 'qos', q: 'qos',
  time: 'time', t: 'time', nodes: 'nodes', N: 'nodes', gres: 'gpusPerNode', 'gpus-per-node': 'gpusPerNode',
  'cpus-per-task': 'cpusPerTask', c: 'cpusPerTask', mem: 'mem', constraint: 'constraint', C: 'constraint',
};

/** Validates every Slurm option before anything is submitted; errors name the field and the accepted form. */
export function validateSlurmOptions(input: SlurmOptionsInput, fields: SlurmFieldNames): SlurmJobSpec {
  const partition = nonEmpty(input.partition);
  const account = nonEmpty(input.account);
  const qos = nonEmpty(input.qos);
  const time = nonEmpty(input.time);
  const constraint = nonEmpty(input.constraint);
  const mem = nonEmpty(input.mem);
  const image = nonEmpty(input.containerImage);
  const cpus = nonEmpty(input.cpusPerTask);
  const timeSeconds = time === undefined ? undefined : parseTime(fields.time, time);
  return {
    ...(partition !== undefined ? { partition: partitionList(fields.partition, partition) } : {}),
    ...(account !== undefined ? { account: slurmName(fields.account, account, 'an account name') } : {}),
    ...(qos !== undefined ? { qos: slurmName(fields.qos, qos, 'a QOS name') } : {}),
    ...(time !== undefined ? { time, timeSeconds: timeSeconds! } : {}),
    nodes: wholeNumber(fields.nodes, nonEmpty(input.nodes) ?? '1', 1, MAX_NODES, 'a node count'),
    gpusPerNode: gpusPerNode(fields.gpusPerNode, nonEmpty(input.gpusPerNode) ?? String(DEFAULT_GPUS_PER_NODE)),
    ...(cpus !== undefined ? { cpusPerTask: wholeNumber(fields.cpusPerTask, cpus, 1, 4096, 'a CPU count') } : {}),
    ...(mem !== undefined ? { mem: memory(fields.mem, mem) } : {}),
    ...(constraint !== undefined ? { constraint: featureExpression(fields.constraint, constraint) } : {}),
    setup: setupLines(fields.setup, input.setup ?? []),
    ...(image !== undefined ? { containerImage: validateImageRef(fields.containerImage, image) } : {}),
    sbatchArgs: (input.sbatchArgs ?? []).map((arg) => sbatchArg(fields.sbatchArgs, arg, fields)),
  };
}

/** The fields that were set at all: for "only for slurm:// targets" errors on a Docker target. */
export function setSlurmFields(input: SlurmOptionsInput, fields: SlurmFieldNames): string[] {
  return (Object.keys(fields) as (keyof SlurmOptionsInput)[]).filter((key) => {
    const value = input[key];
    return Array.isArray(value) ? value.length > 0 : typeof value === 'string' && value.trim() !== '';
  }).map((key) => fields[key]);
}

function parseTime(field: string, value: string): number {
  const seconds = parseSlurmDuration(value);
  if (seconds === undefined || seconds === 0) throw usageError(`${field}: "${value}" is not a Slurm time limit; use ${SLURM_TIME_FORMS}, or UNLIMITED`);
  return seconds;
}

function partitionList(field: string, value: string): string {
  const names = value.split(',');
  if (names.some((name) => !SLURM_NAME.test(name))) {
    throw usageError(`${field}: "${value}" is not a partition name; use letters, digits, '_', '.', '-' (several separated by commas), e.g. gpu`);
  }
  return value;
}

function slurmName(field: string, value: string, what: string): string {
  if (!SLURM_NAME.test(value)) throw usageError(`${field}: "${value}" is not ${what}; use letters, digits, '_', '.', '-'`);
  return value;
}

function wholeNumber(field: string, value: string, min: number, max: number, what: string): number {
  const n = /^\d{1,7}$/.test(value) ? Number(value) : NaN;
  if (!(n >= min && n <= max)) throw usageError(`${field}: "${value}" is not ${what}; use a whole number from ${min} to ${max}`);
  return n;
}

/** `N` or `TYPE:N` (`--gres=gpu:TYPE:N`). */
function gpusPerNode(field: string, value: string): { count: number; type?: string } {
  const match = /^(?:([A-Za-z0-9_.-]{1,64}):)?(\d{1,3})$/.exec(value);
  if (!match) throw usageError(`${field}: "${value}" is not a GPU count; use a whole number from 0 to 999, or TYPE:N for a GPU type (e.g. 2 or a100:2)`);
  const count = Number(match[2]);
  return { count, ...(match[1] !== undefined ? { type: match[1] } : {}) };
}

/** Slurm's --mem: a whole number, megabytes unless suffixed K, M, G or T (0: all of the node's). */
function memory(field: string, value: string): string {
  if (!/^\d{1,9}[KMGT]?$/i.test(value)) throw usageError(`${field}: "${value}" is not a Slurm memory size; use a whole number with an optional unit K, M, G or T (megabytes without one), e.g. 32G`);
  return value.toUpperCase();
}

/** Node features combined with & | , [ ] ( ) * and counts, as --constraint takes them; no spaces or quotes. */
function featureExpression(field: string, value: string): string {
  if (!/^[A-Za-z0-9_.&|,:*()[\]-]{1,256}$/.test(value)) {
    throw usageError(`${field}: "${value}" is not a constraint; use node features joined by & (and), | (or), e.g. a100|h100`);
  }
  return value;
}

function setupLines(field: string, lines: readonly string[]): string[] {
  const all = lines.flatMap((line) => line.split(/\r?\n/)).map((line) => line.trim()).filter((line) => line !== '');
  if (all.some((line) => line.includes('\0'))) throw usageError(`${field}: contains a NUL byte; give shell lines such as "module load cuda/12.4"`);
  if (all.join('\n').length > 16_384) throw usageError(`${field}: longer than 16 KiB; put the lines in a script on the cluster and give "source ~/that-script.sh"`);
  return all;
}

/** One `--option[=value]` (or `-x[value]`) that gpu-env does not manage itself. */
function sbatchArg(field: string, arg: string, fields: SlurmFieldNames): string {
  const text = arg.trim();
  const match = /^--([a-z][a-z0-9-]*)(?:=(.*))?$/.exec(text) ?? /^-([A-Za-z])(.*)$/.exec(text);
  if (!match || /[\0\r\n]/.test(text)) {
    throw usageError(`${field}: "${arg}" is not an sbatch option; give one option per ${field}, as --option=value (e.g. --mail-type=END)`);
  }
  const own = OWN_FIELD_SBATCH_OPTIONS[match[1]!];
  const why = own !== undefined ? `use ${fields[own]}` : MANAGED_SBATCH_OPTIONS[match[1]!];
  if (why !== undefined) throw usageError(`${field}: "${arg}" is set by gpu-env: ${why}`);
  return text;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value !== undefined && value.trim() !== '' ? value.trim() : undefined;
}
