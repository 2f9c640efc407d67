/**
 * Loading a reference tab (Accounts, Rules) from a file without losing what staff added in the sheet: file rows
 * replace the sheet rows with the same ID, sheet rows the file does not mention stay, staff columns stay.
 */
import { accountText } from './ids';
import { indexColumns, readRecords, recordToRow, text, type Cell, type Grid } from './table';
import type { TabId } from './sheet-contract';

export function upsertTab<F extends string>(
  tab: TabId,
  idField: F,
  sheet: Grid,
  file: Grid,
  fileName: string,
): { grid: Grid; added: number; updated: number } {
  let fileRecords: { row: number; record: Record<F, Cell> }[];
  try {
    fileRecords = readRecords<F>(tab, file);
  } catch (e) {
    throw new Error(`${fileName}: ${(e as Error).message}`);
  }
  // An account ID a spreadsheet saved as a number (12345678901) is the row of 012345678901, and is written back
  // as 12 digits: otherwise the file would add a second row for the same account.
  const idOf = tab === 'accounts' ? accountText : text;
  if (tab === 'accounts') for (const { record } of fileRecords) record[idField] = idOf(record[idField]);
  const idx = indexColumns<F>(tab, sheet.headers);
  const width = sheet.headers.length;
  const rows = sheet.rows.map((r) => [...r]);
  const rowById = new Map<string, number>();
  rows.forEach((r, i) => {
    const id = idOf(r[idx[idField]]);
    if (id && !rowById.has(id)) rowById.set(id, i);
  });
  let added = 0;
  let updated = 0;
  for (const { record } of fileRecords) {
    const id = idOf(record[idField]);
    const at = rowById.get(id);
    if (at === undefined) {
      rows.push(recordToRow(record, idx, width));
      rowById.set(id, rows.length - 1);
      added++;
    } else {
      const before = rows[at];
      let changed = false;
      for (const [field, col] of Object.entries(idx) as [F, number][]) {
        if (text(before[col]) !== text(record[field])) {
          before[col] = record[field];
          changed = true;
        }
      }
      if (changed) updated++;
    }
  }
  return { grid: { headers: sheet.headers, rows }, added, updated };
}
