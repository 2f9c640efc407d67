/**
 * Reading whole tabs with a constant number of SpreadsheetApp calls: one getValues per tab. Writes go through
 * server/guarded-write.ts.
 */
import { CreditDeskError } from '../../core/errors';
import type { Grid } from '../../core/table';
import { toGrid } from './cells';

type Sheet = GoogleAppsScript.Spreadsheet.Sheet;
type Spreadsheet = GoogleAppsScript.Spreadsheet.Spreadsheet;

export interface TabData {
  sheet: Sheet;
  /** getValues() as returned (header row first; Dates as Dates): written back unchanged where untouched. */
  raw: unknown[][];
  /** The same cells as core Cells (dates as ISO text). */
  grid: Grid;
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
