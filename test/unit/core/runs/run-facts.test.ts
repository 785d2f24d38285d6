import { describe, expect, it } from 'vitest';
import { parseRunList } from '../../../../src/core/runs/run-listing';
import { commandArg, latestAccuracy, runFacts, toRunInfo, trainOptionsFromCommand } from '../../../../src/core/runs/run-facts';
import { MODEL_FOR_TEMPLATE, TEMPLATE_FOR_MODEL } from '../../../../src/core/runs/train-command';
import { TEMPLATES } from '../../../../src/core/runs/train-options';
import { listing, TEMPLATE_COMMAND } from '../../../support/runs-fakes';
import { RUNNING } from '../../../support/runner-listings';

describe('toRunInfo', () => {
  it('maps a live run for the dashboard', () => {
    expect(toRunInfo(parseRunList(JSON.stringify(RUNNING)).runs[0]!)).toEqual({
      id: '20261124-183012-ab12',
      label: 'cnn · fashion-mnist · 5 epochs',
      state: 'running',
      startTime: 1795545000.5,
      env: 'dev',
    });
  });

  it("a 'running' status whose processes are gone is unknown, not running", () => {
    const gone = { ...RUNNING, status: { ...RUNNING.status, alive: false } };
    expect(toRunInfo(parseRunList(JSON.stringify(gone)).runs[0]!).state).toBe('unknown');
  });

  it('falls back to the id and the status time', () => {
    const bare = { id: 'x', status: { state: 'failed', startedAt: 7, alive: false } };
    expect(toRunInfo(parseRunList(JSON.stringify(bare)).runs[0]!)).toEqual({ id: 'x', label: 'x', state: 'failed', startTime: 7, env: null });
  });
});

describe('run facts', () => {
  it('have no total epochs for a command without --epochs', () => {
    expect(runFacts(listing('20260101-100000-aaaa', { command: ['python3', 'mine.py'] })).totalEpochs).toBeUndefined();
  });
});

describe('the facts both the CLI and the extension show', () => {
  const ID = '20260101-100000-aaaa';

  it('take the best accuracy there is: test, else evaluation, else training; never a non-finite one', () => {
    const base = listing(ID, { state: 'succeeded', epoch: 5, loss: 0.2, trainAccuracy: 0.95 });
    expect(runFacts(base).accuracy).toBe(0.95);
    expect(runFacts(listing(ID, { state: 'succeeded', trainAccuracy: 0.95, testAccuracy: 0.9 })).accuracy).toBe(0.9);
    const evaluated = { ...base, metrics: { ...base.metrics!, eval: { split: 'test', step: 1, epoch: 1, loss: 0.3, accuracy: 0.91, time: 1 } } };
    expect(latestAccuracy(evaluated)).toBe(0.91);
    const diverged = { ...base, metrics: { ...base.metrics!, train: { ...base.metrics!.train!, accuracy: Number.NaN } } };
    expect(latestAccuracy(diverged)).toBeUndefined();
  });

  it('say when it started and ended; an active run has not ended', () => {
    expect(runFacts(listing(ID, { state: 'running', startedAt: 1000 }))).toMatchObject({ state: 'running', active: true, startedAt: 1000, endedAt: undefined });
    expect(runFacts(listing(ID, { state: 'failed', startedAt: 1000, endedAt: 1151 }))).toMatchObject({ state: 'failed', active: false, endedAt: 1151 });
    expect(runFacts(listing(ID, { state: 'running', alive: false }))).toMatchObject({ state: 'unknown', active: false });
  });

  it('read progress, label, data and the template options from the command', () => {
    const run = listing(ID, { epoch: 1.4, loss: 0.41, command: [...TEMPLATE_COMMAND, '--data-dir', '/workspace/data'] });
    expect(runFacts(run)).toMatchObject({ label: 'cnn · fashion-mnist · 5 epochs', epoch: 1.4, totalEpochs: 5, loss: 0.41, dataset: 'fashion-mnist', dataDir: '/workspace/data' });
    expect(runFacts(run).trainOptions).toMatchObject({ template: 'cnn', dataset: 'fashion-mnist', dataDir: '/workspace/data', epochs: 5, seed: 0 });
    expect(commandArg(['python3', 'x.py', '--epochs'], '--epochs')).toBeUndefined();
  });

  it('map every template to its --model and back', () => {
    for (const template of TEMPLATES) expect(TEMPLATE_FOR_MODEL.get(MODEL_FOR_TEMPLATE[template])).toBe(template);
    expect(trainOptionsFromCommand(['python3', '/w/gpu-env-templates/train_cnn.py', '--model', 'resnet'])?.template).toBe('resnet');
  });
});
