/**
 * assignCredit / unassignCredit from the sidebar. The row is found again BY CREDIT ID (the sidebar's row
 * number may be stale: staff sort and filter), and a PROCESSING/PROCESSED credit is refused here, whatever
 * the sidebar showed or sent.
 */
import {
  assignCredit as coreAssign,
  unassignCredit as coreUnassign,
  type AssignContext,
  type AssignOutcome,
} from '../../core/assignment';
import type { AccountDirectory } from '../../core/accounts';
import type { Credit } from '../../core/credit';
import { CreditDeskError } from '../../core/errors';
import { isLocked } from '../../core/status';
import type { CreditView } from '../api';
import { withDocumentLock } from '../services/lock';
import { currentUserEmail } from '../services/session';
import { appendAudit } from './audit-log';
import { writeAssignments } from './credit-writes';
import { refreshSnapshot } from './locked-snapshot';
import { creditView } from './views';
import { openSpreadsheet, readCredits, readDirectory, type CreditsTab } from './workbook';

export function assignContext(directory: AccountDirectory): AssignContext {
  return { directory, actor: currentUserEmail(), now: new Date().toISOString() };
}

export function findCredit(tab: CreditsTab, creditId: string): { row: number; credit: Credit } {
  const id = String(creditId ?? '').trim();
  const found = tab.credits.find((c) => c.credit.creditId === id);
  if (!found) {
    throw new CreditDeskError(
      'UNKNOWN_CREDIT',
      `Credit ${id || '(no ID)'} is not on the Credits tab.`,
      'It may have been removed by a sync; select the row again and press Refresh.',
    );
  }
  return found;
}

export function refuseLocked(credit: Credit): void {
  if (isLocked(credit.status)) {
    throw new CreditDeskError(
      'LOCKED',
      `Credit ${credit.creditId} is ${credit.status}: the usage process collected it, so it can no longer change.`,
      'Nothing was changed. Select a PENDING_ASSIGN or ASSIGNED credit.',
    );
  }
}

function change(creditId: string, run: (credit: Credit, ctx: AssignContext) => AssignOutcome): CreditView {
  return withDocumentLock(() => {
    const { ss, timeZone } = openSpreadsheet();
    const tab = readCredits(ss, timeZone);
    const { row, credit } = findCredit(tab, creditId);
    refuseLocked(credit);
    const outcome = run(credit, assignContext(readDirectory(ss, timeZone)));
    writeAssignments(tab, [{ row, credit: outcome.credit }]);
    appendAudit(ss, outcome.audit);
    refreshSnapshot(ss, tab);
    return creditView(outcome.credit, row);
  });
}

export function assignCredit(creditId: string, allocationText: string): CreditView {
  return change(creditId, (credit, ctx) => coreAssign(credit, String(allocationText ?? ''), ctx));
}

export function unassignCredit(creditId: string): CreditView {
  return change(creditId, (credit, ctx) => coreUnassign(credit, ctx));
}
