/**
 * The `credit-desk` entry: wires Ctrl-C, the reporter and the exit code around the program (cli/program.ts).
 * Each command lives in cli/commands/; the work happens in commands/ and core/.
 */
import { createReporter } from './progress';
import type { CliContext } from './cli/context';
import { EXIT, reportError, type ExitCode } from './cli/exit-codes';
import { makeProgram } from './cli/program';

export async function main(argv: string[]): Promise<number> {
  const reporter = createReporter();
  const controller = new AbortController();
  const onSigint = () => {
    reporter.warn('interrupted — stopping (a running Athena query is cancelled)…');
    controller.abort();
  };
  process.once('SIGINT', onSigint);
  let exitCode: ExitCode = EXIT.ok;
  const ctx: CliContext = {
    reporter,
    signal: controller.signal,
    setExitCode: (code) => {
      exitCode = code;
    },
  };
  try {
    await makeProgram(ctx).parseAsync(argv);
  } catch (err) {
    exitCode = reportError(err, Boolean(process.env.CREDIT_DESK_DEBUG));
  } finally {
    process.removeListener('SIGINT', onSigint);
    reporter.done();
  }
  return exitCode;
}
