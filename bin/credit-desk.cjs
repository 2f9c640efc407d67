#!/usr/bin/env node
// The `credit-desk` command. The CLI is TypeScript, loaded through tsx so that a clone runs with no build step.
const { register } = require('tsx/cjs/api');
register();
const { main } = require('../sync-service/cli.ts');
// `credit-desk export | head` closes the pipe early: that is not an error.
process.stdout.on('error', (err) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});
main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exitCode = 1;
  },
);
