/**
 * "An amount the CUR still confirms": the usage process bills a credit only for the amount the last sync read
 * from the CUR. The Amount cell is the sync's column, but nothing stops a person typing into it, and a typed
 * amount stands until the next sync puts the CUR's back. The Audit tab records every amount the sync writes
 * (`sync-add`, and `sync-update` of field `amount`), so the amount the sync last wrote is the proof; a credit
 * whose cell says otherwise, or that the Audit has no amount for (its rows were deleted), is not collected until
 * a sync has written (and recorded) its amount again: the sync records the amount of every credit the Audit
 * shows no sync row for (`creditsWithSyncRows`, core/merge.ts), from the Credit ID and Action columns alone —
 * a typed amount it puts back anyway, and records that.
 */
import { auditAfterValues } from './audit';
import type { AuditField } from './sheet-contract';
import { fromSheetValue, type Minor } from './money';
import { indexColumns, text, type Cell, type Grid } from './table';

/**
 * Credit ID → the amount the sync last recorded in the Audit tab for it, as the cell holds it: text, or a number
 * where a spreadsheet took a single-field row's "20.50" for one (Google Sheets does), so compare with
 * `isSyncedAmount`, never as text.
 */
export function readSyncedAmounts(audit: Grid): Map<string, Cell> {
  const out = new Map<string, Cell>();
  if (!audit.rows.length) return out;
  const idx = indexColumns<AuditField>('audit', audit.headers);
  for (const row of audit.rows) {
    const action = text(row[idx.action]);
    if (action !== 'sync-add' && action !== 'sync-update') continue;
    const field = text(row[idx.field]);
    if (!field.split(', ').includes('amount')) continue;
    const amount = auditAfterValues(field, row[idx.after] === null ? '' : String(row[idx.after])).get(
      'amount',
    );
    if (amount !== undefined) out.set(text(row[idx.creditId]), amount.trim());
  }
  return out;
}

/** Whether the amount the sync recorded (a cell of `readSyncedAmounts`) is `amount`; false when none or unreadable. */
export function isSyncedAmount(recorded: Cell | undefined, amount: Minor, currency: string): boolean {
  if (recorded === undefined || recorded === null || recorded === '') return false;
  try {
    return fromSheetValue(recorded, currency) === amount;
  } catch {
    return false; // a hand-edited Audit cell proves nothing
  }
}

/** The Credit IDs that have a `sync-add` or `sync-update` row: the credits whose amount the Audit records. */
export function creditsWithSyncRows(audit: Grid): Set<string> {
  const out = new Set<string>();
  if (!audit.rows.length) return out;
  const idx = indexColumns<AuditField>('audit', audit.headers);
  for (const row of audit.rows) {
    const action = text(row[idx.action]);
    if (action === 'sync-add' || action === 'sync-update') out.add(text(row[idx.creditId]));
  }
  return out;
}
