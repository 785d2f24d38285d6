import { describe, expect, it } from 'vitest';
import { localApi } from '../../../../src/core/local-api';
import { formatOnly } from '../../../support/format-only';
import { askTrainTarget } from '../../../../src/vscode/runs/train-wizard';
import { CHOICES_KEY } from '../../../../src/vscode/runs/train-choices';
import { FakeUi } from '../../../support/extension-fakes';

/** The wizard with the first template and the default dataset picked, `answers` typed in order. */
function wizard(answers: Array<string | undefined>): FakeUi {
  const ui = new FakeUi();
  ui.pickWith = (items) => items[0]!.value;
  ui.answers = answers;
  return ui;
}

describe('the Train CNN questions', () => {
  it('ask for the nodes where the environment is on a cluster, checked by the core\'s validator', async () => {
    const ui = wizard(['2', '', '', '', '1', '2']);
    const target = await askTrainTarget({ ui, t: formatOnly, core: async () => localApi }, { cluster: true });
    expect(ui.questions.map((q) => q.prompt).at(-1)).toBe('Nodes (a batch job of its own)');
    expect(ui.questions.at(-1)!.validate!('0')).toMatch(/^nodes must be a whole number from 1 to 1024/);
    expect(ui.questions.at(-1)!.validate!('')).toBeUndefined();
    expect(target).toMatchObject({ kind: 'template', choices: { epochs: 2, nprocPerNode: 1, nodes: 2 } });
    expect(ui.workspaceState.get(CHOICES_KEY)).toMatchObject({ nodes: 2 });
  });

  it('never ask for nodes elsewhere, nor carry remembered ones to a machine that cannot use them', async () => {
    const ui = wizard(['2', '', '', '', '']);
    await ui.workspaceState.update(CHOICES_KEY, { template: 'cnn', dataset: 'fashion-mnist', epochs: 3, nodes: 2 });
    const target = await askTrainTarget({ ui, t: formatOnly, core: async () => localApi });
    expect(ui.questions.map((q) => q.prompt)).not.toContain('Nodes (a batch job of its own)');
    expect(target).toMatchObject({ kind: 'template' });
    expect(target?.kind === 'template' && target.choices).not.toHaveProperty('nodes');
  });
});
