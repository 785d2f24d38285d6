import type { LocalApi } from '../../core/local-api';
import type { DatasetName, TemplateName, TrainOptions } from '../../core/runs/train-options';
import type { KeyValueStore } from '../ui';

/** What the Train CNN questions ask, as the user last answered them (workspaceState). */
export interface TrainChoices {
  readonly template: TemplateName;
  readonly dataset: DatasetName;
  readonly dataDir?: string;
  readonly epochs: number;
  /** Undefined: the template's own choice. */
  readonly batchSize?: number;
  readonly lr?: number;
  /** Undefined: train every epoch. */
  readonly targetAccuracy?: number;
  /** Undefined: one process per GPU (1 without GPUs). */
  readonly nprocPerNode?: number;
  /** Cluster environments only; undefined: the run goes in the environment's own job. */
  readonly nodes?: number;
}

export const CHOICES_KEY = 'gpuEnv.train.lastChoices';

/** What the questions offer before any answer: the core's DEFAULT_TRAIN_OPTIONS. */
export function defaultChoices(core: Pick<LocalApi, 'DEFAULT_TRAIN_OPTIONS'>): TrainChoices {
  const { template, dataset, epochs } = core.DEFAULT_TRAIN_OPTIONS;
  return { template, dataset, epochs };
}

/** The remembered choices, checked like any input (the store may hold an older or edited shape). */
export function readChoices(store: KeyValueStore, core: Pick<LocalApi, 'DEFAULT_TRAIN_OPTIONS' | 'validateTrainOptions'>): TrainChoices {
  const raw = store.get(CHOICES_KEY);
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return defaultChoices(core);
  const { template, dataset, dataDir, epochs, batchSize, lr, targetAccuracy, nprocPerNode, nodes } = raw as Record<string, unknown>;
  const picked = { template, dataset, dataDir, epochs, batchSize, lr, targetAccuracy, nprocPerNode, nodes };
  const present = Object.fromEntries(Object.entries(picked).filter(([, value]) => value !== undefined));
  const checked = core.validateTrainOptions(present);
  return checked.ok ? choicesOf(checked.options) : defaultChoices(core);
}

/** The choices a set of validated train options answers. */
export function choicesOf(options: TrainOptions): TrainChoices {
  return {
    template: options.template,
    dataset: options.dataset,
    epochs: options.epochs,
    ...(options.dataDir !== undefined ? { dataDir: options.dataDir } : {}),
    ...(options.batchSize !== undefined ? { batchSize: options.batchSize } : {}),
    ...(options.lr !== undefined ? { lr: options.lr } : {}),
    ...(options.targetAccuracy !== undefined ? { targetAccuracy: options.targetAccuracy } : {}),
    ...(options.nprocPerNode !== undefined ? { nprocPerNode: options.nprocPerNode } : {}),
    ...(options.nodes !== undefined ? { nodes: options.nodes } : {}),
  };
}

export function saveChoices(store: KeyValueStore, choices: TrainChoices): Promise<void> {
  return store.update(CHOICES_KEY, { ...choices });
}
