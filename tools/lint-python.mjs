#!/usr/bin/env node
// Lints every Python file of the repository with Ruff (compiled to WebAssembly, from npm: PyPI is
// not needed) and the settings in ruff.toml: rule violations, and files the Ruff formatter would
// change. Prints `path:line:column: CODE message` per problem and exits 1 when there is any.
//
//   node tools/lint-python.mjs          check (npm run lint:py)
//   node tools/lint-python.mjs --fix    apply Ruff's fixes and format the files, then check
//   node tools/lint-python.mjs FILE...  only these files
//
// The WebAssembly build checks one text at a time and knows no paths, so the two settings that
// depend on a path are applied here: `lint.per-file-ignores` and the list of files.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PositionEncoding, Workspace } from '@astral-sh/ruff-wasm-nodejs';
import { parse as parseToml } from 'smol-toml';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SKIPPED_DIRS = new Set(['.git', 'node_modules', 'dist', 'out', '.vscode-test', '__pycache__']);
const MAX_FIX_PASSES = 10;

/** ruff.toml as Workspace options, and its per-file ignores as [matcher, codes] pairs. */
function loadSettings() {
  const settings = parseToml(readFileSync(path.join(root, 'ruff.toml'), 'utf8'));
  const lint = { ...(settings.lint ?? {}) };
  const perFile = Object.entries(lint['per-file-ignores'] ?? {}).map(([glob, codes]) => [globToRegExp(glob), codes]);
  delete lint['per-file-ignores'];
  return { options: { ...settings, lint }, perFile };
}

/** `**` any folders, `*` and `?` within one name: the subset of glob syntax ruff.toml uses here. */
function globToRegExp(glob) {
  let source = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*' && glob[i + 1] === '*') {
      source += '.*';
      i++;
    } else if (c === '*') {
      source += '[^/]*';
    } else if (c === '?') {
      source += '[^/]';
    } else {
      source += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
    }
  }
  return new RegExp(`^${source}$`);
}

function ignoredHere(relative, code, perFile) {
  return perFile.some(([matcher, codes]) => matcher.test(relative) && codes.some((prefix) => code?.startsWith(prefix)));
}

/** Tracked and untracked-but-not-ignored .py files; a plain walk outside a git checkout. */
function pythonFiles() {
  try {
    const out = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z', '--', '*.py'], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    return [...new Set(out.split('\0').filter(Boolean))].sort();
  } catch {
    const found = [];
    const walk = (dir) => {
      for (const entry of readdirSync(path.join(root, dir), { withFileTypes: true })) {
        const relative = dir ? `${dir}/${entry.name}` : entry.name;
        if (entry.isDirectory() && !SKIPPED_DIRS.has(entry.name)) walk(relative);
        else if (entry.isFile() && entry.name.endsWith('.py')) found.push(relative);
      }
    };
    walk('');
    return found.sort();
  }
}

/** Offsets of each line start, to turn Ruff's 1-based row/column (UTF-16) into string indexes. */
function lineStarts(text) {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') starts.push(i + 1);
  return starts;
}

/** Applies every fix whose edits do not overlap an earlier one; returns the new text. */
function applyFixes(text, diagnostics) {
  const starts = lineStarts(text);
  const offset = (loc) => starts[loc.row - 1] + loc.column - 1;
  const edits = [];
  for (const d of diagnostics) {
    if (!d.fix) continue;
    const mine = d.fix.edits.map((e) => ({ from: offset(e.location), to: offset(e.end_location), content: e.content ?? '' }));
    if (mine.some((e) => edits.some((o) => e.from < o.to && o.from < e.to))) continue;
    edits.push(...mine);
  }
  edits.sort((a, b) => b.from - a.from);
  for (const e of edits) text = text.slice(0, e.from) + e.content + text.slice(e.to);
  return text;
}

/** The formatted text, or the text itself when it does not parse (check reports the syntax error). */
function formatted(workspace, text) {
  try {
    return workspace.format(text);
  } catch {
    return text;
  }
}

function main(argv) {
  const fix = argv.includes('--fix');
  const named = argv.filter((a) => !a.startsWith('--'));
  const { options, perFile } = loadSettings();
  const workspace = new Workspace(options, PositionEncoding.Utf16);
  const files = named.length ? named.map((f) => path.relative(root, path.resolve(f))) : pythonFiles();
  const problems = [];
  for (const relative of files) {
    const file = path.join(root, relative);
    let text = readFileSync(file, 'utf8');
    const keep = (d) => !ignoredHere(relative, d.code, perFile);
    if (fix) {
      const original = text;
      for (let pass = 0; pass < MAX_FIX_PASSES; pass++) {
        const next = applyFixes(text, workspace.check(text).filter(keep));
        if (next === text) break;
        text = next;
      }
      text = formatted(workspace, text);
      if (text !== original) writeFileSync(file, text);
    }
    for (const d of workspace.check(text).filter(keep)) {
      const where = `${relative}:${d.start_location.row}:${d.start_location.column}`;
      problems.push(`${where}: ${d.code ?? 'syntax-error'} ${d.message}`);
    }
    if (formatted(workspace, text) !== text) problems.push(`${relative}:1:1: format the Ruff formatter would change this file`);
  }
  for (const line of problems) console.log(line);
  const version = Workspace.version();
  if (problems.length) {
    console.log(`ruff ${version}: ${problems.length} problem(s) in ${files.length} Python files` +
      (fix ? '' : ' (npm run lint:py -- --fix applies the fixes Ruff offers and formats; review the diff)'));
    return 1;
  }
  console.log(`ruff ${version}: ${files.length} Python files clean`);
  return 0;
}

process.exitCode = main(process.argv.slice(2));
