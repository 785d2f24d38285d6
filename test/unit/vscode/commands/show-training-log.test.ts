import { describe, expect, it } from 'vitest';
import { runCommand } from '../../../../src/vscode/commands/run-command';
import { showTrainingLogCommand } from '../../../../src/vscode/commands/show-training-log';
import type { ListedRun } from '../../../../src/core/runs/run-facts';
import { listing } from '../../../support/runs-fakes';
import { settle } from '../../../support/extension-fakes';
import { trainingServices } from '../../../support/training-services';

describe('Stop, Resume, Open Dashboard and Show Training Log', () => {
  const node = (l: ListedRun) => ({ kind: 'run' as const, environment: 'exp', listing: l });

  it('shows the log of a finished run and says how it ended', async () => {
    const { services, runs } = trainingServices();
    const done = listing('20260101-080000-cccc', { state: 'succeeded', testAccuracy: 0.9 });
    runs.runs = [done];
    runs.log = 'epoch 1/1 test loss 0.37 accuracy 0.87\ndone\n';
    await runCommand(services, showTrainingLogCommand, [node(done)]);
    await settle();
    expect(services.ui.trainingLog.text).toBe(
      'Training log of cnn · fashion-mnist · 5 epochs (20260101-080000-cccc) in exp\n\nepoch 1/1 test loss 0.37 accuracy 0.87\ndone\n\n— the run is succeeded.\n',
    );
    expect(services.ui.trainingLog.shown).toBe(1);
  });
});
