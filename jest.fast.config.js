// `npm run test:fast`, the edit loop (the type check and this in under a minute on two cores): core's unit tests
// and the sync tests that run in-process and quickly. Left out, and run by `npm test`: every test/sync-service file that
// starts real processes (the CLI, kill -9, a pasted command: it uses child_process or test/helpers/cli*.ts or
// checkout-copy.ts), the randomized trials (it imports test/helpers/soak.ts), and the in-process files below,
// each over 2 s. A new test/sync-service file is in the fast loop unless it is one of those.
const { readdirSync, readFileSync } = require('node:fs');
const { basename, join } = require('node:path');
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

const syncDir = join(__dirname, 'test/sync-service');
const leftOut = readdirSync(syncDir, { recursive: true })
  .filter((path) => path.endsWith('.test.ts'))
  .filter(
    (path) =>
      SLOW_IN_PROCESS.includes(basename(path, '.test.ts')) ||
      STARTS_PROCESSES_OR_SOAKS.test(readFileSync(join(syncDir, path), 'utf8')),
  );

/** @type {import('jest').Config} */
module.exports = {
  ...base,
  roots: ['<rootDir>/test/core', '<rootDir>/test/sync-service'],
  testPathIgnorePatterns: [
    '/node_modules/',
    ...leftOut.map((path) => `/test/sync-service/${path.replace(/\./g, '\\.')}$`),
  ],
};
