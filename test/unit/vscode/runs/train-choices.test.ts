import { describe, expect, it } from 'vitest';
import { localApi } from '../../../../src/core/local-api';
import { CHOICES_KEY, defaultChoices, readChoices } from '../../../../src/vscode/runs/train-choices';
import { MemoryStore } from '../../../support/extension-fakes';

const DEFAULT_CHOICES = defaultChoices(localApi);

describe('Train CNN inputs', () => {
  it('remembered choices are validated like input; anything odd falls back to the defaults', () => {
    const store = new MemoryStore();
    expect(readChoices(store, localApi)).toEqual(DEFAULT_CHOICES);
    void store.update(CHOICES_KEY, { template: 'resnet', dataset: 'cifar10', epochs: 3, batchSize: 64, extra: 'ignored' });
    expect(readChoices(store, localApi)).toEqual({ template: 'resnet', dataset: 'cifar10', epochs: 3, batchSize: 64 });
    void store.update(CHOICES_KEY, { template: 'resnet', epochs: -1 });
    expect(readChoices(store, localApi)).toEqual(DEFAULT_CHOICES);
    void store.update(CHOICES_KEY, 'garbage');
    expect(readChoices(store, localApi)).toEqual(DEFAULT_CHOICES);
  });
});
