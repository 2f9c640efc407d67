#!/usr/bin/env -S node --max-semi-space-size=64
// The `credit-desk` command: runs the compiled CLI (see build-cli.cjs for when it is built).
// The first line is the one place Node's flags are set (docs/decisions/0023): a young generation of 64 MB, where
// Node's default of 16 MB had the month's big commands spend a quarter of their time copying short-lived rows
// (a 50,000-credit `usage collect`: 22.4 → 18.0 s CPU). `./credit-desk`, `npm start` and the Docker image start
// this file by its first line; bench/launcher-flags.ts reads the flags from it for the benchmarks' processes.
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
