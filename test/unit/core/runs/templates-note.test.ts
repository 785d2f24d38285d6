import { describe, expect, it } from 'vitest';
import { templatesNote } from '../../../../src/core/runs/templates-note';

const report = (over: Partial<Record<'written' | 'kept' | 'updated' | 'outdated', string[]>>) => ({ written: [], kept: [], updated: [], outdated: [], ...over });

describe('templates note after a run started', () => {
  it('nothing to say when files were only written or already current', () => {
    expect(templatesNote(report({ written: ['a.py'], kept: ['b.py'] }), '/workspace/gpu-env-templates')).toBeUndefined();
  });

  it('names the updated files and why they could be replaced', () => {
    expect(templatesNote(report({ updated: ['train_cnn.py', 'cnn_models.py'] }), '/w/t')).toBe(
      'updated the templates in /w/t to this version of gpu-env (train_cnn.py, cnn_models.py); they were unedited copies of an older one',
    );
  });

  it('names the kept files and how to get the new ones', () => {
    expect(templatesNote(report({ outdated: ['cnn_models.py'] }), '/w/t')).toMatch(/^the templates in \/w\/t differ from this version's and were kept as they are .*: cnn_models\.py; move them aside/);
  });
});
