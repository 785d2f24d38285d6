// Lists exported symbols of src/ that no other module of the product uses: exports nothing imports
// (the `export` is not needed, or the symbol is dead), and exports only tests use (dead code kept
// alive by its test). Uses are found with the TypeScript checker over the whole project (src,
// media, test, bench), so type-only uses and uses through `typeof import(...)` count; a re-export
// (`export { x } from`, `export *`) is not a use by itself, the module that finally reads it is.
// The bundles' entry modules (esbuild.config.mjs) are used by what loads them.
//
// Usage: node tools/unused-exports.mjs [--all]   exit 1, with one line per export, when any is dead.
// Exports allowed on purpose go in ALLOWED below, each with why.
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import ts from 'typescript';

const ROOT = resolve(import.meta.dirname, '..');

/** Modules the bundles start from: what VS Code, node or the extension loads reads their exports. */
const ENTRIES = new Set(['src/vscode/extension.ts', 'src/core/bundle.ts', 'src/cli/main.ts', 'src/cli/commands/all.ts']);

/** `file#name` kept though only tests use it, each with why. */
const ALLOWED = new Map([]);

const config = ts.getParsedCommandLineOfConfigFile(join(ROOT, 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => { throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n')); } });
const program = ts.createProgram(config.fileNames, config.options);
const checker = program.getTypeChecker();
const rel = (file) => relative(ROOT, file).split('\\').join('/');
const kindOf = (path) => (path.startsWith('src/') || path.startsWith('media/') ? 'product' : 'test');

const original = (symbol) => {
  let s = symbol;
  for (let i = 0; i < 16 && s && s.flags & ts.SymbolFlags.Alias; i++) s = checker.getAliasedSymbol(s);
  return s;
};

/** symbol -> Set of 'self' | 'product' | 'test', keyed by the declaring file. */
const uses = new Map();
const note = (symbol, kind) => {
  if (!symbol) return;
  if (!uses.has(symbol)) uses.set(symbol, new Set());
  uses.get(symbol).add(kind);
};

const isReExport = (node) => {
  for (let n = node.parent; n; n = n.parent) {
    if (ts.isExportDeclaration(n)) return n.moduleSpecifier !== undefined;
    if (ts.isSourceFile(n)) return false;
  }
  return false;
};

for (const source of program.getSourceFiles()) {
  if (source.isDeclarationFile || source.fileName.includes('/node_modules/')) continue;
  const path = rel(source.fileName);
  const visit = (node) => {
    if (ts.isIdentifier(node) && (ts.isShorthandPropertyAssignment(node.parent) || ts.getNameOfDeclaration(node.parent) !== node) && !isReExport(node)) {
      // `{ name }` in an object literal uses the variable `name`, not only the property.
      const at = ts.isShorthandPropertyAssignment(node.parent) ? checker.getShorthandAssignmentValueSymbol(node.parent) : checker.getSymbolAtLocation(node);
      const symbol = original(at);
      const declared = symbol?.declarations?.[0]?.getSourceFile();
      if (declared) note(symbol, rel(declared.fileName) === path ? 'self' : kindOf(path));
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
}

// What an entry module exports (itself or by re-export) is used by what loads the bundle.
for (const source of program.getSourceFiles()) {
  const moduleSymbol = ENTRIES.has(rel(source.fileName)) ? checker.getSymbolAtLocation(source) : undefined;
  for (const exported of moduleSymbol ? checker.getExportsOfModule(moduleSymbol) : []) note(original(exported), 'product');
}

// Benchmarks bundle sources from strings (`export { X } from './src/...'`): those names are used.
const benchUses = new Set();
for (const file of readdirSync(join(ROOT, 'bench'), { recursive: true })) {
  if (!String(file).endsWith('.mjs')) continue;
  for (const m of readFileSync(join(ROOT, 'bench', String(file)), 'utf8').matchAll(/export \{([^}]*)\} from '\.\/(src\/[^']+)'/g)) {
    for (const name of m[1].split(',')) benchUses.add(`${m[2]}.ts#${name.trim().split(/\s+/)[0]}`);
  }
}

const findings = [];
for (const source of program.getSourceFiles()) {
  const path = rel(source.fileName);
  if (!path.startsWith('src/') || source.isDeclarationFile || ENTRIES.has(path)) continue;
  const moduleSymbol = checker.getSymbolAtLocation(source);
  if (!moduleSymbol) continue;
  for (const exported of checker.getExportsOfModule(moduleSymbol)) {
    const symbol = original(exported);
    if (symbol?.declarations?.[0]?.getSourceFile() !== source) continue; // a re-export: judged where declared
    const key = `${path}#${exported.name}`;
    const kinds = uses.get(symbol) ?? new Set();
    if (kinds.has('product') || benchUses.has(key) || ALLOWED.has(key)) continue;
    if (kinds.has('test') && kinds.has('self')) continue; // a tested piece of its own module
    findings.push(`${key}: ${kinds.has('test') ? 'used only by tests' : kinds.has('self') ? 'used only in its own module (export not needed)' : 'not used at all'}`);
  }
}

// Dead code fails the check; an export read only inside its own module is listed with --all (the
// `export` is harmless there, often a parameter type of an exported function).
const dead = findings.filter((line) => !line.endsWith('(export not needed)'));
for (const line of (process.argv.includes('--all') ? findings : dead).sort()) console.log(line);
console.log(`${dead.length} exports in src/ used by nothing or only by tests; ${findings.length - dead.length} used only in their own module${process.argv.includes('--all') ? '' : ' (--all lists them)'}`);
process.exitCode = dead.length === 0 ? 0 : 1;
