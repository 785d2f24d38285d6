import { describe, expect, it } from 'vitest';
import { formatOnly } from '../../../support/format-only';
import { formatDuration, formatLoss, runDescription } from '../../../../src/vscode/runs/run-summary';
import { listing } from '../../../support/runs-fakes';

describe('run rows', () => {
  const now = 1000 + 192;

  it('describe progress, loss, accuracy and time: "epoch 1.4/5 · loss 0.41 · acc 87.1% · 3m12s"', () => {
    const run = listing('20260101-100000-aaaa', { state: 'running', epoch: 1.4, loss: 0.4123, trainAccuracy: 0.8712, startedAt: 1000 });
    expect(runDescription(run, formatOnly, now)).toBe('epoch 1.4/5 · loss 0.41 · acc 87.1% · 3m12s');
  });

  it('say the state when not running, and the final test accuracy once there is one', () => {
    const done = listing('20260101-100000-aaaa', { state: 'succeeded', epoch: 5, loss: 0.2, trainAccuracy: 0.95, testAccuracy: 0.901, startedAt: 1000, endedAt: 1151 });
    expect(runDescription(done, formatOnly, 99_999)).toBe('succeeded · epoch 5.0/5 · loss 0.20 · acc 90.1% · 2m31s');
    const vanished = listing('20260101-100000-aaaa', { state: 'running', alive: false });
    expect(runDescription(vanished, formatOnly, now)).toMatch(/^not running · /);
  });

  it('format numbers for a narrow row', () => {
    expect([formatDuration(45), formatDuration(192), formatDuration(7500)]).toEqual(['45s', '3m12s', '2h05m']);
    expect([formatLoss(0.4123), formatLoss(0.00123), formatLoss(Number.NaN)]).toEqual(['0.41', '0.0012', 'NaN']);
  });
});
