/**
 * The `credit-desk` entry: wires Ctrl-C/SIGTERM (interrupt.ts), the reporter and the exit code around the
 * program (cli/program.ts). Each command lives in cli/commands/; the work happens in commands/ and core/.
 */
import { createReporter } from './progress';
import type { CliContext } from './cli/context';
import { EXIT, reportError, type ExitCode } from './cli/exit-codes';
import { makeProgram } from './cli/program';
import { handleStopSignals, stopRequested } from './interrupt';

export async function main(argv: string[]): Promise<number> {
  const reporter = createReporter();
  const controller = new AbortController();
  const unhandle = handleStopSignals((signal) => {
    reporter.warn(
      `${signal === 'SIGINT' ? 'interrupted' : signal} — stopping before the next change; Ctrl-C again stops at once…`,
    );
    controller.abort();
  });
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
    unhandle();
    reporter.done();
  }
  // Stopped, even if the command got to its end first (a collection finishes once begun): the shell's code.
  return stopRequested() ? EXIT.interrupted : exitCode;
}
