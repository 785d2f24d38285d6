/**
 * No import cycle in src/ or media/, type-only imports included. ESLint's import-x/no-cycle checks
 * value imports; it skips `import type` by design, so the whole graph is checked here from what
 * TypeScript itself reads as the imports of each file.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { typeScriptFiles } from '../../support/l10n-call-scan';

const ROOT = resolve(__dirname, '../../..');

/** Each file's imports of other files of the tree (relative specifiers resolved like TypeScript does). */
export function importGraph(files: readonly string[]): Map<string, string[]> {
  const known = new Set(files);
  return new Map(files.map((file) => {
    const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    const targets = importedFiles
      .filter((ref) => ref.fileName.startsWith('.'))
      .map((ref) => join(dirname(file), ref.fileName))
      .map((base) => [`${base}.ts`, join(base, 'index.ts'), base].find((candidate) => known.has(candidate) && existsSync(candidate)))
      .filter((target): target is string => target !== undefined);
    return [file, targets];
  }));
}

/** The strongly connected components with more than one file (Tarjan), each a cycle or a knot of them. */
export function cycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) found.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found;
}

describe('import cycles', () => {
  it('finds a cycle, type-only edges included (so the check below can fail)', () => {
    const graph = new Map([['a', ['b']], ['b', ['c']], ['c', ['a']], ['d', ['a']]]);
    expect(cycles(graph)).toEqual([['a', 'b', 'c']]);
    const files = [join(ROOT, 'test/fixtures/lint/cycle-a.ts'), join(ROOT, 'test/fixtures/lint/cycle-b.ts')];
    expect(cycles(importGraph(files))).toHaveLength(1);
  });

  it('src/ and media/ have none', () => {
    const files = [...typeScriptFiles(join(ROOT, 'src')), ...typeScriptFiles(join(ROOT, 'media'))];
    expect(files.length).toBeGreaterThan(100);
    expect(cycles(importGraph(files)).map((cycle) => cycle.map((file) => relative(ROOT, file)))).toEqual([]);
  });
});
