/**
 * The extension's own bundle (dist/extension.js, evaluated at activation) holds none of the core:
 * the core is dist/core.js, loaded on first use through src/vscode/core-api.ts. ESLint refuses the
 * direct imports; this checks what esbuild actually puts in the bundle, transitive imports included.
 */
import { resolve } from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(__dirname, '../../..');

describe('dist/extension.js', () => {
  it('contains no core module and none of dockerode or ssh2', async () => {
    const result = await build({
      entryPoints: [resolve(ROOT, 'src/vscode/extension.ts')],
      absWorkingDir: ROOT,
      bundle: true,
      platform: 'node',
      format: 'cjs',
      external: ['vscode'],
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.some((input) => input.startsWith('src/vscode/'))).toBe(true);
    expect(inputs.filter((input) => input.startsWith('src/core/') || /node_modules\/(dockerode|ssh2|docker-modem)\//.test(input))).toEqual([]);
  });
});
