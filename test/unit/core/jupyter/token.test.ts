import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileTokenStore, generateJupyterToken, isWellFormedToken } from '../../../../src/core/jupyter/token';

describe('Jupyter tokens', () => {
  it('are 32 random bytes as 64 hex characters, different every time', () => {
    const tokens = new Set(Array.from({ length: 50 }, generateJupyterToken));
    expect(tokens.size).toBe(50);
    for (const token of tokens) expect(token).toMatch(/^[0-9a-f]{64}$/);
    expect(isWellFormedToken('abc')).toBe(false);
    expect(isWellFormedToken(`${'a'.repeat(64)}\n`)).toBe(false);
  });

  it('the CLI keeps them in envs/NAME/jupyter_token, mode 0600', async () => {
    const state = mkdtempSync(join(tmpdir(), 'tokens-'));
    const store = new FileTokenStore(state);
    expect(await store.get('exp')).toBeUndefined();
    await store.set('exp', 'f'.repeat(64));
    expect(await store.get('exp')).toBe('f'.repeat(64));
    expect(statSync(join(state, 'envs', 'exp', 'jupyter_token')).mode & 0o777).toBe(0o600);
  });
});
