const { availableParallelism } = require('node:os');

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  setupFiles: ['<rootDir>/test/helpers/isolate-env.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' } }] },
  testTimeout: 60000,
  // Two workers even on two cores, where jest's default (cores − 1) is one, run in band: many files spend their
  // time waiting on a child process (the CLI, Chromium) or a local server, so a second file fills the idle core.
  // (Running a few files by hand on a shared machine: `npx jest <paths> --maxWorkers=1`.)
  maxWorkers: Math.max(2, availableParallelism() - 1),
};
