/**
 * What a run row says, as plain text: progress, loss, accuracy and time from the runner's list.
 * Pure, so the Runs view, the pickers and the notifications share one wording.
 */
import type { RunListing } from '../../core/runs/run-listing';
import type { RunState } from '../../shared/protocol/dashboard';
import type { Translate } from '../l10n';
import { runState } from './runs-model';

/** The value after `flag` in a run's command (`--epochs 5`), if any. */
export function commandArg(command: readonly string[], flag: string): string | undefined {
  const index = command.indexOf(flag);
  return index >= 0 && index + 1 < command.length ? command[index + 1] : undefined;
}

export function totalEpochs(listing: RunListing): number | undefined {
  const value = Number(commandArg(listing.run?.command ?? [], '--epochs'));
  return Number.isInteger(value) && value > 0 ? value : undefined;
}

/** "45s", "3m12s", "2h05m". */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

export function formatPercent(fraction: number): string {
  return `${(fraction * 100).toFixed(1)}%`;
}

export function formatLoss(loss: number): string {
  if (!Number.isFinite(loss)) return String(loss);
  return Math.abs(loss) >= 0.01 || loss === 0 ? loss.toFixed(2) : loss.toPrecision(2);
}

/** Seconds the run has taken so far (to its end when it ended), or undefined before it started. */
export function elapsedSeconds(listing: RunListing, nowSeconds: number): number | undefined {
  const started = listing.status?.startedAt ?? listing.run?.createdAt ?? null;
  if (started === null) return undefined;
  const active = runState(listing) === 'running' || runState(listing) === 'starting';
  const end = active ? nowSeconds : (listing.status?.endedAt ?? listing.status?.updatedAt ?? nowSeconds);
  return Math.max(0, end - started);
}

/** The best accuracy figure there is: the final test accuracy, else the last evaluation, else training. */
export function latestAccuracy(listing: RunListing): number | undefined {
  const m = listing.metrics;
  const value = m?.end?.testAccuracy ?? m?.eval?.accuracy ?? m?.train?.accuracy ?? null;
  return value !== null && Number.isFinite(value) ? value : undefined;
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
export function runDescription(listing: RunListing, t: Translate, nowSeconds: number): string {
  const parts: string[] = [];
  const state = runState(listing);
  if (state !== 'running') parts.push(stateText(state, t));
  const epoch = listing.metrics?.train?.epoch ?? listing.metrics?.eval?.epoch ?? null;
  const total = totalEpochs(listing);
  if (epoch !== null && Number.isFinite(epoch)) parts.push(t('epoch {0}', total !== undefined ? `${epoch.toFixed(1)}/${total}` : epoch.toFixed(1)));
  const loss = listing.metrics?.train?.loss ?? null;
  if (loss !== null) parts.push(t('loss {0}', formatLoss(loss)));
  const accuracy = latestAccuracy(listing);
  if (accuracy !== undefined) parts.push(t('acc {0}', formatPercent(accuracy)));
  const elapsed = elapsedSeconds(listing, nowSeconds);
  if (elapsed !== undefined) parts.push(formatDuration(elapsed));
  return parts.join(' · ');
}

export function runLabelOf(listing: RunListing): string {
  return listing.run?.label ?? listing.id;
}
