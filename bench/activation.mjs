// Activation: time to load dist/extension.js and run activate() against a minimal stand-in for the
// vscode API (every call answers a no-op disposable), next to loading an empty module the same way;
// plus the size of each bundle and of the VSIX.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { printTable, row, stats } from './lib.mjs';

const root = resolve(import.meta.dirname, '..');

/** A child process per measurement, so module caches start cold each time. */
function measureOnce(modulePath) {
  const script = `
    const Module = require('node:module');
    const noop = () => disposable;
    const disposable = { dispose() {} };
    const handler = { get: (t, p) => (p === 'then' ? undefined : p === 'Disposable' ? class { static from() { return disposable; } constructor() {} dispose() {} } : proxy), apply: () => proxy };
    const proxy = new Proxy(function () {}, handler);
    const original = Module._load;
    Module._load = function (request, ...rest) { return request === 'vscode' ? proxy : original.call(this, request, ...rest); };
    const context = { subscriptions: [], globalStorageUri: { fsPath: '${tmpdir()}' }, extensionUri: { fsPath: '${root}' }, extensionPath: '${root}',
      globalState: { get() {}, update() { return Promise.resolve(); }, keys() { return []; } }, workspaceState: { get() {}, update() { return Promise.resolve(); }, keys() { return []; } },
      secrets: { get() { return Promise.resolve(undefined); }, store() { return Promise.resolve(); }, onDidChange: noop }, extension: { packageJSON: {} }, logUri: { fsPath: '${tmpdir()}' } };
    const started = process.hrtime.bigint();
    const ext = require(${JSON.stringify(modulePath)});
    const loaded = process.hrtime.bigint();
    Promise.resolve(ext.activate ? ext.activate(context) : undefined).then(() => {
      const done = process.hrtime.bigint();
      process.stdout.write(JSON.stringify({ load: Number(loaded - started) / 1e6, total: Number(done - started) / 1e6 }));
    });`;
  return JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' }));
}

export async function activation({ quick }) {
  const extension = join(root, 'dist', 'extension.js');
  const empty = join(mkdtempSync(join(tmpdir(), 'gpu-env-empty-')), 'empty.js');
  writeFileSync(empty, 'exports.activate = () => {};\n');
  const repetitions = quick ? 5 : 21;
  const product = [];
  const baseline = [];
  for (let i = 0; i < repetitions; i++) {
    product.push(measureOnce(extension).total);
    baseline.push(measureOnce(empty).total);
  }
  const sizes = Object.fromEntries(
    [['dist/extension.js'], ['dist/cli.js'], ...readdirSync(join(root, 'dist', 'webview')).filter((f) => f.endsWith('.js')).map((f) => [`dist/webview/${f}`])]
      .map(([file]) => [file, statSync(join(root, file)).size]),
  );
  const vsix = packageVsix();
  const rows = [row('load + activate() dist/extension.js', stats(product), stats(baseline))];
  printTable(`Activation (${repetitions} cold runs each; baseline: an empty extension module)`, rows);
  console.log(Object.entries(sizes).map(([f, s]) => `  ${f}: ${(s / 1024).toFixed(1)} KB`).join('\n'));
  if (vsix) console.log(`  VSIX: ${(vsix.bytes / 1024).toFixed(1)} KB, ${vsix.files} files`);
  return { rows: rows.map(({ name, value, baseline: b }) => ({ name, value, baseline: b })), bundleBytes: sizes, vsix };
}

function packageVsix() {
  const out = join(mkdtempSync(join(tmpdir(), 'gpu-env-vsix-')), 'gpu-env.vsix');
  try {
    execFileSync('npx', ['vsce', 'package', '--no-dependencies', '--allow-missing-repository', '-o', out], { cwd: root, stdio: 'pipe' });
    const listing = execFileSync('npx', ['vsce', 'ls', '--no-dependencies'], { cwd: root, encoding: 'utf8' });
    return { bytes: statSync(out).size, files: listing.split('\n').filter(Boolean).length };
  } catch (error) {
    console.error(`  VSIX packaging failed: ${String(error.stderr ?? error).slice(0, 500)}`);
    return undefined;
  } finally {
    rmSync(out, { force: true });
  }
}
