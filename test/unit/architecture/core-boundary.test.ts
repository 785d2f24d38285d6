import { readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { typeScriptFiles } from '../../support/l10n-call-scan';

const ROOT = resolve(__dirname, '../../..');

/** Module specifiers of static imports, re-exports, dynamic imports and require calls. */
export function importedModules(source: string): string[] {
  const patterns = [
    /\bimport\s+(?:type\s+)?(?:[\w*{}\s,$]+\s+from\s+)?['"]([^'"]+)['"]/g,
    /\bexport\s+(?:type\s+)?(?:\*|\{[^}]*\})\s+from\s+['"]([^'"]+)['"]/g,
    /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
    /\brequire\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
    /\bimport\s+\w+\s*=\s*require\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
  ];
  return patterns.flatMap((pattern) => [...source.matchAll(pattern)].map((m) => m[1]!));
}

describe('core boundary', () => {
  it('recognises every form of import (so the check below can fail)', () => {
    const source = [
      "import * as vscode from 'vscode';",
      "import type { Uri } from \"vscode\";",
      "export { x } from 'vscode';",
      "const v = await import('vscode');",
      "const w = require('vscode');",
      "import x = require('vscode');",
      "import 'vscode';",
    ].join('\n');
    expect(importedModules(source).filter((m) => m === 'vscode')).toHaveLength(8);
  });

  it('no file under src/core imports vscode or anything of the extension', () => {
    const offenders: string[] = [];
    const files = typeScriptFiles(join(ROOT, 'src/core'));
    expect(files.length).toBeGreaterThan(20);
    for (const file of files) {
      for (const module of importedModules(readFileSync(file, 'utf8'))) {
        if (module === 'vscode' || module.startsWith('vscode/') || (module.startsWith('.') && /(^|\/)vscode(\/|$)/.test(module))) {
          offenders.push(`${relative(ROOT, file)} imports ${module}`);
        }
      }
    }
    expect(offenders).toEqual([]);
  });
});
