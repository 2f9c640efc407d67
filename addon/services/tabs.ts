/**
 * Reading and writing whole tabs with a constant number of SpreadsheetApp calls: one getValues per tab,
 * one setValues per rectangular block, one append per batch of rows.
 */
import { CreditDeskError } from '../../core/errors';
import type { Cell, Grid } from '../../core/table';
import { toGrid, toSheetValue } from './cells';

type Sheet = GoogleAppsScript.Spreadsheet.Sheet;
type Spreadsheet = GoogleAppsScript.Spreadsheet.Spreadsheet;

export interface TabData {
  sheet: Sheet;
  /** getValues() as returned (header row first; Dates as Dates): written back unchanged where untouched. */
  raw: unknown[][];
  /** The same cells as core Cells (dates as ISO text). */
  grid: Grid;
}

export interface Block {
  row: number;
  col: number;
  values: unknown[][];
}

/** The tab, read once; null when the tab does not exist. */
export function readTab(ss: Spreadsheet, name: string, timeZone: string): TabData | null {
  const sheet = ss.getSheetByName(name);
  if (!sheet) return null;
  const raw = sheet.getDataRange().getValues() as unknown[][];
  return { sheet, raw, grid: toGrid(raw, timeZone) };
}

export function requireTab(ss: Spreadsheet, name: string, timeZone: string): TabData {
  const tab = readTab(ss, name, timeZone);
  if (!tab) {
    throw new CreditDeskError(
      'BAD_SHEET',
      `This spreadsheet has no "${name}" tab.`,
      `Run the Credit Desk sync to create it, or rename the tab back to "${name}".`,
    );
  }
  return tab;
}

/** Writes each block with one setValues; strings that look like formulas are written as text. */
export function writeBlocks(sheet: Sheet, blocks: Block[]): void {
  for (const b of blocks) {
    if (b.values.length === 0) continue;
    const safe = b.values.map((r) => r.map(toSheetValue));
    sheet.getRange(b.row, b.col, safe.length, safe[0].length).setValues(safe as never[][]);
  }
}

/** Appends rows under the last used row in one setValues. */
export function appendRows(sheet: Sheet, rows: Cell[][]): void {
  if (rows.length === 0) return;
  const width = rows.reduce((w, r) => Math.max(w, r.length), 0);
  const padded = rows.map((r) => [...r, ...new Array(width - r.length).fill('')].map(toSheetValue));
  sheet.getRange(sheet.getLastRow() + 1, 1, padded.length, width).setValues(padded as never[][]);
}
