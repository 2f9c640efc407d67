/**
 * downloadFilteredRows: the Credits rows the user's filter shows, as a CSV the sidebar saves in the browser
 * (a Blob URL), so the add-on needs no Drive scope. CSV cells are formula-injection safe (core/csv).
 */
import type { Credit } from '../../core/credit';
import { csvFilename, toCsv } from '../../core/csv';
import { CreditDeskError } from '../../core/errors';
import { exportTable } from '../../core/export';
import { TABS } from '../../core/sheet-contract';
import type { DownloadFile } from '../api';
import { describeFilter, shownRows, type FilterSpec } from './visible-rows';
import { openSpreadsheet, readCredits } from './workbook';

type Sheet = GoogleAppsScript.Spreadsheet.Sheet;

/** The filter's criteria as plain data: a few calls per FILTERED COLUMN, none per row. */
export function readFilterSpec(sheet: Sheet, width: number): FilterSpec | null {
  const filter = sheet.getFilter();
  if (!filter) return null;
  const range = filter.getRange();
  const first = range.getColumn();
  const columns: FilterSpec['columns'] = [];
  for (let col = first; col < first + range.getNumColumns() && col <= width; col++) {
    const c = filter.getColumnFilterCriteria(col);
    if (!c) continue;
    const type = c.getCriteriaType();
    columns.push({
      col,
      // Both are String[]; an empty list means "not set". getVisibleValues is documented for pivot-table
      // filters: on a basic filter it is [] — read as "no value is visible" it would drop every row.
      hiddenValues: nonEmpty(c.getHiddenValues()),
      visibleValues: nonEmpty(c.getVisibleValues()),
      type: type === null || type === undefined ? null : String(type),
      args: type ? (c.getCriteriaValues() as unknown[]) : [],
    });
  }
  return { row: range.getRow(), numRows: range.getNumRows(), columns };
}

function nonEmpty(values: string[] | null | undefined): string[] | null {
  return Array.isArray(values) && values.length > 0 ? values.map(String) : null;
}

export function downloadFilteredRows(format: 'csv' | 'xlsx'): DownloadFile {
  if (format !== 'csv') {
    throw new CreditDeskError(
      'USAGE',
      `Downloading as ${String(format)} is not available.`,
      'Choose CSV; Excel and Sheets open it.',
    );
  }
  const { ss, timeZone } = openSpreadsheet();
  const tab = readCredits(ss, timeZone);
  const spec = readFilterSpec(tab.sheet, tab.raw[0]?.length ?? 0);
  let shown: boolean[] | null = tab.raw.map(() => true);
  if (spec && spec.columns.length) {
    const display = tab.sheet.getDataRange().getDisplayValues();
    shown = shownRows(spec, tab.raw, display);
    // Criteria this add-on cannot evaluate (dates, custom formulas): ask the sheet, one call per row.
    if (!shown) shown = tab.raw.map((_r, i) => i === 0 || !tab.sheet.isRowHiddenByFilter(i + 1));
  }
  const visible: Credit[] = tab.credits.filter((c) => (shown as boolean[])[c.row - 1]).map((c) => c.credit);
  const table = exportTable(visible);
  const today = new Date().toISOString().slice(0, 10);
  return {
    filename: csvFilename([TABS.credits.name, describeFilter(spec, tab.raw[0] ?? [])], today),
    mimeType: 'text/csv',
    content: toCsv(table.headers, table.rows),
    base64: false,
    rows: visible.length,
  };
}
