/**
 * The add-on's guarded write (addon/server/guarded-write.ts) keeps the write contract, on the in-memory
 * SpreadsheetApp with its Sheets API front. Each update of the change set is a PlannedWrite with the Audit rows
 * of its credit, as the add-on's actions plan them; the add-on adds no Credits rows.
 */
import type { AuditAction, AuditEntry } from '../../core/audit';
import { AUDIT_COLUMNS, CREDIT_COLUMNS, type CreditField } from '../../core/sheet-contract';
import type { SkipKind } from '../../core/sheet-changes';
import { indexColumns, text, type Cell } from '../../core/table';
import { guardedWrite, type PlannedWrite } from '../../addon/server/guarded-write';
import { installFakeAppsScript } from '../fakes/apps-script';
import { buildSpreadsheet, records } from '../fakes/sheet-builder';
import { describeWriterContract, type AuditRow, type Row, type WriterUnderTest } from './writer-contract';

const USER = 'ana@distributor.example';

function guardedWriter(): Promise<WriterUnderTest> {
  const ss = buildSpreadsheet({ credits: [] });
  const fake = installFakeAppsScript(ss, { userEmail: USER });
  const credits = ss._sheet('Credits');
  const put = (rows: Row[]) =>
    rows.forEach((r, i) => CREDIT_COLUMNS.forEach((c, j) => credits._set(i + 2, j + 1, r[c.field])));
  const byHeader = (rec: Record<string, unknown>, columns: readonly { field: string; header: string }[]) =>
    Object.fromEntries(columns.map((c) => [c.field, (rec[c.header] ?? '') as Cell]));
  const rowsNow = () =>
    records(credits)
      .map((r) => byHeader(r, CREDIT_COLUMNS) as Row)
      .filter((r) => text(r.key));
  return Promise.resolve({
    seed: (rows) => Promise.resolve(put(rows)),
    // The add-on's read is its preview; what it planned from it is the change set.
    read: () => Promise.resolve(),
    byHand(edit) {
      const now = rowsNow();
      const after = edit(now);
      if (after.length < now.length) credits.deleteRows(after.length + 2, now.length - after.length);
      put(after);
      return Promise.resolve();
    },
    write(changes) {
      if (changes.appends.length) throw new Error('the add-on adds no Credits rows');
      const writes: PlannedWrite[] = changes.updates.map((u) => ({
        key: u.key,
        creditId: u.creditId ?? '',
        expect: Object.fromEntries(Object.entries(u.expect ?? {}).map(([f, v]) => [f, text(v)])),
        set: u.fields,
        audit: changes.audit
          .filter((a) => text(a.creditId) === u.creditId)
          .map((a) => ({
            ...(Object.fromEntries(Object.entries(a).map(([f, v]) => [f, text(v)])) as Omit<
              AuditEntry,
              'action'
            >),
            action: text(a.action) as AuditAction,
          })),
      }));
      const headers = credits._rows[0] as Cell[];
      // The spreadsheet as the add-on's code gets it (server/live-sheet.ts).
      const live = SpreadsheetApp.getActiveSpreadsheet();
      const sheet = live.getSheetByName('Credits')!;
      const report = guardedWrite(
        live,
        'UTC',
        { sheet, idx: indexColumns<CreditField>('credits', headers), headers },
        writes,
        USER,
      );
      const keyOf = new Map(writes.map((w) => [w.creditId, w.key]));
      const skip = (why: SkipKind) => (creditId: string) => ({ key: keyOf.get(creditId)!, why });
      return Promise.resolve({
        written: report.written.length,
        skipped: [
          ...report.changed.map((c) =>
            skip(/no longer on Credits/.test(c.why) ? 'gone' : 'changed')(c.creditId),
          ),
          ...report.lockedIds.map(skip('locked')),
        ],
      });
    },
    credits: () => Promise.resolve(rowsNow()),
    audit: () =>
      Promise.resolve(records(ss._sheet('Audit')).map((r) => byHeader(r, AUDIT_COLUMNS) as AuditRow)),
    close: () => Promise.resolve(fake.uninstall()),
  });
}

describeWriterContract("the add-on's guarded write", guardedWriter, { appends: false });
