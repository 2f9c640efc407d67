/**
 * The Ledger tab: written by the usage process (the sync), one row per collected credit, hidden and protected.
 * It is the record the add-on repairs PROCESSING/PROCESSED rows from — keyed by Credit ID (and Key), never by
 * row number, because staff sort, insert and delete rows. Read by headers, like every tab.
 */
import { ARCHIVED_STATUS } from '../../core/archived-ledger';
import { isCandidateOf } from '../../core/ids';
import { REOPENED_STATUS } from '../../core/ledger';
import { TABS } from '../../core/sheet-contract';
import type { Cell } from '../../core/table';
import { text } from '../../core/table';
import { toCell } from '../services/cells';

type Spreadsheet = GoogleAppsScript.Spreadsheet.Spreadsheet;

/** The tab's name, from the sheet contract the usage process writes it by (core/sheet-contract.ts). */
export const LEDGER_TAB = TABS.ledger.name;

/** Ledger columns that are not Credits columns (the Ledger's own bookkeeping). */
const LEDGER_ONLY = new Set(['collected at', 'closed at', 'connect note']);

export interface LedgerEntry {
  key: string;
  creditId: string;
  /** Credits-column values by lower-case header (only headers the Credits tab also has matter). */
  cells: Map<string, Cell>;
  /** What Connect said on closing the credit (core/ledger.ts connectNote); '' when closed by hand or open. */
  connectNote: string;
}

export interface Ledger {
  byKey: Map<string, LedgerEntry>;
  byId: Map<string, LedgerEntry>;
  size: number;
}

export function parseLedger(values: unknown[][], timeZone: string): Ledger {
  const [head = [], ...rows] = values;
  const headers = head.map((h) =>
    String(h ?? '')
      .trim()
      .toLowerCase(),
  );
  const keyAt = headers.indexOf('key');
  const idAt = headers.indexOf('credit id');
  const statusAt = headers.indexOf('status');
  // An older Ledger has no Connect Note column (it is addable): nothing heard from Connect.
  const noteAt = headers.indexOf('connect note');
  const ledger: Ledger = { byKey: new Map(), byId: new Map(), size: 0 };
  if (keyAt < 0 && idAt < 0) return ledger;
  for (const r of rows) {
    const key = keyAt >= 0 ? text(toCell(r[keyAt], timeZone)) : '';
    const creditId = idAt >= 0 ? text(toCell(r[idAt], timeZone)) : '';
    if (!key && !creditId) continue;
    // A packed list of archived credits (core/archived-ledger.ts): they left the sheet, nothing to repair.
    if (statusAt >= 0 && text(toCell(r[statusAt], timeZone)) === ARCHIVED_STATUS) continue;
    // A collection Connect rejected (docs/decisions/0008): the credit is ASSIGNED again, not collected.
    if (statusAt >= 0 && text(toCell(r[statusAt], timeZone)) === REOPENED_STATUS) continue;
    const cells = new Map<string, Cell>();
    headers.forEach((h, i) => {
      if (h && !LEDGER_ONLY.has(h)) cells.set(h, toCell(r[i], timeZone));
    });
    const connectNote = noteAt >= 0 ? text(toCell(r[noteAt], timeZone)) : '';
    const entry = { key, creditId, cells, connectNote };
    if (key) ledger.byKey.set(key, entry);
    if (creditId) ledger.byId.set(creditId, entry);
    ledger.size++;
  }
  return ledger;
}

/** One getDataRange().getValues() of the Ledger; an absent tab is an empty ledger (nothing collected yet). */
export function readLedger(ss: Spreadsheet, timeZone: string): Ledger | null {
  const sheet = ss.getSheetByName(LEDGER_TAB);
  if (!sheet) return null;
  return parseLedger(sheet.getDataRange().getValues() as unknown[][], timeZone);
}

/**
 * The Ledger entry of a row, by its Key, else its Credit ID ('' for one the edit overwrote). An entry that does
 * not name the row by both (its Key the row's, and its Credit ID too unless the edit overwrote it) is taken only
 * when its own Key and Credit ID belong together (core/ids.ts isCandidateOf), since its Key is then written over
 * the row's: the row's Credit ID typed over is put back from it; but a Ledger row whose Key was typed over (the
 * hidden tab unprotected by its owner) describes another credit, or gives its credit another's Key. Then there is
 * no entry here: the edit is undone as any edit without one, and the next sync puts the Ledger's Key back
 * (decision 0031).
 */
export function ledgerEntry(ledger: Ledger | null, key: string, creditId: string): LedgerEntry | null {
  if (!ledger) return null;
  const entry = (key && ledger.byKey.get(key)) || (creditId && ledger.byId.get(creditId)) || null;
  if (!entry) return null;
  // Found by the row's own Key, and its Credit ID (if the edit left one) the same: this row's, whatever else.
  const agrees = !!key && entry.key === key && (!creditId || entry.creditId === creditId);
  return agrees || ownsItsKey(entry) ? entry : null;
}

/** Whether the entry's Credit ID is one its Key was issued (the period as the ID spells it: a cell may be a date). */
export function ownsItsKey(e: LedgerEntry): boolean {
  const period = /^AWSC-(\d{4})(\d{2})-/.exec(e.creditId);
  return !period || isCandidateOf(e.key, `${period[1]}-${period[2]}`, e.creditId);
}
