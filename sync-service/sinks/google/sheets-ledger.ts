/**
 * What the Google Sheets sink does for the Ledger tab (core/ledger.ts) and for reconciliation's row repairs
 * (core/reconcile.ts). Pure: value ranges and batchUpdate requests, no I/O.
 *
 * The Ledger tab is hidden and protected as a whole, editable only by the sync's identity — the same rule as
 * locked Credits rows. The owner of a spreadsheet can still edit or delete it (Google's design); the usage
 * files on disk, when present, restore what it lost, and every run reconciles the Credits tab against it.
 */
import type { sheets_v4 } from '@googleapis/sheets';
import { placeLedgerChanges } from '../../../core/ledger-placement';
import type { RowRepair } from '../../../core/reconcile';
import type { CreditField, LedgerField } from '../../../core/sheet-contract';
import { text, type Cell, type ColumnIndex } from '../../../core/table';
import type { CellUpdate, LedgerChanges } from '../../../core/sheet-changes';
import { planAppends, planUpdates, rowsPerBlock } from './sheets-writes';
import { editableBy } from './sheets-protection';

type ValueRange = sheets_v4.Schema$ValueRange;

export const LEDGER_TAG = 'credit-desk:ledger';

const cellsOf = (values: readonly (readonly unknown[])[] | null | undefined) =>
  (values ?? []).slice(1).map((r) => text(r[0] as Cell));

/**
 * Row repairs found by Credit ID and the Key as read, in the re-read columns (first cell of each is the header).
 * Returns the ranges, the data row of each repair found, and the repairs whose row is gone.
 */
export function planRowRepairs(
  title: string,
  repairs: readonly RowRepair[],
  keyValues: readonly (readonly unknown[])[] | null | undefined,
  idValues: readonly (readonly unknown[])[] | null | undefined,
  idx: ColumnIndex<CreditField>,
): {
  ranges: ValueRange[];
  rows: { repair: RowRepair; row: number }[];
  skipped: { key: string; reason: string }[];
} {
  const keys = cellsOf(keyValues);
  const ids = cellsOf(idValues);
  const n = Math.max(keys.length, ids.length);
  const fits = (i: number, x: RowRepair) => (ids[i] ?? '') === x.creditId && (keys[i] ?? '') === x.readKey;
  const rows: { repair: RowRepair; row: number }[] = [];
  const skipped: { key: string; reason: string }[] = [];
  const taken = new Set<number>();
  for (const x of repairs) {
    const hint = x.sheetRow - 2; // 0-based, like the values read
    let at = hint >= 0 && hint < n && fits(hint, x) && !taken.has(hint) ? hint : -1;
    for (let i = 0; at < 0 && i < n; i++) if (fits(i, x) && !taken.has(i)) at = i;
    if (at < 0) {
      skipped.push({
        key: x.readKey,
        reason: `the row of ${x.creditId} changed since the read; the next run repairs it`,
      });
      continue;
    }
    taken.add(at);
    rows.push({ repair: x, row: at });
  }
  const updates: CellUpdate[] = rows.map(({ repair, row }) => ({
    key: `#${row}`,
    fields: repair.fields,
  }));
  const ranges = planUpdates(title, updates, new Map(rows.map(({ row }) => [`#${row}`, row])), idx).ranges;
  return { ranges, rows, skipped };
}

type Column = readonly (readonly unknown[])[] | null | undefined;

/**
 * Ledger appends after the last row seen, and updates by Key in the re-read Key and Status columns (and Credit ID,
 * re-read when an update names a row by it; first cell of each is the header). Rows are placed by
 * core/ledger-placement.ts, as the workbook sink places them; an update whose row is gone throws before anything
 * is written.
 */
export function planLedgerWrites(
  title: string,
  changes: LedgerChanges | undefined,
  columns: { key: Column; status: Column; creditId?: Column },
  idx: ColumnIndex<LedgerField>,
  maxBytes: number,
): ValueRange[] {
  if (!changes) return [];
  const keys = cellsOf(columns.key);
  const statuses = cellsOf(columns.status);
  const ids = columns.creditId ? cellsOf(columns.creditId) : undefined;
  const count = ledgerRowsSeen(columns.key, columns.status);
  const placed = placeLedgerChanges(
    count,
    (i) => ({ key: keys[i] ?? '', status: statuses[i] ?? '', ...(ids ? { creditId: ids[i] ?? '' } : {}) }),
    changes,
  );
  const rowOf = new Map<string, number>();
  const updates: CellUpdate[] = [];
  for (const [i, fields] of placed.edits) {
    rowOf.set(`#${i}`, i);
    updates.push({ key: `#${i}`, fields: fields as never });
  }
  const cols = idx as unknown as ColumnIndex<CreditField>;
  return [
    ...planUpdates(title, updates, rowOf, cols).ranges,
    ...planAppends(title, placed.appended, count, idx, rowsPerBlock(placed.appended[0], maxBytes)),
  ];
}

/** Data rows of the Ledger as re-read: Google leaves trailing empty cells out of a column, so the longer column counts. */
export function ledgerRowsSeen(
  keyValues: readonly (readonly unknown[])[] | null | undefined,
  statusValues: readonly (readonly unknown[])[] | null | undefined,
): number {
  return Math.max((keyValues?.length ?? 1) - 1, (statusValues?.length ?? 1) - 1, 0);
}

/** Hides the Ledger tab and protects it for `editor` alone, when it is not so already. */
export function ledgerSheetRequests(
  ss: sheets_v4.Schema$Spreadsheet,
  sheetId: number,
  editor: string,
  newId: () => number,
  caller?: string,
): sheets_v4.Schema$Request[] {
  const sheet = (ss.sheets ?? []).find((s) => s.properties?.sheetId === sheetId);
  if (!sheet) return [];
  const out: sheets_v4.Schema$Request[] = [];
  if (!sheet.properties?.hidden)
    out.push({ updateSheetProperties: { properties: { sheetId, hidden: true }, fields: 'hidden' } });
  const want = {
    range: { sheetId },
    description: LEDGER_TAG,
    warningOnly: false,
    editors: { users: [editor] },
  };
  const ours = (sheet.protectedRanges ?? []).filter((p) => p.description === LEDGER_TAG);
  const right = ours.find(
    (p) => p.range?.startRowIndex == null && p.range?.endRowIndex == null && editableBy(p, editor, caller), // the caller Google adds is not a reason to rewrite (sheets-protection.ts)
  );
  for (const p of ours)
    if (p !== right) out.push({ deleteProtectedRange: { protectedRangeId: p.protectedRangeId } });
  if (!right) out.push({ addProtectedRange: { protectedRange: { ...want, protectedRangeId: newId() } } });
  return out;
}
