// One build for everything: the extension host bundle, the CLI and the webview front-ends.
import * as esbuild from 'esbuild';
import { cpSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production') || process.env.NODE_ENV === 'production';

/**
 * dockerode's BuildKit session (gRPC + protobuf, over a third of the bundle) is only used for
 * `version: "2"` builds; gpu-env uses the classic builder, so those modules are replaced by a stub
 * that fails loudly if ever reached.
 */
const withoutBuildKit = {
  name: 'without-buildkit',
  setup(build) {
    build.onResolve({ filter: /^\.\/(session|buildkit)$/ }, (args) =>
      /dockerode[\\/]lib$/.test(args.resolveDir) ? { path: args.path, namespace: 'buildkit-stub' } : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'buildkit-stub' }, () => ({
      contents: 'module.exports = function () { throw new Error("BuildKit sessions are not bundled in gpu-env"); };',
      loader: 'js',
    }));
  },
};

const node = {
  bundle: true,
  plugins: [withoutBuildKit],
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: !production,
  // Minified always: load time is part of activation and of every CLI call.
  minify: true,
  // ssh2's optional native accelerators: it falls back to pure JS without them.
  external: ['vscode', 'cpu-features', './crypto/build/Release/sshcrypto.node'],
  logLevel: 'info',
  legalComments: 'none',
};

/** Webview front-ends: media/<name>/main.ts → dist/webview/<name>.js, with their CSS copied. */
const webviews = ['dashboard', 'monitor'].filter((name) => existsSync(`media/${name}/main.ts`));

const builds = [
  { ...node, entryPoints: { extension: 'src/vscode/extension.ts' }, outdir: 'dist' },
  // The core the extension requires on first use (see src/vscode/core-bundle.ts).
  { ...node, entryPoints: { core: 'src/core/bundle.ts' }, outdir: 'dist' },
  { ...node, entryPoints: { cli: 'src/cli/main.ts' }, outdir: 'dist', banner: { js: '#!/usr/bin/env node' } },
  // The commands' code, required by dist/cli.js only when a command runs (src/cli/commands/index.ts).
  { ...node, entryPoints: { 'cli-commands': 'src/cli/commands/all.ts' }, outdir: 'dist' },
  ...webviews.map((name) => ({
    bundle: true,
    platform: 'browser',
    target: 'es2022',
    format: 'iife',
    sourcemap: !production,
    minify: production,
    entryPoints: { [name]: `media/${name}/main.ts` },
    outdir: 'dist/webview',
    logLevel: 'info',
  })),
].filter((b) => Object.values(b.entryPoints).every((entry) => existsSync(entry)));

function copyWebviewAssets() {
  mkdirSync('dist/webview', { recursive: true });
  for (const name of webviews) {
    for (const file of readdirSync(`media/${name}`).filter((f) => f.endsWith('.css'))) {
      cpSync(join('media', name, file), join('dist/webview', file));
    }
  }
  const uplotCss = 'node_modules/uplot/dist/uPlot.min.css';
  if (existsSync(uplotCss)) cpSync(uplotCss, 'dist/webview/uPlot.min.css');
}

if (watch) {
  const contexts = await Promise.all(builds.map((b) => esbuild.context(b)));
  copyWebviewAssets();
  await Promise.all(contexts.map((c) => c.watch()));
} else {
  await Promise.all(builds.map((b) => esbuild.build(b)));
  copyWebviewAssets();
}
