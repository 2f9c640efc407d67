/**
 * Reading tabs through the Sheets API (advanced service) in ONE request, as the core's Cells — the same Cells
 * SpreadsheetApp's getValues gives through services/cells.ts toCell, so callers can't tell which front read.
 *
 * values.batchGet (https://developers.google.com/sheets/api/reference/rest/v4/spreadsheets.values/batchGet)
 * with valueRenderOption UNFORMATTED_VALUE: numbers stay numbers, booleans booleans, text text, as getValues
 * gives them. Dates are the one difference: getValues hands a Date, the API a serial number
 * (dateTimeRenderOption SERIAL_NUMBER, "days since December 30th 1899" in the spreadsheet's time zone). We ask
 * for SERIAL_NUMBER deliberately — FORMATTED_STRING would give whatever number format a person set ("1/5/2026")
 * — and turn the serial numbers back into the text toCell makes of a Date, in the columns the sheet contract
 * types as date or datetime. (A bare number typed into such a column therefore reads as a date: in Sheets a
 * date IS a number with a date format.) Empty trailing cells and rows are omitted by the API (ValueRange
 * reference): rows are padded back to a rectangle, as getDataRange().getValues() returns.
 */
import { TABS, type TabId } from '../../core/sheet-contract';
import { DATE_HEADERS, serialToText } from '../../core/sheet-dates';
import type { Cell, Grid } from '../../core/table';

export interface ValuesApi {
  batchGet(
    spreadsheetId: string,
    optional: { ranges: string[]; valueRenderOption: string; dateTimeRenderOption?: string },
  ): { valueRanges?: { values?: unknown[][] }[] };
}

export function quoteSheet(name: string): string {
  return `'${name.replace(/'/g, "''")}'`;
}

/** API rows (header first) as Cells; date columns (by header) turned back from serial numbers. */
export function apiRowsToCells(rows: unknown[][], timeZone: string, headers?: readonly unknown[]): Cell[][] {
  const head = headers ?? rows[0] ?? [];
  const width = Math.max(head.length, ...rows.map((r) => r.length));
  const dateCols = head.map((h) => DATE_HEADERS.has(String(h ?? '')));
  return rows.map((r) => {
    const out: Cell[] = new Array<Cell>(width);
    for (let c = 0; c < width; c++) {
      const v = r[c];
      if (v === null || v === undefined) out[c] = '';
      else if (typeof v === 'number' && dateCols[c]) out[c] = serialToText(v, timeZone);
      else if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out[c] = v;
      else out[c] = String(v);
    }
    return out;
  });
}

export function gridOf(cells: Cell[][]): Grid {
  const [header = [], ...rows] = cells;
  return { headers: header.map((h) => String(h)), rows };
}

/**
 * Whole tabs, in one values.batchGet: each as Cells (header row first), or null for a tab the spreadsheet
 * does not have — the API fails the whole request on an unknown range, so only `present` tabs are asked.
 */
export function readTabsOnce(
  api: ValuesApi,
  spreadsheetId: string,
  timeZone: string,
  tabs: TabId[],
  present: Set<string>,
): Map<TabId, Cell[][] | null> {
  const asked = tabs.filter((t) => present.has(TABS[t].name));
  const res = asked.length
    ? api.batchGet(spreadsheetId, {
        ranges: asked.map((t) => quoteSheet(TABS[t].name)),
        valueRenderOption: 'UNFORMATTED_VALUE',
        dateTimeRenderOption: 'SERIAL_NUMBER',
      })
    : { valueRanges: [] };
  const out = new Map<TabId, Cell[][] | null>(tabs.map((t) => [t, null]));
  asked.forEach((t, i) => out.set(t, apiRowsToCells(res.valueRanges?.[i]?.values ?? [], timeZone)));
  return out;
}
