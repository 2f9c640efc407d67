#!/usr/bin/env node
// The `credit-desk` command: runs the compiled CLI (see build-cli.cjs for when it is built).
const { cliBundle } = require('./build-cli.cjs');
// `credit-desk export | head` closes the pipe early: that is not an error.
process.stdout.on('error', (err) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});
let main;
try {
  ({ main } = require(cliBundle()));
} catch (err) {
  console.error(`error: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}
main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exitCode = 1;
  },
);
