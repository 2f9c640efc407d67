/**
 * Where each Ledger change lands, decided once for every writer (the workbook's full writer and patcher, and the
 * Google Sheets sink), so that the three cannot disagree about which row holds a collected credit.
 *
 * The rules:
 * - a credit's row is the first row whose Key is its key and whose Status is not ARCHIVED: a packed row of archived
 *   credits (core/archived-ledger.ts) is no credit's row, even when it lists a single key; an update that names a
 *   Credit ID too is for the first such row holding that ID (a Key typed over onto a second row);
 * - an update whose credit has no row is lost money-wise (the usage record would not be in the sheet), so the whole
 *   write is refused rather than the update dropped;
 * - an append whose credit already has a row rewrites that row (a run that died after writing it re-appends);
 * - a packed ARCHIVED row is always a new row.
 */
import { ARCHIVED_STATUS } from './archived-ledger';
import { CreditDeskError } from './errors';
import type { LedgerField } from './sheet-contract';
import type { LedgerChanges } from './sheet-changes';
import { text, type Cell } from './table';

export type LedgerFields = Partial<Record<LedgerField, Cell>>;

/** A Ledger row as the writer read it: its Key and its Status cell, and its Credit ID when asked for. */
export interface LedgerRowSeen {
  key: string;
  status: string;
  /** Read only when an update names one (ledgerUpdatesNameIds): a writer need not read the column otherwise. */
  creditId?: string;
}

/**
 * Whether an update names its row's Credit ID as well as its Key: a Key two rows hold, one of them typed over
 * (core/ledger-key-check.ts), where the first row with the Key may be the other credit's.
 */
export function ledgerUpdatesNameIds(changes: LedgerChanges | undefined): boolean {
  return !!changes?.updates.some((u) => u.creditId !== undefined);
}

const idAndKey = (key: string, creditId: string) => `${key}\n${creditId}`;

export interface LedgerPlacement {
  /** 0-based data row (row 0 is the sheet's second row) → the fields written there, later changes winning. */
  edits: Map<number, LedgerFields>;
  /** New rows after the last row seen, in order. */
  appended: LedgerFields[];
}

/**
 * Places `changes` against the rows seen (`rowAt(i)` for i < `count`). Throws ledgerRowsLostError when an update's
 * credit has no row: nothing may be written then.
 */
export function placeLedgerChanges(
  count: number,
  rowAt: (i: number) => LedgerRowSeen,
  changes: LedgerChanges,
): LedgerPlacement {
  const rowOfKey = new Map<string, number>();
  // Rows an update names by Key and Credit ID: the first holding both.
  const named = new Set(
    changes.updates.filter((u) => u.creditId !== undefined).map((u) => idAndKey(u.key, u.creditId!)),
  );
  const rowOfNamed = new Map<string, number>();
  for (let i = 0; i < count; i++) {
    const { key, status, creditId } = rowAt(i);
    if (!key || status === ARCHIVED_STATUS) continue;
    if (!rowOfKey.has(key)) rowOfKey.set(key, i);
    const both = named.size && creditId !== undefined ? idAndKey(key, creditId) : undefined;
    if (both && named.has(both) && !rowOfNamed.has(both)) rowOfNamed.set(both, i);
  }
  const rowOf = (u: LedgerChanges['updates'][number]) =>
    u.creditId === undefined ? rowOfKey.get(u.key) : rowOfNamed.get(idAndKey(u.key, u.creditId));
  const lost = changes.updates.filter((u) => rowOf(u) === undefined).map((u) => u.key);
  if (lost.length) throw ledgerRowsLostError(lost);

  const edits = new Map<number, LedgerFields>();
  const appended: LedgerFields[] = [];
  const write = (i: number, fields: LedgerFields) => {
    if (i < count) edits.set(i, { ...edits.get(i), ...fields });
    else appended[i - count] = { ...appended[i - count], ...fields };
  };
  for (const u of changes.updates) write(rowOf(u)!, u.fields);
  for (const a of changes.appends) {
    const key = text(a.key);
    const at = text(a.status) === ARCHIVED_STATUS ? undefined : rowOfKey.get(key);
    if (at !== undefined) write(at, a);
    else {
      const i = count + appended.length;
      // The change's own object, not a copy (134,000 appends at a 150,000-credit collect): nothing changes it in
      // place, a later change to the same row makes a new object (write above).
      appended.push(a);
      if (key && text(a.status) !== ARCHIVED_STATUS) rowOfKey.set(key, i);
    }
  }
  return { edits, appended };
}

/** An update names a collected credit the Ledger tab no longer has a row for. */
export function ledgerRowsLostError(keys: readonly string[]): CreditDeskError {
  return new CreditDeskError(
    'BAD_SHEET',
    `The Ledger tab has no row for ${keys.length} collected credit(s) (Key ${keys[0]}); nothing was written.`,
    'Run `credit-desk sync` first: it restores the Ledger from the usage files, then run this command again.',
  );
}
