/**
 * The size of every tab's grid, for the cell budget (core/cell-budget.ts). Google counts the grid (rows ×
 * columns, empty cells included) of every tab, hidden ones such as the add-on's mirror too; a workbook has no
 * such limit, so its figure is what the same tabs would cost once imported into Google Sheets.
 */
import type { sheets_v4 } from '@googleapis/sheets';
import type { Workbook } from 'exceljs';
import type { TabSize } from '../../core/cell-budget';

export function sheetsTabSizes(ss: sheets_v4.Schema$Spreadsheet): TabSize[] {
  return (ss.sheets ?? []).map((s) => ({
    name: s.properties?.title ?? '',
    rows: s.properties?.gridProperties?.rowCount ?? 0,
    cols: s.properties?.gridProperties?.columnCount ?? 0,
  }));
}

export function workbookTabSizes(wb: Workbook): TabSize[] {
  return wb.worksheets.map((ws) => ({ name: ws.name, rows: ws.rowCount, cols: ws.columnCount }));
}
