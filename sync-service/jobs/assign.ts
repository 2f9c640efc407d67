/**
 * `credit-desk assign <credit-id> <allocation>` and `credit-desk unassign <credit-id>`: the same checks as the
 * add-on's sidebar (status, allocation, known targets), written to the sheet with an Audit entry.
 */
import { assignCredit, unassignCredit, type AssignOutcome } from '../../core/assignment';
import { CreditDeskError } from '../../core/errors';
import type { AccountDirectory } from '../../core/accounts';
import { buildChangeSet, findCreditById, readDirectory } from '../../core/sheet-state';
import type { ExistingCredit } from '../../core/merge';
import type { Snapshot } from '../../core/sheet-changes';
import type { Sink } from '../sinks/sink';
import type { Reporter } from '../progress';
import { readReconciled } from '../reconcile-step';
import type { UsageFile } from '../../core/usage';

/** What assign/unassign need; usageDir and reporter are for reconciliation (see reconcile-step.ts). */
export interface AssignDeps {
  sink: Sink;
  now: Date;
  actor: string;
  usageDir?: string;
  reporter?: Reporter;
}

function findCredit(snapshot: Snapshot, creditId: string): ExistingCredit {
  const found = findCreditById(snapshot.tabs.credits, creditId);
  if (!found) {
    throw new CreditDeskError(
      'UNKNOWN_CREDIT',
      `No credit ${creditId} in the Credits tab.`,
      'Check the ID (credit-desk export lists them), or run credit-desk sync first.',
    );
  }
  return found;
}

/**
 * A credit an interrupted `usage collect` wrote into its journal ("collecting") is on its way into a usage file:
 * changing it now would leave the collection to be completed with a credit that is no longer as collected.
 */
function refuseWhileCollecting(found: ExistingCredit, files: readonly UsageFile[]): void {
  const file = files.find(
    (f) => f.status === 'collecting' && f.records.some((r) => r.key === found.credit.key),
  );
  if (!file) return;
  throw new CreditDeskError(
    'USAGE',
    `${found.credit.creditId} was not changed: it is in ${file.usageFileId}, a collection an interrupted \`usage collect\` left unfinished.`,
    'Run `credit-desk usage collect` to complete that collection first; the credit is then PROCESSING and read-only.',
  );
}

async function change(
  deps: AssignDeps,
  creditId: string,
  act: (directory: AccountDirectory, found: ExistingCredit) => AssignOutcome,
): Promise<AssignOutcome> {
  const { sink } = deps;
  // Only this credit's row and the rows the check needs (decision 0026): 0.7 MB down instead of 2.7 MB at
  // 50,000 credits on a Google Sheet.
  const { snapshot, usageFiles } = await readReconciled(sink, { ...deps, scope: [creditId] });
  const found = findCredit(snapshot, creditId);
  refuseWhileCollecting(found, usageFiles);
  const outcome = act(readDirectory(snapshot), found);
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
  return change(deps, creditId, (directory, found) =>
    assignCredit(found.credit, allocation, {
      directory,
      actor: deps.actor,
      now: deps.now.toISOString(),
    }),
  );
}

export function runUnassign(creditId: string, deps: AssignDeps): Promise<AssignOutcome> {
  return change(deps, creditId, (directory, found) =>
    unassignCredit(found.credit, {
      directory,
      actor: deps.actor,
      now: deps.now.toISOString(),
    }),
  );
}
