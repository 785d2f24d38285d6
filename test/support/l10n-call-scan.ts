import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

export interface L10nCall {
  readonly file: string;
  readonly line: number;
  /** The literal's value, escapes resolved; undefined when the first argument is not a single-quoted literal. */
  readonly message: string | undefined;
}

export function typeScriptFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return typeScriptFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/**
 * Finds the calls `t(...)` (and `services.t(...)`) in the extension's sources. `vscode.l10n.t(...)` itself is
 * the one forwarding call and is skipped.
 */
export function l10nCalls(root: string, dir: string): L10nCall[] {
  const calls: L10nCall[] = [];
  for (const file of typeScriptFiles(dir)) {
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(/(?<![\w$])t\(/g)) {
      const before = text.slice(Math.max(0, match.index - 12), match.index);
      if (/\bl10n\.$/.test(before)) continue;
      if (before.endsWith('.') && !/\b(services|this)\.$/.test(before)) continue;
      const after = text.slice(match.index + 2);
      const literal = /^\s*'((?:[^'\\\n]|\\.)*)'\s*[,)]/.exec(after);
      calls.push({
        file: relative(root, file),
        line: text.slice(0, match.index).split('\n').length,
        message: literal ? unescape(literal[1]!) : undefined,
      });
    }
  }
  return calls;
}

function unescape(body: string): string {
  return body.replace(/\\(n|t|'|"|\\)/g, (_, c: string) => ({ n: '\n', t: '\t' })[c] ?? c);
}
