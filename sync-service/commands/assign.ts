/**
 * `credit-desk assign <credit-id> <allocation>` and `credit-desk unassign <credit-id>`: the same checks as the
 * add-on's sidebar (status, allocation, known targets), written to the sheet with an Audit entry.
 */
import { assignCredit, unassignCredit, type AssignOutcome } from '../../core/assignment';
import { CreditDeskError } from '../../core/errors';
import { buildChangeSet, readState, type DeskState } from '../../core/sheet-state';
import type { Sink } from '../sinks/sink';
import type { Reporter } from '../progress';
import { readReconciled } from '../reconcile-step';

/** What assign/unassign need; usageDir and reporter are for reconciliation (see reconcile-step.ts). */
export interface AssignDeps {
  sink: Sink;
  now: Date;
  actor: string;
  usageDir?: string;
  reporter?: Reporter;
}

function findCredit(state: DeskState, creditId: string) {
  const found = state.credits.find((e) => e.credit.creditId === creditId.trim().toUpperCase());
  if (!found) {
    throw new CreditDeskError(
      'UNKNOWN_CREDIT',
      `No credit ${creditId} in the Credits tab.`,
      'Check the ID (credit-desk export lists them), or run credit-desk sync first.',
    );
  }
  return found;
}

async function change(
  deps: AssignDeps,
  creditId: string,
  act: (state: DeskState, found: ReturnType<typeof findCredit>) => AssignOutcome,
): Promise<AssignOutcome> {
  const { sink } = deps;
  const state = readState((await readReconciled(sink, deps)).snapshot);
  const found = findCredit(state, creditId);
  const outcome = act(state, found);
  const report = await sink.write(buildChangeSet([{ before: found, after: outcome.credit }], outcome.audit));
  const skipped = report.skipped.find((s) => s.key === found.credit.key);
  if (skipped) {
    // Compare-and-set refused: someone else changed this credit between our read and our write.
    throw new CreditDeskError(
      'CONFLICT',
      `${found.credit.creditId} was not changed: ${skipped.reason}.`,
      `Look at it again (credit-desk export --format json | grep ${found.credit.creditId}) and run the command again if it still needs changing.`,
    );
  }
  return outcome;
}

export function runAssign(creditId: string, allocation: string, deps: AssignDeps): Promise<AssignOutcome> {
  return change(deps, creditId, (state, found) =>
    assignCredit(found.credit, allocation, {
      directory: state.directory,
      actor: deps.actor,
      now: deps.now.toISOString(),
    }),
  );
}

export function runUnassign(creditId: string, deps: AssignDeps): Promise<AssignOutcome> {
  return change(deps, creditId, (state, found) =>
    unassignCredit(found.credit, {
      directory: state.directory,
      actor: deps.actor,
      now: deps.now.toISOString(),
    }),
  );
}
