import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'build/', 'coverage/', 'demo-data/', 'usage-files/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // The shared domain must stay pure: it runs in Node and in Apps Script.
    files: ['core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            'node:*',
            'fs',
            'path',
            'os',
            'child_process',
            'http',
            'https',
            '../sync-service/*',
            '../addon/*',
          ],
        },
      ],
      'no-restricted-globals': ['error', 'process', 'SpreadsheetApp', 'Buffer', 'require', 'console'],
    },
  },
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
