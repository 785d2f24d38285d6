// ESLint for every TypeScript file: typescript-eslint's recommended rules, and the layers of
// docs/architecture.md as rules, so that breaking one fails `npm run lint` (and `npm test`):
//   src/core    never imports `vscode`, src/cli or src/vscode;
//   src/vscode  reaches the core only through its lazily loaded API (src/vscode/core-api.ts over
//               dist/core.js): type-only imports of core modules, nothing else;
//   src/shared  (protocol, shared by the extension host and the webviews) imports no layer;
//   media/      webview front-ends: no Node module, no core, no extension code;
//   and no import cycle (import-x/no-cycle; cycles through type-only imports are checked by
//   test/unit/architecture/import-cycles.test.ts, as import-x skips those by design).
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import { importX } from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import comments from '@eslint-community/eslint-plugin-eslint-comments';

const NODE_MODULES = [...builtinModules, ...builtinModules.map((name) => `node:${name}`)];

/** An import of these paths from the files of one layer, with why it is refused. */
const layer = (files, patterns, extra = {}) => ({
  files,
  rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns, ...extra }] },
});

export default tseslint.config(
  // test/fixtures/lint: files that break the rules on purpose; test/unit/architecture/lint-rules.test.ts lints them.
  { ignores: ['dist/**', 'out/**', 'node_modules/**', '.vscode-test/**', 'test-artifacts/**', 'test/fixtures/lint/**', '**/*.js', '**/*.cjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.mts', '**/*.mjs'],
    plugins: { 'import-x': importX, '@eslint-community/eslint-comments': comments },
    settings: {
      // import-x parses the files an import leads to (to follow cycles) with typescript-eslint's parser.
      'import-x/extensions': ['.ts', '.mts', '.mjs'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts', '.mts'] },
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: './tsconfig.json' })],
    },
    rules: {
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      // `_name` marks a binding kept on purpose (a destructured-away field, an unused parameter of an interface).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_', ignoreRestSiblings: true }],
      // A disable comment names one rule, says why after `--`, and must silence a real report.
      '@eslint-community/eslint-comments/require-description': ['error', { ignore: [] }],
      '@eslint-community/eslint-comments/no-unlimited-disable': 'error',
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
  },
  // Build scripts, benchmarks and tools run in Node; the functions bench/chart.mjs hands to
  // page.waitForFunction/evaluate run in the page.
  { files: ['**/*.mjs'], languageOptions: { globals: globals.node } },
  { files: ['bench/chart.mjs'], languageOptions: { globals: { ...globals.node, ...globals.browser } } },
  layer(['src/core/**/*.ts'], [
    { regex: '^vscode$', message: 'src/core never imports vscode: the CLI uses it too (docs/architecture.md).' },
    { regex: '^(\\.\\./)+(cli|vscode)(/|$)', message: 'src/core never imports the CLI or the extension: they are adapters over it.' },
  ]),
  layer(['src/shared/**/*.ts'], [
    { regex: '^vscode$', message: 'src/shared runs in the webviews too.' },
    { regex: '^(\\.\\./)+(core|cli|vscode)(/|$)', message: 'src/shared is imported by every layer and imports none of them.' },
  ]),
  layer(['src/vscode/**/*.ts'], [
    {
      regex: '^(\\.\\./)+core(/|$)',
      allowTypeImports: true,
      message: 'src/vscode reaches the core only through its lazily loaded API (core-api.ts, dist/core.js); a value import would copy core code into dist/extension.js. Type-only imports are fine.',
    },
    { regex: '^(\\.\\./)+cli(/|$)', message: 'The extension never imports the CLI.' },
  ]),
  layer(['src/cli/**/*.ts'], [
    { regex: '^vscode$', message: 'The CLI runs without VS Code.' },
    { regex: '^(\\.\\./)+vscode(/|$)', message: 'The CLI never imports the extension.' },
  ]),
  {
    files: ['media/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', {
        paths: NODE_MODULES.map((name) => ({ name, message: 'Webview code runs in a browser: no Node modules.' })),
        patterns: [
          { regex: '^(\\.\\./)+src/(core|cli|vscode)(/|$)', message: 'Webviews talk to the extension by messages (src/shared/protocol), never by importing it or the core.' },
        ],
      }],
    },
  },
);
