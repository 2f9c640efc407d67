/** Runs the real `credit-desk` command (bin/credit-desk.cjs, the shipped bundle) as a user would. */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const BIN = join(__dirname, '../../bin/credit-desk.cjs');

export interface CliRun {
  code: number | null;
  out: string;
  err: string;
}

export function runCli(args: string[], cwd: string): CliRun {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd,
    encoding: 'utf8',
    // No stack traces: the tests read the messages a user reads.
    env: { ...process.env, CREDIT_DESK_DEBUG: '' },
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}
