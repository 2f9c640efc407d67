/**
 * The boundary between what SpreadsheetApp hands over and the core's Cells. Pure (no Apps Script calls), so
 * it is tested directly.
 *
 * Reading: a date cell arrives as a Date, the instant of its wall-clock time in the SPREADSHEET's time zone.
 * Converting with the script's zone or UTC would shift dates by a day for sheets east or west of it, so the
 * parts are taken in the sheet's zone (core/sheet-dates.ts dateToText, the rule the sync's Google sink keeps
 * too): a date at midnight becomes "YYYY-MM-DD", any other instant a full ISO timestamp.
 *
 * Writing: strings that a sheet would run as a formula (=, +, -, @ …) get the leading apostrophe that makes
 * them text (core/csv sanitizeCell); Sheets does not show the apostrophe or return it from getValues.
 */
import { sanitizeCell } from '../../core/csv';
import { dateToText } from '../../core/sheet-dates';
import type { Cell, Grid } from '../../core/table';

export function toCell(value: unknown, timeZone: string): Cell {
  if (value === null || value === undefined) return '';
  if (isDate(value)) return dateToText(value, timeZone);
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  return String(value);
}

/** A getValues() result (header row first) as a core Grid. */
export function toGrid(values: unknown[][], timeZone: string): Grid {
  const [headerRow = [], ...rows] = values;
  return {
    headers: headerRow.map((h) => String(toCell(h, timeZone))),
    rows: rows.map((r) => r.map((v) => toCell(v, timeZone))),
  };
}

/**
 * A realm-safe Date check: values from SpreadsheetApp (or a test double in another vm realm) are Dates of
 * another global, for which `instanceof Date` is false.
 */
function isDate(value: unknown): value is Date {
  return Object.prototype.toString.call(value) === '[object Date]';
}

/**
 * Text a person typing it would NOT get back as text: numbers ("0012"), percentages, TRUE/FALSE, dates and
 * times, and what a sheet runs as a formula. SpreadsheetApp's setValue(s) parse strings like typing
 * (Range.setValue reference), so such text is written with the leading apostrophe that keeps it literal.
 */
const PARSED_AS_NON_TEXT =
  /^\s*([+-]?(\d[\d,]*)?(\.\d+)?(e[+-]?\d+)?%?|true|false|\d{1,4}[-/.]\d{1,2}([-/.]\d{1,4})?([T ]\d.*)?|\d{1,2}:\d{2}.*)\s*$/i;

/** A value for SpreadsheetApp setValues that stays exactly what it is: text stays text, never a formula. */
export function literalText(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const safe = sanitizeCell(value);
  if (safe !== value) return safe;
  return value !== '' && /\d|true|false/i.test(value) && PARSED_AS_NON_TEXT.test(value) ? `'${value}` : value;
}
