// Activation: time to load dist/extension.js and run activate() against the integration tests'
// stand-in for the vscode API, next to loading an empty module the same way;
// plus the size of each bundle and of the VSIX.
import { execFileSync } from 'node:child_process';
import { build } from 'esbuild';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { printTable, row, stats } from './lib.mjs';

const root = resolve(import.meta.dirname, '..');

/**
 * The stand-in vscode module the integration tests use (test/support/vscode-module-mock.ts), bundled
 * once for Node: activate() runs against the same API surface there as here.
 */
async function mockBundle() {
  const dir = join(root, 'node_modules', '.cache', 'gpu-env-bench');
  mkdirSync(dir, { recursive: true });
  const outfile = join(dir, 'vscode-mock.cjs');
  await build({ entryPoints: [join(root, 'test', 'support', 'vscode-module-mock.ts')], bundle: true, platform: 'node', format: 'cjs', packages: 'external', outfile, logLevel: 'warning' });
  return outfile;
}

/** A child process per measurement, so module caches start cold each time. */
function measureOnce(modulePath, mock) {
  const script = `
    const mock = require(${JSON.stringify(mock)});
    mock.installVsCodeMock();
    const context = mock.extensionContext(${JSON.stringify(tmpdir())}, ${JSON.stringify(root)});
    const started = process.hrtime.bigint();
    const ext = require(${JSON.stringify(modulePath)});
    const loaded = process.hrtime.bigint();
    Promise.resolve(ext.activate ? ext.activate(context) : undefined).then(() => {
      const done = process.hrtime.bigint();
      process.stdout.write(JSON.stringify({ load: Number(loaded - started) / 1e6, total: Number(done - started) / 1e6 }));
      process.exit(0);
    });`;
  return JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' }));
}

export async function activation({ quick }) {
  const extension = join(root, 'dist', 'extension.js');
  const empty = join(mkdtempSync(join(tmpdir(), 'gpu-env-empty-')), 'empty.js');
  writeFileSync(empty, 'exports.activate = () => {};\n');
  const mock = await mockBundle();
  const repetitions = quick ? 5 : 21;
  const product = [];
  const baseline = [];
  for (let i = 0; i < repetitions; i++) {
    product.push(measureOnce(extension, mock).total);
    baseline.push(measureOnce(empty, mock).total);
  }
  const sizes = Object.fromEntries(
    [['dist/extension.js'], ['dist/core.js'], ['dist/cli.js'], ...readdirSync(join(root, 'dist', 'webview')).filter((f) => f.endsWith('.js')).map((f) => [`dist/webview/${f}`])]
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
