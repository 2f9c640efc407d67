/**
 * Ctrl-C and SIGTERM (issue 24). The first asks the run to stop at its next safe point: just before a file or
 * the sheet would be changed (stopPoint, called by the sinks' writes), so the workbook is left as it was or as a
 * whole save made it, never half of a run. The second stops at once: process.exit, whose 'exit' hooks release
 * the writer lock (file-lock.ts) and remove this process's temp files (atomic-file.ts); every save being a
 * rename, the files are still whole. Either way the command exits 130, the shell's code for Ctrl-C.
 *
 * Module state, not a signal passed down: stop points sit deep in the sinks, and one CLI process runs one
 * command, so a process-wide "stop requested" is what a signal means anyway.
 */

export const EXIT_INTERRUPTED = 130;

let requested: NodeJS.Signals | null = null;
/** How many steps are finishing what they started (finishing()): stop points let the run go on meanwhile. */
let finishingSteps = 0;

/** Thrown at a stop point once a stop was requested: nothing was changed from there on. */
export class Interrupted extends Error {
  constructor(readonly signal: NodeJS.Signals) {
    super(`stopped (${signal}) before changing anything more; what was saved before is whole.`);
    this.name = 'Interrupted';
  }
}

/** Which signal asked the run to stop, if one did. */
export function stopRequested(): NodeJS.Signals | null {
  return requested;
}

/**
 * A safe point: throws Interrupted if a stop was requested, unless the run has committed to finishing.
 *
 * It lets the event loop poll first: Node hands a signal to its listener only from the loop's poll phase (libuv
 * reads it from a pipe there), so a Ctrl-C pressed during the synchronous work before a stop point (the read,
 * reconciliation and plan of a month: seconds) was not seen there, and the run went on to commit. Found on a
 * 50,000-credit `usage collect`: Ctrl-C during its read printed "stopping before the next change", then the run
 * collected and locked every credit. Two turns: run from an I/O callback (the poll phase), the first immediate
 * comes in the same iteration's check phase, before any poll; the second one comes after the next poll.
 */
export async function stopPoint(): Promise<void> {
  await loopTurn();
  await loopTurn();
  if (requested && !finishingSteps) throw new Interrupted(requested);
}

const loopTurn = () => new Promise<void>((turn) => setImmediate(turn));

/**
 * Runs a step that finishes what it started instead of stopping: a step whose journal is written (a usage
 * collection) is safer completed now than left to the next run. A second signal still stops at once. Once the
 * step is done, however it ends, the stop points after it stop again (run-month's statements and Connect round
 * trip after its collection; found by SIGTERM sent as run-month's collection began, which then wrote every
 * statement too).
 */
export async function finishing<T>(step: () => Promise<T>): Promise<T> {
  finishingSteps++;
  try {
    return await step();
  } finally {
    finishingSteps--;
  }
}

/**
 * Installs the SIGINT/SIGTERM handlers for one command. `onFirst` is told the first signal (to cancel work
 * that can be cancelled, such as an Athena query); the second exits at once. Returns the uninstaller.
 */
export function handleStopSignals(onFirst: (signal: NodeJS.Signals) => void): () => void {
  const onSignal = (signal: NodeJS.Signals) => {
    if (requested) {
      process.stderr.write(`\n${signal} again — stopping now; saved files stay whole.\n`);
      process.exit(EXIT_INTERRUPTED);
    }
    requested = signal;
    onFirst(signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return () => {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  };
}
