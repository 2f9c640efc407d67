/**
 * The exit codes docs/user-guide.md ("The CLI") documents, and the one place that maps an error to one of them. Commander's own
 * errors (unknown option, missing argument, bad choice) are usage errors, like a bad setting.
 */
import { CommanderError } from 'commander';
import { isCreditDeskError } from '../../core/errors';
import { EXIT_INTERRUPTED, Interrupted } from '../interrupt';
import { SettingsError } from '../settings';

export const EXIT = {
  /** Done. */
  ok: 0,
  /** A problem with the data or the sheet: the message says which row or cell and what to do. */
  dataProblem: 1,
  /** A wrong option, argument or setting. */
  usage: 2,
  /** Done, but something was left for a person: CUR lines left out, credits skipped, rules not applied. */
  attention: 3,
  /** Stopped by Ctrl-C or SIGTERM (interrupt.ts): nothing half-written, no lock left. */
  interrupted: EXIT_INTERRUPTED,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** Prints what went wrong (commander has already printed its own message) and returns the exit code. */
export function reportError(err: unknown, debug: boolean): ExitCode {
  if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
  if (err instanceof Interrupted) {
    console.error(err.message);
    return EXIT.interrupted;
  }
  if (err instanceof SettingsError) {
    console.error(`error: ${err.message}`);
    return EXIT.usage;
  }
  if (isCreditDeskError(err)) {
    console.error(`error: ${err.message}`);
    return EXIT.dataProblem;
  }
  const e = err as Error | undefined;
  console.error(`error: ${e?.message ?? String(err)}`);
  if (debug) console.error(e?.stack);
  return EXIT.dataProblem;
}
