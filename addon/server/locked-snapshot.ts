/**
 * A mirror of the PROCESSING/PROCESSED rows in a hidden tab, "_locked", so that onEdit can put back what a
 * multi-cell edit or paste overwrote: Apps Script gives onEdit the old value of single-cell edits only.
 *
 * Layout: row 1 = "Key", "Row", then the Credits headers as they were; one row per locked credit with its
 * key, its sheet row at the time, and its cells. Rows are found by key (staff sort rows); the row number
 * is the fallback when the paste overwrote the Key cell too. Refreshed by every add-on action that reads
 * Credits and on open; the sync may write the same layout (snapshotValues) when it locks rows.
 */
import { isLocked } from '../../core/status';
import { writeBlocks } from '../services/tabs';
import type { CreditsTab } from './workbook';

type Spreadsheet = GoogleAppsScript.Spreadsheet.Spreadsheet;

export const SNAPSHOT_TAB = '_locked';

export interface SnapshotEntry {
  key: string;
  row: number;
  /** Cell values by lower-case Credits header. */
  cells: Map<string, unknown>;
}

export interface LockedSnapshot {
  byKey: Map<string, SnapshotEntry>;
  byRow: Map<number, SnapshotEntry>;
}

export function snapshotValues(tab: CreditsTab): unknown[][] {
  const headers = tab.raw[0] ?? [];
  const out: unknown[][] = [['Key', 'Row', ...headers]];
  for (const { row, credit } of tab.credits) {
    if (isLocked(credit.status)) out.push([credit.key, row, ...tab.raw[row - 1]]);
  }
  return out;
}

export function parseSnapshot(values: unknown[][]): LockedSnapshot {
  const byKey = new Map<string, SnapshotEntry>();
  const byRow = new Map<number, SnapshotEntry>();
  const [head = [], ...rows] = values;
  const headers = head.slice(2).map((h) => String(h).trim().toLowerCase());
  for (const r of rows) {
    const key = String(r[0] ?? '').trim();
    if (!key) continue;
    const entry: SnapshotEntry = {
      key,
      row: Number(r[1]),
      cells: new Map(headers.map((h, i) => [h, r[i + 2]])),
    };
    byKey.set(key, entry);
    if (Number.isInteger(entry.row)) byRow.set(entry.row, entry);
  }
  return { byKey, byRow };
}

export function readSnapshot(ss: Spreadsheet): LockedSnapshot {
  const sheet = ss.getSheetByName(SNAPSHOT_TAB);
  return parseSnapshot(sheet ? (sheet.getDataRange().getValues() as unknown[][]) : []);
}

function sameValues(a: unknown[][], b: unknown[][]): boolean {
  const norm = (v: unknown[][]) =>
    JSON.stringify(v.map((r) => r.map((c) => (c === undefined || c === null ? '' : c))));
  return a.length === b.length && norm(a) === norm(b);
}

/** Rewrites "_locked" when it differs from the Credits tab just read; returns whether it wrote. */
export function refreshSnapshot(ss: Spreadsheet, tab: CreditsTab): boolean {
  const wanted = snapshotValues(tab);
  let sheet = ss.getSheetByName(SNAPSHOT_TAB);
  if (sheet) {
    const current = sheet.getDataRange().getValues() as unknown[][];
    const blank = current.length === 1 && current[0].every((c) => c === '');
    if (sameValues(blank ? [] : current, wanted)) return false;
    sheet.clearContents();
  } else {
    sheet = ss.insertSheet(SNAPSHOT_TAB);
    sheet.hideSheet();
  }
  writeBlocks(sheet, [{ row: 1, col: 1, values: wanted }]);
  return true;
}
