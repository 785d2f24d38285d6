import { describe, expect, it } from 'vitest';
import { formatOnly } from '../../../support/format-only';
import { containerPathOf, fileArgument } from '../../../../src/vscode/runs/script-target';

describe('Train CNN inputs', () => {
  it('maps a file of the mounted folder into /workspace, and nothing else', () => {
    expect(containerPathOf('/home/u/proj/exp/train.py', '/home/u/proj', 'exp', formatOnly)).toBe('/workspace/exp/train.py');
    expect(() => containerPathOf('/home/u/projx/train.py', '/home/u/proj', 'exp', formatOnly)).toThrow(/is not inside \/home\/u\/proj/);
    expect(() => containerPathOf('/home/u/proj/notes.txt', '/home/u/proj', 'exp', formatOnly)).toThrow('not a Python file');
    expect(fileArgument({ scheme: 'file', fsPath: '/a/b.py' })).toBe('/a/b.py');
    expect(fileArgument({ scheme: 'untitled', fsPath: 'Untitled-1' })).toBeUndefined();
    expect(fileArgument('gpu-env')).toBeUndefined();
  });
});
