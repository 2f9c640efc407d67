#!/usr/bin/env node
// Runs a TypeScript entry file through tsx, so scripts need no separate compile step.
const path = require('node:path');
const { register } = require('tsx/cjs/api');
register();
const entry = process.argv[2];
if (!entry) {
  console.error('usage: run-ts <file.ts> [args...]');
  process.exit(2);
}
process.argv.splice(1, 1); // the script sees its own path as argv[1]
require(path.resolve(entry));
