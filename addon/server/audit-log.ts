/** Appends Audit rows: one write for the whole batch, columns placed by the Audit tab's headers. */
import { auditCells, type AuditEntry } from '../../core/audit';
import type { AuditField } from '../../core/sheet-contract';
import { headersOf, TABS } from '../../core/sheet-contract';
import { indexColumns, recordToRow, type Cell, type ColumnIndex } from '../../core/table';
import { literalText } from '../services/cells';

type Spreadsheet = GoogleAppsScript.Spreadsheet.Spreadsheet;
type Sheet = GoogleAppsScript.Spreadsheet.Sheet;

export interface AuditTarget {
  sheet: Sheet;
  idx: ColumnIndex<AuditField>;
  width: number;
  /** The first empty row, where the new rows go. */
  firstRow: number;
  /** The grid's rows once ready. */
  maxRows: number;
}

/**
 * The Audit tab ready for `count` new rows: created if someone deleted it (the trail is not lost), and grown
 * when its grid is too short — a Sheets API values write does not add rows ("exceeds grid limits").
 */
export function auditSheetFor(ss: Spreadsheet, count: number): AuditTarget {
  let sheet = ss.getSheetByName(TABS.audit.name);
  let headers: string[];
  if (!sheet) {
    sheet = ss.insertSheet(TABS.audit.name);
    headers = headersOf('audit');
    sheet.getRange(1, 1, 1, headers.length).setValues([headers]);
  } else {
    headers = (sheet.getRange(1, 1, 1, Math.max(1, sheet.getLastColumn())).getValues()[0] as unknown[]).map(
      String,
    );
  }
  const idx = indexColumns<AuditField>('audit', headers);
  const firstRow = Math.max(2, sheet.getLastRow() + 1);
  const maxRows = sheet.getMaxRows();
  const needed = firstRow + count - 1;
  if (needed > maxRows) sheet.insertRowsAfter(maxRows, needed - maxRows);
  return { sheet, idx, width: headers.length, firstRow, maxRows: Math.max(maxRows, needed) };
}

/** The rows for `entries` under the target, as one range and its values. */
export function appendAuditRowsData(
  target: Pick<AuditTarget, 'idx' | 'width' | 'firstRow'>,
  entries: AuditEntry[],
  a1: (sheet: string, row: number, col: number, numRows: number, numCols: number) => string,
): { range: string; values: Cell[][] } {
  return {
    range: a1(TABS.audit.name, target.firstRow, 1, entries.length, target.width), // the tab auditSheetFor opened
    values: entries.map((e) => recordToRow(auditCells(e), target.idx, target.width)),
  };
}

/** Appends Audit rows with one SpreadsheetApp setValues (onEdit, which may not use the Sheets API). */
export function appendAudit(ss: Spreadsheet, entries: AuditEntry[]): void {
  if (entries.length === 0) return;
  const target = auditSheetFor(ss, entries.length);
  const rows = entries.map((e) => recordToRow(auditCells(e), target.idx, target.width).map(literalText));
  target.sheet.getRange(target.firstRow, 1, rows.length, target.width).setValues(rows as never[][]);
}
