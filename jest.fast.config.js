// `npm run test:fast`, the edit loop (the type check and this in under a minute on two cores): core's unit tests
// and the sync tests that run in-process and quickly. Left out, and run by `npm test`: every test/sync file that
// starts real processes (the CLI, kill -9, a pasted command: it uses child_process or test/helpers/cli*.ts or
// checkout-copy.ts), the randomized trials (it imports test/helpers/soak.ts), and the in-process files below,
// each over 2 s. A new test/sync file is in the fast loop unless it is one of those.
const { readdirSync, readFileSync } = require('node:fs');
const { join } = require('node:path');
const base = require('./jest.config.js');

/**
 * In-process, but over 2 s each on an idle two-core machine (many writes through the local Sheets server, many
 * workbooks, or many property runs that each write one).
 */
const SLOW_IN_PROCESS = [
  'collect-proof',
  'connect-client',
  'connect-crash',
  'connect-trip',
  'google-sheets-sink',
  'ledger-google',
  'ledger-workbook',
  'not-in-cur',
  'sheets-races',
  'workbook-read.property',
  'workbook-zip',
];
const STARTS_PROCESSES_OR_SOAKS = /child_process|helpers\/(cli|cli-bundle|checkout-copy|soak)'/;

const syncDir = join(__dirname, 'test/sync');
const leftOut = readdirSync(syncDir)
  .filter((name) => name.endsWith('.test.ts'))
  .filter(
    (name) =>
      SLOW_IN_PROCESS.includes(name.replace(/\.test\.ts$/, '')) ||
      STARTS_PROCESSES_OR_SOAKS.test(readFileSync(join(syncDir, name), 'utf8')),
  );

/** @type {import('jest').Config} */
module.exports = {
  ...base,
  roots: ['<rootDir>/test/core', '<rootDir>/test/sync'],
  testPathIgnorePatterns: [
    '/node_modules/',
    ...leftOut.map((name) => `/test/sync/${name.replace(/\./g, '\\.')}$`),
  ],
};
