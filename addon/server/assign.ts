/**
 * assignCredit / unassignCredit from the sidebar. The row is found again BY CREDIT ID (the sidebar's row
 * number may be stale: staff sort and filter), and a PROCESSING/PROCESSED credit is refused here, whatever
 * the sidebar showed or sent. The write is compare-and-set (guarded-write.ts).
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
import { assignmentWrite } from './credit-writes';
import { guardedWrite, layoutOf, type WriteReport } from './guarded-write';
import { creditView } from './views';
import type { ExistingCredit } from '../../core/merge';
import { soleCredit } from '../../core/sheet-state';
import { openSpreadsheet, readCredits, readDirectory, type CreditsTab } from './live-sheet';

export function assignContext(directory: AccountDirectory): AssignContext {
  return { directory, actor: currentUserEmail(), now: new Date().toISOString() };
}

function findCredit(tab: CreditsTab, creditId: string): ExistingCredit {
  const id = String(creditId ?? '').trim();
  const found = soleCredit(
    tab.credits.filter((c) => c.credit.creditId === id),
    id,
  );
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

/** A single-credit write that did not happen becomes an error that says why. */
export function refuseUnwritten(creditId: string, report: WriteReport): void {
  if (report.written.includes(creditId)) return;
  if (report.lockedIds.length)
    throw new CreditDeskError(
      'LOCKED',
      `Credit ${creditId} became PROCESSING/PROCESSED meanwhile: it can no longer change.`,
      'Nothing was changed.',
    );
  if (report.protectedIds.length)
    throw new CreditDeskError(
      'LOCKED',
      `Credit ${creditId}'s row is protected against you in this sheet.`,
      'Nothing was changed. Ask the sheet owner, or the person who protected it.',
    );
  const why = report.changed[0]?.why ?? 'it changed';
  throw new CreditDeskError(
    'LOCKED',
    `Credit ${creditId} was not changed: ${why}.`,
    'Press Refresh to see it as it is now, then try again.',
  );
}

function change(creditId: string, run: (credit: Credit, ctx: AssignContext) => AssignOutcome): CreditView {
  return withDocumentLock(() => {
    const { ss, timeZone } = openSpreadsheet();
    const tab = readCredits(ss, timeZone);
    const { sheetRow, credit } = findCredit(tab, creditId);
    refuseLocked(credit);
    const ctx = assignContext(readDirectory(ss, timeZone));
    const outcome = run(credit, ctx);
    const report = guardedWrite(
      ss,
      timeZone,
      layoutOf(tab),
      [assignmentWrite(credit, outcome.credit, outcome.audit)],
      ctx.actor,
    );
    refuseUnwritten(credit.creditId, report);
    return creditView(outcome.credit, sheetRow);
  });
}

export function assignCredit(creditId: string, allocationText: string): CreditView {
  return change(creditId, (credit, ctx) => coreAssign(credit, String(allocationText ?? ''), ctx));
}

export function unassignCredit(creditId: string): CreditView {
  return change(creditId, (credit, ctx) => coreUnassign(credit, ctx));
}
