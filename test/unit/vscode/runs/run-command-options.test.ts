import { describe, expect, it } from 'vitest';
import { trainOptionsFromCommand } from '../../../../src/core/runs/run-facts';
import { choicesFromOptions, halfBatch } from '../../../../src/vscode/runs/run-command-options';
import { TEMPLATE_COMMAND } from '../../../support/runs-fakes';

/** The core reads the options back from run.json's command (facts.trainOptions); these are the wizard's choices from them. */
const choicesFromCommand = (command: readonly string[]) => choicesFromOptions(trainOptionsFromCommand(command));

describe('options of a run, read back from its command', () => {
  it('reads the template\'s flags and halves the batch (the CUDA default when none was given)', () => {
    const choices = choicesFromCommand(TEMPLATE_COMMAND)!;
    expect(choices).toEqual({ template: 'cnn', dataset: 'fashion-mnist', epochs: 5, seed: 0 });
    expect(halfBatch(choices)).toBe(256);
    expect(halfBatch({ ...choices, batchSize: 1 })).toBe(1);
    expect(choicesFromCommand(['python3', '/workspace/mine.py', '--epochs', '3'])).toBeUndefined();
    expect(choicesFromCommand([...TEMPLATE_COMMAND, '--target-accuracy', '0.88'])).toEqual({ ...choices, targetAccuracy: 0.88 });
    expect(choicesFromCommand(TEMPLATE_COMMAND.map((arg) => (arg === '5' ? 'lots' : arg)))).toBeUndefined();
  });
});
