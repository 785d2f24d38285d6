import { GpuEnvError } from '../errors';
import { hasControlChars } from '../../shared/control-chars';
import { SLURM_TIME_FORMS, parseSlurmDuration } from '../slurm/slurm-time';

/**
 * Options of a "Train CNN" run, validated from whatever the UI or CLI hands over. Every problem is
 * reported (not just the first) with the option's name and the accepted form, because the caller
 * shows them next to a form or a command line.
 */

export const TEMPLATES = ['cnn', 'resnet'] as const;
export type TemplateName = (typeof TEMPLATES)[number];
export const DATASETS = ['mnist', 'fashion-mnist', 'cifar10', 'imagefolder'] as const;
export type DatasetName = (typeof DATASETS)[number];

export interface TrainOptions {
  readonly template: TemplateName;
  readonly dataset: DatasetName;
  /** Absolute path inside the environment; undefined: the template's default for the dataset. */
  readonly dataDir: string | undefined;
  readonly epochs: number;
  /** Undefined: the template picks for the machine (512 on CUDA, 128 on a CPU). */
  readonly batchSize: number | undefined;
  /** Peak learning rate; undefined: scaled from the batch size by the template. */
  readonly lr: number | undefined;
  readonly seed: number;
  /** Stop at the first evaluation whose accuracy reaches it (0 < x <= 1); undefined: train every epoch. */
  readonly targetAccuracy: number | undefined;
  /** Processes (ranks) per machine; undefined: one per GPU the environment sees, 1 without GPUs. */
  readonly nprocPerNode: number | undefined;
  /**
   * Machines; more than 1 needs a cluster target, where giving it at all makes the run a batch job
   * of its own (with a warning before its time limit and requeues). Undefined: 1, in the environment.
   */
  readonly nodes: number | undefined;
  /** Train on the first N training images only (quick tries); undefined: all. */
  readonly subset?: number | undefined;
  /** The cluster job's time limit in Slurm's form (`90`, `4:00:00`); undefined: the environment's. */
  readonly time?: string | undefined;
  /** Resume automatically when the environment restarts. */
  readonly autoResume: boolean;
}

export const DEFAULT_TRAIN_OPTIONS: Pick<TrainOptions, 'template' | 'dataset' | 'epochs' | 'seed' | 'autoResume'> = {
  template: 'cnn',
  dataset: 'fashion-mnist',
  epochs: 5,
  seed: 0,
  autoResume: true,
};

export interface OptionProblem {
  readonly option: keyof TrainOptions | string;
  readonly message: string;
}

export type Validated = { readonly ok: true; readonly options: TrainOptions } | { readonly ok: false; readonly problems: readonly OptionProblem[] };

export const LIMITS = {
  epochs: { min: 1, max: 10_000 },
  batchSize: { min: 1, max: 65_536 },
  seed: { min: 0, max: 4_294_967_295 },
  nprocPerNode: { min: 1, max: 1024 },
  nodes: { min: 1, max: 1024 },
  subset: { min: 1, max: 100_000_000 },
  lrMax: 10,
  dataDirChars: 4096,
} as const;

const KNOWN = new Set<string>(['template', 'dataset', 'dataDir', 'epochs', 'batchSize', 'lr', 'seed', 'targetAccuracy', 'nprocPerNode', 'nodes', 'subset', 'time', 'autoResume']);

/** Validates `input` (an object from a form, settings or CLI flags; numbers may be numeric strings). */
export function validateTrainOptions(input: unknown): Validated {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { ok: false, problems: [{ option: 'options', message: 'train options must be an object' }] };
  }
  const raw = input as Record<string, unknown>;
  const problems: OptionProblem[] = [];
  const report = (option: string, message: string): undefined => {
    problems.push({ option, message });
    return undefined;
  };
  for (const key of Object.keys(raw)) {
    if (!KNOWN.has(key)) report(key, `unknown option "${key}"; accepted: ${[...KNOWN].join(', ')}`);
  }
  const template = oneOf(raw.template, TEMPLATES, DEFAULT_TRAIN_OPTIONS.template) ?? report('template', `template must be one of ${TEMPLATES.join(', ')} (got ${show(raw.template)})`);
  const dataset = oneOf(raw.dataset, DATASETS, DEFAULT_TRAIN_OPTIONS.dataset) ?? report('dataset', `dataset must be one of ${DATASETS.join(', ')} (got ${show(raw.dataset)})`);
  const dataDir = checkDataDir(raw.dataDir, dataset, report);
  const epochs = integerIn(raw.epochs, LIMITS.epochs, DEFAULT_TRAIN_OPTIONS.epochs) ?? report('epochs', `epochs must be a whole number from ${LIMITS.epochs.min} to ${LIMITS.epochs.max} (got ${show(raw.epochs)})`);
  const batchSize = raw.batchSize === undefined ? undefined : integerIn(raw.batchSize, LIMITS.batchSize, undefined) ?? report('batchSize', `batchSize must be a whole number from ${LIMITS.batchSize.min} to ${LIMITS.batchSize.max} (got ${show(raw.batchSize)})`);
  const lr = raw.lr === undefined ? undefined : learningRate(raw.lr) ?? report('lr', `lr must be a number greater than 0 and at most ${LIMITS.lrMax}, e.g. 0.001 or 3e-4 (got ${show(raw.lr)})`);
  const seed = integerIn(raw.seed, LIMITS.seed, DEFAULT_TRAIN_OPTIONS.seed) ?? report('seed', `seed must be a whole number from 0 to ${LIMITS.seed.max} (got ${show(raw.seed)})`);
  const targetAccuracy = raw.targetAccuracy === undefined ? undefined : accuracy(raw.targetAccuracy) ?? report('targetAccuracy', `targetAccuracy must be a number above 0 and at most 1, e.g. 0.88 for 88 % (got ${show(raw.targetAccuracy)})`);
  const nprocPerNode = raw.nprocPerNode === undefined ? undefined : integerIn(raw.nprocPerNode, LIMITS.nprocPerNode, undefined) ?? report('nprocPerNode', `nprocPerNode must be a whole number from ${LIMITS.nprocPerNode.min} to ${LIMITS.nprocPerNode.max}: the processes per machine, default one per GPU (got ${show(raw.nprocPerNode)})`);
  const nodes = raw.nodes === undefined ? undefined : integerIn(raw.nodes, LIMITS.nodes, undefined) ?? report('nodes', `nodes must be a whole number from ${LIMITS.nodes.min} to ${LIMITS.nodes.max} (got ${show(raw.nodes)})`);
  const subset = raw.subset === undefined ? undefined : integerIn(raw.subset, LIMITS.subset, undefined) ?? report('subset', `subset must be a whole number from ${LIMITS.subset.min} to ${LIMITS.subset.max}: the training images to use (got ${show(raw.subset)})`);
  const time = raw.time === undefined ? undefined : slurmTime(raw.time) ?? report('time', `time must be a Slurm time limit: ${SLURM_TIME_FORMS} (got ${show(raw.time)})`);
  const autoResume = bool(raw.autoResume, DEFAULT_TRAIN_OPTIONS.autoResume) ?? report('autoResume', `autoResume must be true or false (got ${show(raw.autoResume)})`);
  if (problems.length > 0 || template === undefined || dataset === undefined || epochs === undefined || seed === undefined || autoResume === undefined) {
    return { ok: false, problems };
  }
  return { ok: true, options: { template, dataset, dataDir, epochs, batchSize, lr, seed, targetAccuracy, nprocPerNode, nodes, ...(subset !== undefined ? { subset } : {}), ...(time !== undefined ? { time } : {}), autoResume } };
}

/** Like validateTrainOptions, but throws a TrainOptionsError listing every problem. */
export function parseTrainOptions(input: unknown): TrainOptions {
  const result = validateTrainOptions(input);
  if (!result.ok) throw new TrainOptionsError(result.problems);
  return result.options;
}

/** A usage error (CLI exit 2): nothing was started. */
export class TrainOptionsError extends GpuEnvError {
  constructor(readonly problems: readonly OptionProblem[]) {
    super(`invalid train options: ${problems.map((p) => p.message).join('; ')}`, 'usage');
    this.name = 'TrainOptionsError';
  }
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[], fallback: T): T | undefined {
  if (value === undefined) return fallback;
  return typeof value === 'string' && (allowed as readonly string[]).includes(value) ? (value as T) : undefined;
}

/** Numbers, or strings that are plain decimal numbers ("5", "1e-3"); never "", " 5", "0x10" or "5abc". */
function numeric(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value !== 'string' || !/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(value)) return undefined;
  return Number(value);
}

function integerIn(value: unknown, range: { readonly min: number; readonly max: number }, fallback: number | undefined): number | undefined {
  if (value === undefined) return fallback;
  const n = numeric(value);
  return n !== undefined && Number.isInteger(n) && n >= range.min && n <= range.max ? n : undefined;
}

function learningRate(value: unknown): number | undefined {
  const n = numeric(value);
  return n !== undefined && n > 0 && n <= LIMITS.lrMax ? n : undefined;
}

/** A finite Slurm time limit as typed (trimmed); UNLIMITED is the partition's business, not a run's. */
function slurmTime(value: unknown): string | undefined {
  if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  const text = String(value).trim();
  const seconds = parseSlurmDuration(text);
  return seconds !== undefined && seconds > 0 && Number.isFinite(seconds) ? text : undefined;
}

function accuracy(value: unknown): number | undefined {
  const n = numeric(value);
  return n !== undefined && n > 0 && n <= 1 ? n : undefined;
}

function bool(value: unknown, fallback: boolean): boolean | undefined {
  if (value === undefined) return fallback;
  if (typeof value === 'boolean') return value;
  if (value === 'true') return true;
  if (value === 'false') return false;
  return undefined;
}

function checkDataDir(value: unknown, dataset: DatasetName | undefined, report: (option: string, message: string) => undefined): string | undefined {
  if (value === undefined || value === '') {
    if (dataset === 'imagefolder') report('dataDir', 'dataDir is required for the imagefolder dataset (a folder of class folders inside the environment, e.g. /workspace/data/pets)');
    return undefined;
  }
  const accepted = 'an absolute path inside the environment, e.g. /workspace/data/fashion-mnist';
  if (typeof value !== 'string') return report('dataDir', `dataDir must be ${accepted} (got ${show(value)})`);
  // Control characters would corrupt run.json readers and log lines; the path is quoted for the shell anyway.
  if (!value.startsWith('/') || value.length > LIMITS.dataDirChars || hasControlChars(value)) {
    return report('dataDir', `dataDir must be ${accepted}, without control characters, at most ${LIMITS.dataDirChars} characters (got ${show(value)})`);
  }
  return value;
}

function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') return JSON.stringify(value.length > 80 ? `${value.slice(0, 77)}...` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  return Array.isArray(value) ? 'a list' : `a ${typeof value}`;
}

/** Where a run is placed: what the environment is, and the GPUs it sees. */
export interface Placement {
  /** 'machine': one container on one machine (Docker, local or remote); 'cluster': a Slurm target. */
  readonly target: 'machine' | 'cluster';
  readonly gpus: number;
}

/**
 * The processes per machine for `options` on `placement`, or the problems (usage errors: nothing is
 * started). Default: one per GPU, 1 without GPUs. A time limit needs a cluster job (nodes given on a
 * cluster). More processes than GPUs is refused (each rank owns
 * one); on CPUs any number runs (gloo), sharing the cores.
 */
export function processesPerNode(options: TrainOptions, placement: Placement): { readonly ok: true; readonly nprocPerNode: number } | { readonly ok: false; readonly problems: readonly OptionProblem[] } {
  const problems: OptionProblem[] = [];
  if ((options.nodes ?? 1) > 1 && placement.target === 'machine') {
    problems.push({ option: 'nodes', message: `nodes ${options.nodes}: training on several machines needs a cluster target (Slurm); this environment is one container on one machine (it can run one process per GPU)` });
  }
  if (options.time !== undefined && (placement.target !== 'cluster' || options.nodes === undefined)) {
    const why = placement.target === 'cluster' ? 'give nodes too: a time limit is for a run that is a batch job of its own' : 'this environment is not on a cluster';
    problems.push({ option: 'time', message: `time ${options.time}: a time limit is for a cluster job; ${why}` });
  }
  const wanted = options.nprocPerNode ?? Math.max(1, placement.gpus);
  if (placement.gpus > 0 && wanted > placement.gpus) {
    problems.push({ option: 'nprocPerNode', message: `nprocPerNode ${wanted} is more than the ${placement.gpus} GPU${placement.gpus === 1 ? '' : 's'} this environment sees (one process per GPU; at most ${placement.gpus})` });
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, nprocPerNode: wanted };
}
