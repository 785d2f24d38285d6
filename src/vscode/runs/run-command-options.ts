import type { TrainOptions } from '../../core/runs/train-options';
import { choicesOf, type TrainChoices } from './train-choices';

/**
 * The Train CNN choices of a template run, from the options the core read back from its command
 * (`facts.trainOptions`), so it can be started again with one of them changed.
 */
export function choicesFromOptions(options: TrainOptions | undefined): (TrainChoices & { readonly seed: number }) | undefined {
  return options === undefined ? undefined : { ...choicesOf(options), seed: options.seed };
}

/** The template's CUDA default, which is what ran out of memory when no batch size was given. */
export const TEMPLATE_CUDA_BATCH = 512;

export function halfBatch(choices: TrainChoices): number {
  return Math.max(1, Math.floor((choices.batchSize ?? TEMPLATE_CUDA_BATCH) / 2));
}
