import { join } from 'node:path';

export type CoreBundle = typeof import('../core/bundle');

let bundle: CoreBundle | undefined;

/**
 * The core, required from dist/core.js beside this bundle on first use. A computed path keeps
 * esbuild from inlining it into dist/extension.js.
 */
export function coreBundle(): CoreBundle {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use, not bundled: see above
  bundle ??= require(join(__dirname, 'core.js')) as CoreBundle;
  return bundle;
}
