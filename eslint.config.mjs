import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

/** The import rules of one layer: no import (or require) whose path passes through a forbidden top folder. */
function layer(files, forbidden, { message, extraPatterns = [], globals = [] }) {
  const regex = `(^|/)(${forbidden.join('|')})(/|$)`;
  return [
    {
      files: [files],
      rules: {
        'no-restricted-imports': [
          'error',
          { patterns: [{ regex, message }, ...extraPatterns.map((group) => ({ group: [group], message }))] },
        ],
        'no-restricted-syntax': [
          'error',
          {
            selector: `CallExpression[callee.name='require'] > Literal[value=/${regex.replace(/\//g, '\\/')}/]`,
            message,
          },
        ],
        ...(globals.length ? { 'no-restricted-globals': ['error', ...globals] } : {}),
      },
    },
  ];
}

const SYNC_FORBIDS = ['addon', 'test', 'bench'];
const SYNC_RULE =
  'sync-service/ and addon/ share code only through core/; production code never imports tests.';

export default tseslint.config(
  {
    // sync-service/connect-api/openapi.d.ts is generated (npm run gen:connect), never edited by hand.
    ignores: [
      'node_modules/',
      'dist/',
      'build/',
      'coverage/',
      'demo-data/',
      'usage-files/',
      'sync-service/connect-api/openapi.d.ts',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  // The layers (docs/architecture.md, "How the code is laid out"), at any folder depth: core imports nothing of the adapters,
  // tests or benchmarks and no Node module; the sync and the add-on never import each other; production code
  // never imports tests. The same paths are refused in require() calls. test/lint/layers.test.ts plants a
  // violation of each rule to show that it fires.
  ...layer('core/**/*.ts', ['sync-service', 'addon', 'test', 'bench'], {
    message:
      'core/ is the shared domain: it runs in Node and in Apps Script and imports no adapter, test or Node module.',
    extraPatterns: ['node:*', 'fs', 'path', 'os', 'child_process', 'http', 'https'],
    globals: ['process', 'SpreadsheetApp', 'Buffer', 'require', 'console'],
  }),
  ...layer('sync-service/**/*.ts', SYNC_FORBIDS, { message: SYNC_RULE }),
  // Inside sync-service/, grouped by what each part talks to (README, "How the code is laid out"): the two sinks
  // never import each other; usage/ and archive/ use the .xlsx format (xlsx/) and file I/O (files/), never a
  // sink's insides; xlsx/ and files/ import no sink, command or use of theirs, so no folder circle can form. A
  // later layer replaces the sync-service/ one for its files, so each repeats its forbidden folders.
  ...layer('sync-service/sinks/workbook/**/*.ts', [...SYNC_FORBIDS, 'google'], {
    message: `sinks/workbook/ never imports sinks/google/ (shared code lives in sinks/, xlsx/ or files/). ${SYNC_RULE}`,
  }),
  ...layer('sync-service/sinks/google/**/*.ts', [...SYNC_FORBIDS, 'workbook'], {
    message: `sinks/google/ never imports sinks/workbook/ (shared code lives in sinks/, xlsx/ or files/). ${SYNC_RULE}`,
  }),
  ...layer('sync-service/{usage,archive}/**/*.ts', [...SYNC_FORBIDS, 'sinks/workbook', 'sinks/google'], {
    message: `usage/ and archive/ use xlsx/ and files/, never a sink's insides (sinks/workbook/, sinks/google/). ${SYNC_RULE}`,
  }),
  ...layer(
    'sync-service/{xlsx,files}/**/*.ts',
    [...SYNC_FORBIDS, 'sinks', 'usage', 'archive', 'jobs', 'cli'],
    {
      message: `xlsx/ and files/ are used by the sinks, usage/ and archive/ and import none of them. ${SYNC_RULE}`,
    },
  ),
  ...layer('addon/**/*.{ts,mjs}', ['sync-service', 'test', 'bench'], {
    message: 'addon/ and sync-service/ share code only through core/; production code never imports tests.',
  }),
  {
    // The benchmark runner loads each benchmark lazily, so one broken benchmark does not stop the others.
    files: ['bench/index.ts'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // A command file declares its options eagerly and require()s the module that does the work inside its
    // action, and connect.ts requires the adapter a run names: a literal require() stays lazy in the esbuild
    // bundle, so `credit-desk --help` loads no DuckDB, ExcelJS or cloud client (see bin/build-cli.cjs).
    files: ['sync-service/cli/commands/*.ts', 'sync-service/connect.ts'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['**/*.cjs', '**/*.js'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: {
        require: 'readonly',
        module: 'writable',
        process: 'readonly',
        __dirname: 'readonly',
        console: 'readonly',
      },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
  },
  prettier,
);
