import { join, resolve } from 'node:path';

/** The repository root and the built extension bundle the integration tests load. */
export const ROOT = resolve(__dirname, '../..');
export const BUNDLE = join(ROOT, 'dist/extension.js');

/**
 * Requires the built bundle afresh, as VS Code loads it: call it after installVsCodeMock(), since
 * another test file in this process may have loaded the bundle against its own instance of the mock.
 */
export function requireBundle<T>(path = BUNDLE): T {
  delete require.cache[require.resolve(path)];
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the bundle is a built CommonJS file loaded at run time, not a module of this build
  return require(path) as T;
}
