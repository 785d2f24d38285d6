import { describe, expect, it } from 'vitest';
import { jupyterUrl } from '../../../../src/core/jupyter/jupyter-server';

describe('Jupyter tokens', () => {
  it('the URL points at Lab or the classic tree on the local port', () => {
    expect(jupyterUrl({ kind: 'lab', token: 't' }, 8899)).toBe('http://127.0.0.1:8899/lab?token=t');
    expect(jupyterUrl({ kind: 'notebook', token: 't' }, 8899)).toBe('http://127.0.0.1:8899/tree?token=t');
  });
});
