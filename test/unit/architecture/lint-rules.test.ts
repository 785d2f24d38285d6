/**
 * The layers of docs/architecture.md are ESLint rules (eslint.config.mjs), run by `npm run lint` in
 * `npm test`. These tests prove that each rule fires: code that breaks it, linted as if it stood
 * where it is refused, gets an error; code that keeps to it gets none.
 */
import { resolve } from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(__dirname, '../../..');
const eslint = new ESLint({ cwd: ROOT, ignore: false });

/** The rule ids reported for `code` as the file `path` (relative to the repository). */
async function rulesFired(code: string, path: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: resolve(ROOT, path) });
  return result!.messages.map((m) => m.ruleId ?? `fatal: ${m.message}`);
}

describe('layers, as ESLint rules', () => {
  it('src/core never imports vscode, in any form', async () => {
    expect(await rulesFired("import * as vscode from 'vscode';\nexport const x = vscode;\n", 'src/core/lint-probe.ts')).toEqual(['@typescript-eslint/no-restricted-imports']);
    expect(await rulesFired("export { window } from 'vscode';\n", 'src/core/runs/lint-probe.ts')).toEqual(['@typescript-eslint/no-restricted-imports']);
    expect(await rulesFired("import type { Uri } from 'vscode';\nexport type X = Uri;\n", 'src/core/lint-probe.ts')).toEqual(['@typescript-eslint/no-restricted-imports']);
  });

  it('src/core never imports the CLI or the extension', async () => {
    expect(await rulesFired("import { COMMANDS } from '../vscode/commands/index';\nexport const x = COMMANDS;\n", 'src/core/lint-probe.ts')).toEqual(['@typescript-eslint/no-restricted-imports']);
    expect(await rulesFired("import { table } from '../../cli/format';\nexport const x = table;\n", 'src/core/runs/lint-probe.ts')).toEqual(['@typescript-eslint/no-restricted-imports']);
    expect(await rulesFired("import { messageOf } from '../errors';\nexport const x = messageOf;\n", 'src/core/runs/lint-probe.ts')).toEqual([]);
  });

  it('src/vscode reaches the core only through its API: type imports pass, value imports do not', async () => {
    expect(await rulesFired("import { runFacts } from '../core/runs/run-facts';\nexport const x = runFacts;\n", 'src/vscode/lint-probe.ts')).toEqual(['@typescript-eslint/no-restricted-imports']);
    expect(await rulesFired("import type { ListedRun } from '../../core/runs/run-facts';\nexport type X = ListedRun;\n", 'src/vscode/runs/lint-probe.ts')).toEqual([]);
    expect(await rulesFired("import { trainCommand } from '../cli/commands/train';\nexport const x = trainCommand;\n", 'src/vscode/lint-probe.ts')).toEqual(['@typescript-eslint/no-restricted-imports']);
  });

  it('webview code imports no Node module and no core', async () => {
    expect(await rulesFired("import { readFileSync } from 'node:fs';\nexport const x = readFileSync;\n", 'media/dashboard/lint-probe.ts')).toEqual(['@typescript-eslint/no-restricted-imports']);
    expect(await rulesFired("import { join } from 'path';\nexport const x = join;\n", 'media/monitor/lint-probe.ts')).toEqual(['@typescript-eslint/no-restricted-imports']);
    expect(await rulesFired("import { runFacts } from '../../src/core/runs/run-facts';\nexport const x = runFacts;\n", 'media/dashboard/lint-probe.ts')).toEqual(['@typescript-eslint/no-restricted-imports']);
  });

  it('an import cycle is an error', async () => {
    const [a] = await eslint.lintFiles([resolve(ROOT, 'test/fixtures/lint/cycle-a.ts')]);
    expect(a!.messages.map((m) => m.ruleId)).toEqual(['import-x/no-cycle']);
  });

  it('a disable comment needs a reason and must silence something', async () => {
    expect(await rulesFired('// eslint-disable-next-line no-control-regex\nexport const x = /\\u0000/;\n', 'src/core/lint-probe.ts')).toEqual(['@eslint-community/eslint-comments/require-description']);
    const unused = await eslint.lintText('// eslint-disable-next-line no-control-regex -- nothing to silence\nexport const x = 1;\n', { filePath: resolve(ROOT, 'src/core/lint-probe.ts') });
    expect(unused[0]!.messages.map((m) => m.message)).toEqual([expect.stringMatching(/Unused eslint-disable directive/)]);
  });
});
