/**
 * What a run row says, as plain text: progress, loss, accuracy and time from the run's facts (the
 * core derives them, src/core/runs/run-facts.ts). Pure, so the Runs view, the pickers and the
 * notifications share one wording.
 */
import type { ListedRun } from '../../core/runs/run-facts';
import type { RunState } from '../../shared/protocol/dashboard';
import type { Translate } from '../l10n';

/** "45s", "3m12s", "2h05m". */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

/** A fraction 0..1 (an accuracy) as a percentage: 0.8712 → "87.1%". */
export function fractionAsPercent(fraction: number): string {
  return `${(fraction * 100).toFixed(1)}%`;
}

export function formatLoss(loss: number): string {
  if (!Number.isFinite(loss)) return String(loss);
  return Math.abs(loss) >= 0.01 || loss === 0 ? loss.toFixed(2) : loss.toPrecision(2);
}

/** Seconds the run has taken so far (to its end when it ended), or undefined before it started. */
export function elapsedSeconds(run: ListedRun, nowSeconds: number): number | undefined {
  const { startedAt, endedAt } = run.facts;
  return startedAt === undefined ? undefined : Math.max(0, (endedAt ?? nowSeconds) - startedAt);
}

export function stateText(state: RunState, t: Translate): string {
  switch (state) {
    case 'starting': return t('starting');
    case 'running': return t('running');
    case 'succeeded': return t('succeeded');
    case 'failed': return t('failed');
    case 'stopped': return t('stopped');
    case 'unknown': return t('not running');
  }
}

/** "epoch 1.4/5 · loss 0.41 · acc 87.1% · 3m12s", prefixed with the state when it is not running. */
export function runDescription(run: ListedRun, t: Translate, nowSeconds: number): string {
  const { state, epoch, totalEpochs, loss, accuracy } = run.facts;
  const parts: string[] = [];
  if (state !== 'running') parts.push(stateText(state, t));
  if (epoch !== undefined) parts.push(t('epoch {0}', totalEpochs !== undefined ? `${epoch.toFixed(1)}/${totalEpochs}` : epoch.toFixed(1)));
  if (loss !== undefined) parts.push(t('loss {0}', formatLoss(loss)));
  if (accuracy !== undefined) parts.push(t('acc {0}', fractionAsPercent(accuracy)));
  const elapsed = elapsedSeconds(run, nowSeconds);
  if (elapsed !== undefined) parts.push(formatDuration(elapsed));
  return parts.join(' · ');
}
