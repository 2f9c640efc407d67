/**
 * The write contract: what every writer of the Credits tab does with the changes a command planned, stated once.
 * Four writers keep it — the whole-file workbook writer (sync-service/sinks/workbook/workbook.ts), the patcher
 * (workbook-patch.ts), the Google Sheets sink (google-sheets.ts) and the add-on's guarded write
 * (addon/server/guarded-write.ts) — and test/contract/writer-contract.ts runs one suite against each of them, so
 * a new sink is one folder that passes that suite.
 *
 * Between a command's read and its write, people keep working in the sheet (Excel and the Sheets UI take no
 * lock of ours): they sort, insert and delete rows, type an allocation, and the usage process collects. So:
 *
 * 1. A row is found by its Key as the sheet holds it at write time, never by where it was read. A writer may
 *    look only at the Key cells where it last saw its rows and at the tab's last row, if it reads the whole Key
 *    column whenever one of them moved and whenever it appends (rule 5): docs/decisions/0022.
 * 2. Compare-and-set: an update whose `expect` (CellUpdate.expect) no longer holds is skipped whole; cells are
 *    compared as the domain reads them (stillAsRead: by text, a blank Status is PENDING_ASSIGN).
 * 3. A locked row (PROCESSING / PROCESSED) is never changed by a plan made while it was unlocked: rule 2 sees its
 *    Status moved. (The add-on, which is not the usage process, refuses every locked row.)
 * 4. An update whose Key is on no row any more (deleted by hand) is skipped, not written elsewhere.
 * 5. A new row is appended only if its Key is still absent; one someone added meanwhile is kept, never doubled.
 * 6. A skipped credit's Audit rows (by Credit ID) and Ledger changes (by Key) are dropped with it; every other
 *    change's Audit rows are appended with it, in the same write.
 * 7. Each skip is reported (SkippedChange: the Key, the Credit ID, why), so the command can say what it left.
 *
 * Together they make a replay of a change set already written change nothing: its updates' `expect` no longer
 * holds and its new rows' Keys are there, so both are skipped, and their Audit rows with them.
 */
import { isLocked, isStatus } from './status';
import { text, type Cell } from './table';
import type { GuardedField, SkippedChange } from './sheet-changes';

const HEADER: Record<GuardedField, string> = { status: 'Status', allocation: 'Allocation' };

/** Rule 2 or 3: an update whose guarded cell moved; `statusNow` tells a row locked meanwhile (rule 3) apart. */
export function skippedAsChanged(
  key: string,
  creditId: string,
  conflict: { field: GuardedField; now: string },
  statusNow: Cell | undefined,
): SkippedChange {
  const status = text(statusNow);
  if (isStatus(status) && isLocked(status))
    return {
      key,
      creditId,
      why: 'locked',
      reason: `it is ${status} now (collected after this command read it), so it is read-only; nothing of it was written`,
    };
  return {
    key,
    creditId,
    why: 'changed',
    reason: `its ${HEADER[conflict.field]} was changed to "${conflict.now}" by someone else after this command read it; their change is kept`,
  };
}

/** Rule 4: no row holds the update's Key any more. */
export function skippedAsGone(key: string, creditId: string): SkippedChange {
  return {
    key,
    creditId,
    why: 'gone',
    reason: 'its row is gone from the Credits tab (deleted after this command read it)',
  };
}

/** Rule 5: the new row's Key is already on sheet row `sheetRow` (1-based). */
export function skippedAsAdded(key: string, creditId: string, sheetRow: number): SkippedChange {
  return {
    key,
    creditId,
    why: 'added',
    reason: `it was added to the Credits tab by someone else after this command read it (row ${sheetRow}); that row is kept`,
  };
}
