import { TRAIN_SCRIPT } from '../../core/runs/paths';
import { validateTrainOptions } from '../../core/runs/train-options';
import { commandArg } from './run-summary';
import type { TrainChoices } from './train-choices';

const TEMPLATE_FOR_MODEL: Readonly<Record<string, string>> = { simplecnn: 'cnn', resnet: 'resnet' };

/**
 * The options a template run was started with, read back from its command (run.json), so it can
 * be started again with one of them changed. Undefined for anything but the shipped template.
 */
export function choicesFromCommand(command: readonly string[]): (TrainChoices & { readonly seed?: number }) | undefined {
  if (!command.some((arg) => arg.endsWith(`/${TRAIN_SCRIPT}`))) return undefined;
  const model = commandArg(command, '--model');
  const input: Record<string, string> = {};
  const set = (key: string, value: string | undefined): void => {
    if (value !== undefined) input[key] = value;
  };
  set('template', model === undefined ? undefined : (TEMPLATE_FOR_MODEL[model] ?? model));
  set('dataset', commandArg(command, '--dataset'));
  set('dataDir', commandArg(command, '--data-dir'));
  set('epochs', commandArg(command, '--epochs'));
  set('batchSize', commandArg(command, '--batch-size'));
  set('lr', commandArg(command, '--lr'));
  set('seed', commandArg(command, '--seed'));
  set('targetAccuracy', commandArg(command, '--target-accuracy'));
  const checked = validateTrainOptions(input);
  if (!checked.ok) return undefined;
  const o = checked.options;
  return {
    template: o.template,
    dataset: o.dataset,
    epochs: o.epochs,
    seed: o.seed,
    ...(o.dataDir !== undefined ? { dataDir: o.dataDir } : {}),
    ...(o.batchSize !== undefined ? { batchSize: o.batchSize } : {}),
    ...(o.lr !== undefined ? { lr: o.lr } : {}),
    ...(o.targetAccuracy !== undefined ? { targetAccuracy: o.targetAccuracy } : {}),
  };
}

/** The template's CUDA default, which is what ran out of memory when no batch size was given. */
export const TEMPLATE_CUDA_BATCH = 512;

export function halfBatch(choices: TrainChoices): number {
  return Math.max(1, Math.floor((choices.batchSize ?? TEMPLATE_CUDA_BATCH) / 2));
}
