/**
 * Dates in the cells the sync reads from a Google Sheet. Staff type dates (the Rules tab's Created); Sheets
 * stores a typed date as a serial number with a date format ("parsed as if typed into the UI", ValueInputOption:
 * https://developers.google.com/sheets/api/reference/rest/v4/ValueInputOption). The sync used to read with
 * dateTimeRenderOption FORMATTED_STRING, which hands over the cell's own format — "06/12/2026" in a sheet whose
 * locale writes day first — and core's readers take ISO text only, so every typed Created date was refused on
 * Google (never in our tests, whose server ignored the option). Now the sync asks SERIAL_NUMBER ("days since
 * December 30th 1899", DateTimeRenderOption: https://developers.google.com/sheets/api/reference/rest/v4/DateTimeRenderOption)
 * and turns the serials in the contract's date and datetime columns (and Rules' From/To) into ISO text with the
 * same function the add-on uses (core/sheet-dates.ts), so both fronts hand core the same cells.
 */
import { DATE_HEADERS, serialToText } from '../../../core/sheet-dates';
import type { Cell, Grid } from '../../../core/table';

/** The grid with the numbers in its date and datetime columns (by header) turned into ISO text. */
export function datesAsText(grid: Grid, timeZone: string): Grid {
  const dateCols = grid.headers.map((h) => DATE_HEADERS.has(h));
  if (!dateCols.some(Boolean)) return grid;
  const rows = grid.rows.map((r) =>
    r.map((v, c): Cell => (typeof v === 'number' && dateCols[c] ? serialToText(v, timeZone) : v)),
  );
  return { ...grid, rows };
}
