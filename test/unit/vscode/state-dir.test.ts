import { describe, expect, it } from 'vitest';
import { extensionStateDir } from '../../../src/vscode/state-dir';

describe('extensionStateDir', () => {
  it('uses global storage unless GPU_ENV_STATE_DIR is set', () => {
    expect(extensionStateDir({}, '/storage')).toBe('/storage');
    expect(extensionStateDir({ GPU_ENV_STATE_DIR: ' ' }, '/storage')).toBe('/storage');
    expect(extensionStateDir({ GPU_ENV_STATE_DIR: '/tmp/state' }, '/storage')).toBe('/tmp/state');
  });
});
