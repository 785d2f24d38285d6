import { describe, expect, it } from 'vitest';
import { restoreUiState } from '../../../../media/dashboard/ui-state';

describe('restoreUiState', () => {
  it('accepts its own state and repairs or rejects anything else', () => {
    expect(restoreUiState(undefined).restored).toBe(false);
    expect(restoreUiState({ v: 2 }).restored).toBe(false);
    const { state } = restoreUiState({ v: 1, selectedRuns: ['a', 3, '', 'x'.repeat(500)], smoothing: 5, scale: 'log', xMode: 'elapsed', extraMetric: 7 });
    expect(state).toEqual({ v: 1, selectedRuns: ['a'], smoothing: 0.6, scale: 'log', xMode: 'elapsed', extraMetric: null });
  });
});
