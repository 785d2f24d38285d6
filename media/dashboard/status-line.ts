/**
 * The dashboard's status line: how many runs and lines, and what was left out (rejected or
 * over-long lines, values of metrics over the series limit, series and points a snapshot dropped
 * to fit one message, invalid messages). Pure, so the wording in each language is unit-tested;
 * every phrase comes from the translated labels.
 */
import { fillPlaceholders } from '../../src/shared/fill-placeholders';
import type { IngestStats, SnapshotThinning } from '../../src/shared/protocol/dashboard';
import type { DashboardLabels } from '../../src/shared/protocol/dashboard-labels';
import { formatCount } from './format';

export interface StatusInput {
  readonly selectedRuns: number;
  readonly runs: number;
  readonly stats: IngestStats;
  readonly thinned: SnapshotThinning;
  /** Messages from the host that failed validation. */
  readonly invalidMessages: number;
}

export interface StatusLine {
  readonly text: string;
  /** Something was left out or refused: the line is shown as a warning. */
  readonly warn: boolean;
}

type CountLabel = 'statusRejected' | 'statusOversized' | 'statusOverSeriesLimit' | 'statusSeriesNotShown' | 'statusPointsThinned' | 'statusInvalid';

export function statusLine(input: StatusInput, labels: DashboardLabels): StatusLine {
  const { stats, thinned } = input;
  const leftOut: readonly [CountLabel, number][] = [
    ['statusRejected', stats.rejected],
    ['statusOversized', stats.oversized],
    ['statusOverSeriesLimit', stats.overSeriesLimit],
    ['statusSeriesNotShown', thinned.series],
    ['statusPointsThinned', thinned.points],
    ['statusInvalid', input.invalidMessages],
  ];
  const parts = [fillPlaceholders(labels.statusRuns, input.selectedRuns, input.runs), fillPlaceholders(labels.statusLines, formatCount(stats.lines))];
  for (const [label, count] of leftOut) if (count > 0) parts.push(fillPlaceholders(labels[label], formatCount(count)));
  return { text: parts.join(' · '), warn: leftOut.some(([, count]) => count > 0) };
}
