/**
 * The Train CNN questions: what to train (a template, or the Python file in the editor), then for
 * a template the dataset, its folder for imagefolder, epochs, batch size, learning rate, a target
 * accuracy to stop at, the processes per machine and, where the environment is on a cluster, the
 * nodes (a batch job of its own). Each
 * answer is checked by the core's own validator as it is typed; the answers are remembered per
 * workspace and offered first next time.
 */
import { basename } from 'node:path';
import type { LocalApi } from '../../core/local-api';
import type { DatasetName, TemplateName } from '../../core/runs/train-options';
import type { PickItem } from '../ui';
import type { Translate } from '../l10n';
import type { Services } from '../services';
import { readChoices, saveChoices, type TrainChoices } from './train-choices';

export type TrainTarget =
  | { readonly kind: 'template'; readonly choices: TrainChoices }
  | { readonly kind: 'script'; readonly localPath: string };

type WhatToTrain = { readonly kind: 'template'; readonly template: TemplateName } | { readonly kind: 'script'; readonly localPath: string };

/** The questions' context: the UI, and the core's validators and defaults (loaded before the first question). */
type WizardServices = Pick<Services, 'ui' | 't'> & { readonly core: Pick<LocalApi, 'DATASETS' | 'DEFAULT_TRAIN_OPTIONS' | 'validateTrainOptions'> };

/** Where the run goes: on a cluster, the nodes question is asked (nowhere else can a run span machines). */
export interface WizardPlace {
  readonly cluster: boolean;
}

/** Undefined when the user backed out at any question. */
export async function askTrainTarget(from: Pick<Services, 'ui' | 't'> & { readonly core: () => Promise<WizardServices['core']> }, place: WizardPlace = { cluster: false }): Promise<TrainTarget | undefined> {
  const services: WizardServices = { ui: from.ui, t: from.t, core: await from.core() };
  const last = readChoices(services.ui.workspaceState, services.core);
  const what = await services.ui.pick(whatItems(services, last), services.t('What to train'));
  if (!what) return undefined;
  if (what.kind === 'script') return what;
  const choices = await askTemplateChoices(services, what.template, last, place);
  if (!choices) return undefined;
  await saveChoices(services.ui.workspaceState, choices);
  return { kind: 'template', choices };
}

export function whatItems(services: Pick<Services, 'ui' | 't'>, last: TrainChoices): PickItem<WhatToTrain>[] {
  const { t } = services;
  const templates: PickItem<WhatToTrain>[] = [
    { label: t('SimpleCNN'), description: t('template: a small, fast CNN'), value: { kind: 'template', template: 'cnn' } },
    { label: t('Small ResNet'), description: t('template: a residual network, slower and more accurate'), value: { kind: 'template', template: 'resnet' } },
  ];
  templates.sort((a, b) => Number(isTemplate(b.value, last.template)) - Number(isTemplate(a.value, last.template)));
  const file = services.ui.activeFile();
  if (file && file.languageId === 'python') {
    templates.push({ label: t('Current file: {0}', basename(file.path)), description: t('runs it detached in the environment'), detail: file.path, value: { kind: 'script', localPath: file.path } });
  }
  return templates;
}

function isTemplate(value: WhatToTrain, template: TemplateName): boolean {
  return value.kind === 'template' && value.template === template;
}

async function askTemplateChoices(services: WizardServices, template: TemplateName, last: TrainChoices, place: WizardPlace): Promise<TrainChoices | undefined> {
  const dataset = await services.ui.pick(datasetItems(services.t, last.dataset, services.core.DATASETS), services.t('Dataset'));
  if (!dataset) return undefined;
  const dataDir = dataset === 'imagefolder' ? await askDataDir(services, last.dataDir) : undefined;
  if (dataset === 'imagefolder' && dataDir === undefined) return undefined;
  const epochs = await askNumber(services, 'epochs', String(last.epochs), services.t('Epochs (default {0})', services.core.DEFAULT_TRAIN_OPTIONS.epochs), undefined);
  if (epochs === undefined) return undefined;
  const batchSize = await askNumber(services, 'batchSize', last.batchSize === undefined ? '' : String(last.batchSize), services.t('Batch size'), services.t('empty: automatic (512 on a GPU, 128 on the CPU)'));
  if (batchSize === undefined) return undefined;
  const lr = await askNumber(services, 'lr', last.lr === undefined ? '' : String(last.lr), services.t('Learning rate'), services.t('empty: scaled from the batch size'));
  if (lr === undefined) return undefined;
  const targetAccuracy = await askNumber(services, 'targetAccuracy', last.targetAccuracy === undefined ? '' : String(last.targetAccuracy), services.t('Stop at test accuracy (e.g. 0.88)'), services.t('empty: train every epoch'));
  if (targetAccuracy === undefined) return undefined;
  const nprocPerNode = await askNumber(services, 'nprocPerNode', last.nprocPerNode === undefined ? '' : String(last.nprocPerNode), services.t('Processes (data-parallel ranks)'), services.t('empty: one per GPU (1 without GPUs)'));
  if (nprocPerNode === undefined) return undefined;
  const nodes = place.cluster
    ? await askNumber(services, 'nodes', last.nodes === undefined ? '' : String(last.nodes), services.t('Nodes (a batch job of its own)'), services.t('empty: in the environment\'s own job'))
    : '';
  if (nodes === undefined) return undefined;
  return {
    template,
    dataset,
    epochs: Number(epochs),
    ...(dataDir !== undefined ? { dataDir } : {}),
    ...(batchSize !== '' ? { batchSize: Number(batchSize) } : {}),
    ...(lr !== '' ? { lr: Number(lr) } : {}),
    ...(targetAccuracy !== '' ? { targetAccuracy: Number(targetAccuracy) } : {}),
    ...(nprocPerNode !== '' ? { nprocPerNode: Number(nprocPerNode) } : {}),
    ...(nodes !== '' ? { nodes: Number(nodes) } : {}),
  };
}

export function datasetItems(t: Translate, last: DatasetName, datasets: readonly DatasetName[]): PickItem<DatasetName>[] {
  const about: Record<DatasetName, string> = {
    mnist: t('handwritten digits, 28×28 grey, 10 classes'),
    'fashion-mnist': t('clothing, 28×28 grey, 10 classes'),
    cifar10: t('objects, 32×32 colour, 10 classes'),
    imagefolder: t('your own images: a folder of class folders'),
  };
  const items = datasets.map((dataset) => ({ label: dataset, description: about[dataset], value: dataset }));
  return items.sort((a, b) => Number(b.value === last) - Number(a.value === last));
}

async function askDataDir(services: WizardServices, last: string | undefined): Promise<string | undefined> {
  const { t } = services;
  const answer = await services.ui.askText({
    title: t('Train CNN'),
    prompt: t('Folder of class folders inside the environment'),
    value: last ?? '/workspace/data/',
    placeHolder: '/workspace/data/pets',
    validate: (text) => problemOf(services.core, { dataset: 'imagefolder', dataDir: text.trim() }, 'dataDir'),
  });
  return answer?.trim();
}

/** '' (meaning "automatic") where `emptyMeans` is given; the number as typed otherwise. */
async function askNumber(services: WizardServices, option: 'epochs' | 'batchSize' | 'lr' | 'targetAccuracy' | 'nprocPerNode' | 'nodes', value: string, prompt: string, emptyMeans: string | undefined): Promise<string | undefined> {
  const answer = await services.ui.askText({
    title: services.t('Train CNN'),
    prompt,
    value,
    ...(emptyMeans !== undefined ? { placeHolder: emptyMeans } : {}),
    validate: (text) => (text.trim() === '' && emptyMeans !== undefined ? undefined : problemOf(services.core, { [option]: text.trim() }, option)),
  });
  return answer?.trim();
}

/** The core validator's message for one option, or undefined when it is fine. */
export function problemOf(core: Pick<LocalApi, 'validateTrainOptions'>, input: Record<string, unknown>, option: string): string | undefined {
  const checked = core.validateTrainOptions(input);
  return checked.ok ? undefined : (checked.problems.find((p) => p.option === option)?.message ?? checked.problems[0]?.message);
}
