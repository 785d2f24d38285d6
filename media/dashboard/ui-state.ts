/**
 * The dashboard's UI state, persisted with the webview's setState so that a panel restored after
 * a reload (or a hidden panel recreated) comes back as the user left it. Restored state is
 * validated like any other input: it may come from an older version of the extension.
 */
import { LIMITS } from '../../src/shared/protocol/common';
import { DASHBOARD_LIMITS, MAX_SMOOTHING, type YScale } from '../../src/shared/protocol/dashboard';

export type XMode = 'time' | 'elapsed';

export interface UiState {
  readonly v: 1;
  readonly selectedRuns: readonly string[];
  readonly smoothing: number;
  readonly scale: YScale;
  readonly xMode: XMode;
  /** The extra (non-standard) metric shown in the last chart. */
  readonly extraMetric: string | null;
}

export const DEFAULT_UI_STATE: UiState = { v: 1, selectedRuns: [], smoothing: 0.6, scale: 'linear', xMode: 'time', extraMetric: null };

export function restoreUiState(saved: unknown): { state: UiState; restored: boolean } {
  if (typeof saved !== 'object' || saved === null) return { state: DEFAULT_UI_STATE, restored: false };
  const s = saved as Record<string, unknown>;
  if (s.v !== 1) return { state: DEFAULT_UI_STATE, restored: false };
  const runs = Array.isArray(s.selectedRuns) ? s.selectedRuns.filter((r): r is string => typeof r === 'string' && r.length > 0 && r.length <= LIMITS.idChars).slice(0, DASHBOARD_LIMITS.runs) : [];
  return {
    restored: true,
    state: {
      v: 1,
      selectedRuns: runs,
      smoothing: typeof s.smoothing === 'number' && s.smoothing >= 0 && s.smoothing <= MAX_SMOOTHING ? s.smoothing : DEFAULT_UI_STATE.smoothing,
      scale: s.scale === 'log' ? 'log' : 'linear',
      xMode: s.xMode === 'elapsed' ? 'elapsed' : 'time',
      extraMetric: typeof s.extraMetric === 'string' && s.extraMetric.length <= DASHBOARD_LIMITS.metricNameChars ? s.extraMetric : null,
    },
  };
}
