import { describe, expect, it } from 'vitest';
import { statusLine, type StatusInput } from '../../../../media/dashboard/status-line';
import { dashboardLabels } from '../../../support/webview-labels';

const clean: StatusInput = {
  selectedRuns: 1,
  runs: 2,
  stats: { lines: 12_345, rejected: 0, oversized: 0, overSeriesLimit: 0 },
  thinned: { series: 0, points: 0 },
  invalidMessages: 0,
};

describe('dashboard: status line', () => {
  it('runs and lines only, no warning, when nothing was left out', () => {
    expect(statusLine(clean, dashboardLabels('en'))).toEqual({ text: '1 of 2 runs · 12,345 lines', warn: false });
  });

  it('says what was left out: values over the series limit, series not shown, points thinned — and warns', () => {
    const input: StatusInput = { ...clean, stats: { ...clean.stats, overSeriesLimit: 2_000 }, thinned: { series: 3, points: 1_500_000 } };
    expect(statusLine(input, dashboardLabels('en'))).toEqual({
      text: '1 of 2 runs · 12,345 lines · 2,000 values of further metrics not kept (series limit) · 3 series not shown (too many) · 1,500,000 points thinned out to fit (peaks kept)',
      warn: true,
    });
  });

  it.each([
    ['overSeriesLimit', { ...clean, stats: { ...clean.stats, overSeriesLimit: 1 } }],
    ['series not shown', { ...clean, thinned: { series: 1, points: 0 } }],
    ['points thinned', { ...clean, thinned: { series: 0, points: 1 } }],
    ['rejected', { ...clean, stats: { ...clean.stats, rejected: 1 } }],
    ['invalid messages', { ...clean, invalidMessages: 1 }],
  ])('a single %s warns', (_name, input) => {
    const line = statusLine(input, dashboardLabels('en'));
    expect(line.warn).toBe(true);
    expect(line.text.split(' · ')).toHaveLength(3);
  });

  it('in Chinese, every part comes from the zh-cn bundle (no English words left)', () => {
    const input: StatusInput = { ...clean, stats: { ...clean.stats, overSeriesLimit: 2_000 }, thinned: { series: 3, points: 1_500_000 } };
    const { text } = statusLine(input, dashboardLabels('zh-cn'));
    expect(text).toContain('超出序列上限，另有 2,000 个指标值未保留');
    expect(text).toContain('3 条序列未显示（过多）');
    expect(text).toContain('为适应显示已精简 1,500,000 个点（保留峰值）');
    expect(text).not.toMatch(/[A-Za-z]/);
  });
});
