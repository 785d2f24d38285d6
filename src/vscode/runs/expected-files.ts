import type { RecognisedFailure } from '../../core/runs/failure';
import type { Translate } from '../l10n';
import { escapeMarkdown } from '../views/environment-node';

/** Where train_cnn.py looks when no --data-dir is given (templates/cnn_data.py). */
export const DEFAULT_DATA_DIRS: Readonly<Record<string, string>> = {
  mnist: '/usr/share/datasets/mnist',
  'fashion-mnist': '/usr/share/datasets/fashion-mnist',
  cifar10: '/usr/share/datasets/cifar10',
};

const IDX = ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'];
const CIFAR = ['data_batch_1', 'data_batch_2', 'data_batch_3', 'data_batch_4', 'data_batch_5', 'test_batch'];

/** The files each dataset needs, as a markdown list under its folder. */
function expectedList(dataset: string | undefined, folder: string, t: Translate): string[] {
  const dir = escapeMarkdown(folder);
  switch (dataset) {
    case 'mnist':
    case 'fashion-mnist':
      return IDX.map((name) => `- ${dir}/${name}${escapeMarkdown('(.gz)')}`);
    case 'cifar10':
      return [...CIFAR.map((name) => `- ${dir}/${name}`), '', t('(or the same files in {0})', `${dir}/cifar-10-batches-py/`)];
    default:
      return [`- ${dir}/train/${escapeMarkdown('<class>')}/…`, `- ${dir}/test/${escapeMarkdown('<class>')}/…`, '', t('(or one folder of class folders, split 90/10)')];
  }
}

/** "Show expected files": what was missing, and what the template reads from where. */
export function expectedFilesMarkdown(dataset: string | undefined, dataDir: string | undefined, failure: RecognisedFailure, t: Translate): string {
  const folder = dataDir ?? (dataset !== undefined ? DEFAULT_DATA_DIRS[dataset] : undefined) ?? '/workspace/data';
  return [
    `# ${t('Expected dataset files')}`,
    '',
    `**${escapeMarkdown(failure.title)}**: ${escapeMarkdown(failure.advice)}`,
    '',
    '```',
    failure.evidence.replace(/`/g, "'"),
    '```',
    '',
    t('The training template reads {0} from these files:', escapeMarkdown(dataset ?? 'imagefolder')),
    '',
    ...expectedList(dataset, folder, t),
    '',
    t('Put them there (the folder is inside the environment; /workspace is your workspace folder), or start the run with a data folder that has them.'),
  ].join('\n');
}
