/** Runs the real `credit-desk` command (bin/credit-desk.cjs, the shipped bundle) as a user would. */
import { spawn, spawnSync } from 'node:child_process';
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

export interface SignalledRun extends CliRun {
  signal: NodeJS.Signals | null;
}

/**
 * Runs the command and, the first time stderr matches `when`, sends it `signals` one after another (as a user
 * pressing Ctrl-C once or twice): what a real interrupt does to a real process.
 */
export function runCliSignalled(
  args: string[],
  cwd: string,
  when: RegExp,
  signals: NodeJS.Signals[],
): Promise<SignalledRun> {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd,
    env: { ...process.env, CREDIT_DESK_DEBUG: '' },
  });
  let out = '';
  let err = '';
  let sent = false;
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => {
    err += d.toString();
    if (sent || !when.test(err)) return;
    sent = true;
    for (const s of signals) child.kill(s);
  });
  return new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal, out, err })));
}
