/**
 * Metric series → CSV, one row per point ("long" format: run, split, metric, step, time, value),
 * which pandas pivots in one line and which needs no join across series logged at different steps.
 * Old points may be min/max-compacted (see SeriesBuffer); recent points are exact.
 */
import type { MetricSeriesKey } from '../../shared/protocol/dashboard';
import type { StoredSeries } from './series-store';

export const CSV_HEADER = ['run', 'split', 'metric', 'step', 'time_unix', 'time_iso', 'value'] as const;

export function metricsToCsv(series: readonly StoredSeries<MetricSeriesKey>[], runLabel: (runId: string) => string = (id) => id): string {
  const rows: string[] = [CSV_HEADER.join(',')];
  const ordered = [...series].sort((a, b) => compareKeys(a.key, b.key));
  for (const { key, points } of ordered) {
    const prefix = [textCell(runLabel(key.run)), textCell(key.split), textCell(key.metric)].join(',');
    for (let i = 0; i < points.t.length; i++) {
      const t = points.t[i]!;
      rows.push(`${prefix},${points.s[i]},${t},${isoTime(t)},${numberCell(points.v[i]!)}`);
    }
  }
  return rows.join('\r\n') + '\r\n';
}

function compareKeys(a: MetricSeriesKey, b: MetricSeriesKey): number {
  return a.run.localeCompare(b.run) || a.split.localeCompare(b.split) || a.metric.localeCompare(b.metric);
}

/** Quotes when needed, and defuses cells a spreadsheet would evaluate as a formula. */
export function textCell(value: string): string {
  const defused = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(defused) ? `"${defused.replace(/"/g, '""')}"` : defused;
}

/** Same spellings as metrics.jsonl uses for non-finite values; Python's float() reads them. */
export function numberCell(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return 'Infinity';
  if (v === -Infinity) return '-Infinity';
  return String(v);
}

function isoTime(t: number): string {
  const d = new Date(t * 1000);
  return Number.isNaN(d.getTime()) ? '' : d.toISOString();
}
