import { join, resolve } from 'node:path';

/** The repository root and the built extension bundle the integration tests load. */
export const ROOT = resolve(__dirname, '../..');
export const BUNDLE = join(ROOT, 'dist/extension.js');

/**
 * Requires the built bundle afresh, as VS Code loads it: call it after installVsCodeMock(). Another
 * test file in this process may have loaded the bundle against its own instance of the mock, and
 * dist/core.js with it: every dist/ module is forgotten, so the extension loads its core itself.
 */
export function requireBundle<T>(path = BUNDLE): T {
  for (const cached of Object.keys(require.cache)) if (cached.startsWith(join(ROOT, 'dist'))) delete require.cache[cached];
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the bundle is a built CommonJS file loaded at run time, not a module of this build
  return require(path) as T;
}
