/**
 * The in-memory spreadsheet behind the local Sheets v4 server: grids of cells, sheet properties, protected
 * ranges, developer metadata, validation and formats, and the operations the API applies to them. Shapes follow
 * the `sheets_v4` types so the real client's requests and our replies type-check against the same schema.
 *
 * Deliberate simplifications: one "table" per sheet for values.append; formulas are stored as typed and
 * evaluated when read (arithmetic and cell references, ./sheets-formula.ts; anything else is refused when it is
 * written); validation and formats are remembered as the rules sent. The differences from Google's answers that
 * remain, and why they do not matter, are listed in ./sheets-known-differences.ts (held to the recordings by
 * test/emulators/sheets-conformance.test.ts).
 */
import type { sheets_v4 } from '@googleapis/sheets';
import { applyChartRequest, chartsResource } from './sheets-charts';
import { ApiError, type SheetState, type SpreadsheetState, type Stored } from './sheets-state';
import { formatDate, parseTypedDate } from './sheets-dates';
import {
  CELL_DATA,
  DEVELOPER_METADATA,
  DIMENSION_PROPERTIES,
  PROTECTED_RANGE,
  SHEET_PROPERTIES,
  SPREADSHEET_PROPERTIES,
  checkedMask,
  type Schema,
} from './sheets-field-mask';
import {
  DIV0,
  REF_ERROR,
  UnsupportedFormula,
  evaluate,
  parseFormula,
  type FormulaValue,
} from './sheets-formula';

type GridRange = sheets_v4.Schema$GridRange;

/**
 * The longest row's length, at least `min`. A loop, not Math.max(...rows): a spread passes every row as an
 * argument, and past about 120,000 rows (a year's Audit column) V8 throws "Maximum call stack size exceeded":
 * a limit of this emulator's code, not of the API (a sheet may hold 10 million cells), so it must not refuse.
 */
export function widest(rows: readonly { length: number }[], min: number): number {
  let width = min;
  for (const r of rows) if (r.length > width) width = r.length;
  return width;
}

/** Realm-safe Date test (the add-on bundle runs in a vm context with its own Date). */
export function isDateCell(v: unknown): v is Date {
  return Object.prototype.toString.call(v) === '[object Date]';
}

/** Sheets' serial number of a date: days since 1899-12-30 (DateTimeRenderOption SERIAL_NUMBER). */
function serialOf(d: Date): number {
  return d.getTime() / 86_400_000 + 25_569;
}

export function newSpreadsheet(spreadsheetId: string, sheetTitles: string[] = ['Sheet1']): SpreadsheetState {
  const ss: SpreadsheetState = {
    spreadsheetId,
    properties: { title: 'Test sheet' },
    sheets: [],
    developerMetadata: [],
    nextId: 1000,
  };
  sheetTitles.forEach((title) => addSheet(ss, { title }));
  return ss;
}

// ---------------------------------------------------------------------------------------------------------
// A1 notation, the forms Google's overview lists (https://developers.google.com/sheets/api/guides/concepts,
// "A1 notation"): `Sheet1!A1:B2`, `Sheet1!A:A` (every cell of a column), `Sheet1!1:2` (every cell of rows 1–2:
// the sinks read a tab's header row as `'Credits'!1:1`), `Sheet1!A5:A` (a column from row 5 down), `Sheet1` (the
// whole sheet), and a quoted name for one with spaces or special characters (`'My Custom Sheet'!A:A`).

export interface A1 {
  sheet: SheetState;
  startRow: number;
  endRow?: number;
  startCol: number;
  endCol?: number;
}

export function columnIndex(letters: string): number {
  let n = 0;
  for (const ch of letters.toUpperCase()) n = n * 26 + (ch.charCodeAt(0) - 64);
  return n - 1;
}

export function columnLetters(index: number): string {
  let n = index + 1;
  let s = '';
  while (n > 0) {
    const r = (n - 1) % 26;
    s = String.fromCharCode(65 + r) + s;
    n = Math.floor((n - 1) / 26);
  }
  return s;
}

export function a1Of(
  sheet: SheetState,
  startRow: number,
  endRow: number,
  startCol: number,
  endCol: number,
): string {
  // Google quotes a title unless it is a plain name: letters, digits and _ not starting with a digit, and not
  // itself a cell reference ("'D3'!A1:D1", recorded in WorksheetTest.test_get_all_values_title_is_a1_notation.json).
  const t = sheet.properties.title;
  const plain = /^[A-Za-z_][A-Za-z0-9_]*$/.test(t) && !/^[A-Za-z]{1,3}\d+$/.test(t) && !/^R\d*C\d*$/i.test(t);
  const title = plain ? t : `'${t.replace(/'/g, "''")}'`;
  const start = `${columnLetters(startCol)}${startRow + 1}`;
  // Google names a one-cell range by its cell ("Sheet1!B1", not "Sheet1!B1:B1"): every recorded values answer.
  if (endRow === startRow + 1 && endCol === startCol + 1) return `${title}!${start}`;
  return `${title}!${start}:${columnLetters(endCol - 1)}${endRow}`;
}

export function parseA1(ss: SpreadsheetState, range: string): A1 {
  const bang = range.lastIndexOf('!');
  let title = bang >= 0 ? range.slice(0, bang) : range;
  const cells = bang >= 0 ? range.slice(bang + 1) : '';
  if (title.startsWith("'") && title.endsWith("'")) title = title.slice(1, -1).replace(/''/g, "'");
  const sheet = ss.sheets.find((s) => s.properties.title === title);
  if (!sheet) throw new ApiError(400, `Unable to parse range: ${range}`);
  if (!cells) return { sheet, startRow: 0, startCol: 0 };
  const m = /^([A-Za-z]*)(\d*)(?::([A-Za-z]*)(\d*))?$/.exec(cells);
  if (!m) throw new ApiError(400, `Unable to parse range: ${range}`);
  const [, c1, r1, c2, r2] = m;
  const hasEnd = m[3] !== undefined || m[4] !== undefined;
  const a1: A1 = {
    sheet,
    startCol: c1 ? columnIndex(c1) : 0,
    startRow: r1 ? Number(r1) - 1 : 0,
  };
  if (hasEnd) {
    if (c2) a1.endCol = columnIndex(c2) + 1;
    else if (!c1) a1.endCol = undefined;
    if (r2) a1.endRow = Number(r2);
    else if (!r1) a1.endRow = undefined;
    // A reversed range ("D4:A1") names the same cells as "A1:D4" (recorded in WorksheetTest.test_range_reversed.json).
    if (a1.endRow !== undefined && a1.endRow <= a1.startRow)
      [a1.startRow, a1.endRow] = [a1.endRow - 1, a1.startRow + 1];
    if (a1.endCol !== undefined && a1.endCol <= a1.startCol)
      [a1.startCol, a1.endCol] = [a1.endCol - 1, a1.startCol + 1];
  } else {
    // A single cell ("A5"), a column ("A") or a row ("5").
    if (c1) a1.endCol = a1.startCol + 1;
    if (r1) a1.endRow = a1.startRow + 1;
  }
  return a1;
}

// ---------------------------------------------------------------------------------------------------------
// Values

function isEmpty(v: Stored | undefined): boolean {
  return v === null || v === undefined || v === '';
}

export function lastRowWithData(sheet: SheetState, startCol = 0, endCol = Number.MAX_SAFE_INTEGER): number {
  for (let r = sheet.cells.length - 1; r >= 0; r--) {
    const row = sheet.cells[r] ?? [];
    for (let c = startCol; c < Math.min(endCol, row.length); c++) if (!isEmpty(row[c])) return r + 1;
  }
  return 0;
}

/** How a read renders: ValueRenderOption and DateTimeRenderOption (values.get query parameters). */
export interface Render {
  value: string;
  dateTime: string;
}

const VALUE_RENDER = ['FORMATTED_VALUE', 'UNFORMATTED_VALUE', 'FORMULA'];
const DATE_RENDER = ['SERIAL_NUMBER', 'FORMATTED_STRING'];

/**
 * The render options of a read, checked like Google checks enum parameters (an unknown value is a 400). The
 * defaults are FORMATTED_VALUE and SERIAL_NUMBER (values.get:
 * https://developers.google.com/sheets/api/reference/rest/v4/spreadsheets.values/get).
 */
export function renderOf(value?: string | null, dateTime?: string | null): Render {
  const r = { value: value ?? 'FORMATTED_VALUE', dateTime: dateTime ?? 'SERIAL_NUMBER' };
  if (!VALUE_RENDER.includes(r.value)) throw new ApiError(400, `Invalid valueRenderOption: '${r.value}'`);
  if (!DATE_RENDER.includes(r.dateTime))
    throw new ApiError(400, `Invalid dateTimeRenderOption: '${r.dateTime}'`);
  return r;
}

/** The number format of a cell: the last format request covering it that set one. */
function numberFormatAt(
  sheet: SheetState,
  row: number,
  col: number,
): sheets_v4.Schema$NumberFormat | undefined {
  for (let i = sheet.formats.length - 1; i >= 0; i--) {
    const f = sheet.formats[i];
    const nf = f.cell.userEnteredFormat?.numberFormat;
    const r = f.range;
    if (
      nf &&
      row >= (r.startRowIndex ?? 0) &&
      row < (r.endRowIndex ?? Infinity) &&
      col >= (r.startColumnIndex ?? 0) &&
      col < (r.endColumnIndex ?? Infinity)
    )
      return nf;
  }
  return undefined;
}

/** The date pattern of a cell (a person's typing, or the sync's date column format). */
function datePattern(sheet: SheetState, row: number, col: number): string | undefined {
  const nf = numberFormatAt(sheet, row, col);
  return nf?.type === 'DATE' && nf.pattern ? nf.pattern : undefined;
}

/**
 * One cell as a read renders it. A formula's value under FORMATTED_VALUE and UNFORMATTED_VALUE, its text under
 * FORMULA (ValueRenderOption: https://developers.google.com/sheets/api/reference/rest/v4/ValueRenderOption).
 * A date: its serial number under SERIAL_NUMBER; the text in the cell's own date format under FORMATTED_STRING
 * or FORMATTED_VALUE ("This is ignored if valueRenderOption is FORMATTED_VALUE", DateTimeRenderOption:
 * https://developers.google.com/sheets/api/reference/rest/v4/DateTimeRenderOption) — ISO when the cell has no
 * date format (a Date the SpreadsheetApp front stored).
 */
function rendered(
  ss: SpreadsheetState,
  sheet: SheetState,
  row: number,
  col: number,
  render: Render,
): string | number | boolean {
  const v = sheet.cells[row]?.[col] ?? null;
  if (isDateCell(v)) {
    if (
      render.value === 'FORMULA' ||
      (render.value === 'UNFORMATTED_VALUE' && render.dateTime === 'SERIAL_NUMBER')
    )
      return serialOf(v);
    const pattern = datePattern(sheet, row, col);
    return pattern ? formatDate(v, pattern) : v.toISOString().slice(0, 10);
  }
  if (v !== null && typeof v === 'object') {
    if (render.value === 'FORMULA') return v.f;
    const value = formulaValue(ss, sheet, row, col, new Set());
    return render.value === 'FORMATTED_VALUE' ? formatted(value) : value;
  }
  if (render.value === 'FORMATTED_VALUE') return formatted(v ?? '');
  return v ?? '';
}

/** A value as Sheets displays it with the default "Automatic" number format. */
function formatted(v: string | number | boolean | Date): string {
  if (typeof v === 'boolean') return v ? 'TRUE' : 'FALSE';
  return String(v);
}

/**
 * The value of the formula at (row, col), following references (an empty cell reads ''); a circular reference
 * is Google's #REF! error.
 */
function formulaValue(
  ss: SpreadsheetState,
  sheet: SheetState,
  row: number,
  col: number,
  visiting: Set<string>,
): FormulaValue {
  const key = `${sheet.properties.sheetId}:${row}:${col}`;
  const v = sheet.cells[row]?.[col] ?? null;
  if (v === null) return '';
  if (isDateCell(v)) return serialOf(v);
  if (typeof v !== 'object') return v;
  if (visiting.has(key)) return REF_ERROR;
  visiting.add(key);
  try {
    const result = evaluate(parseFormula(v.f), (title, r, c) => {
      const target = title === undefined ? sheet : ss.sheets.find((s) => s.properties.title === title);
      return target ? formulaValue(ss, target, r, c, visiting) : undefined;
    });
    return typeof result === 'number' && !Number.isFinite(result) ? DIV0 : result;
  } finally {
    visiting.delete(key);
  }
}

/**
 * values.get with majorDimension: COLUMNS gives the columns as lists (ValueRange.majorDimension:
 * https://developers.google.com/sheets/api/reference/rest/v4/spreadsheets.values#ValueRange), trailing empties
 * trimmed the same way.
 */
export function readValuesIn(
  ss: SpreadsheetState,
  range: string,
  render: Render,
  majorDimension: string | null,
): sheets_v4.Schema$ValueRange {
  const byRows = readValues(ss, range, render);
  if (!majorDimension || majorDimension === 'ROWS') return byRows;
  if (majorDimension !== 'COLUMNS') throw new ApiError(400, `Invalid majorDimension: '${majorDimension}'`);
  const rows = byRows.values ?? [];
  const width = widest(rows, 0);
  const cols = Array.from({ length: width }, (_, c) => {
    const col = rows.map((r) => (r[c] ?? '') as string | number | boolean);
    while (col.length && col[col.length - 1] === '') col.pop();
    return col;
  });
  return { range: byRows.range, majorDimension: 'COLUMNS', ...(cols.length ? { values: cols } : {}) };
}

/** values.get semantics: rows in order, trailing empty cells and rows trimmed, `values` omitted when empty. */
export function readValues(
  ss: SpreadsheetState,
  range: string,
  render: Render | string = 'FORMATTED_VALUE',
): sheets_v4.Schema$ValueRange {
  const how = typeof render === 'string' ? renderOf(render) : render;
  const a1 = parseA1(ss, range);
  const grid = a1.sheet.properties.gridProperties;
  const endRow = Math.min(a1.endRow ?? grid.rowCount, grid.rowCount);
  const endCol = Math.min(a1.endCol ?? grid.columnCount, grid.columnCount);
  const out: (string | number | boolean)[][] = [];
  for (let r = a1.startRow; r < endRow; r++) {
    const row = a1.sheet.cells[r] ?? [];
    const vals: (string | number | boolean)[] = [];
    let last = -1;
    for (let c = a1.startCol; c < Math.min(endCol, row.length); c++) {
      const v = row[c];
      vals.push(isEmpty(v) ? '' : rendered(ss, a1.sheet, r, c, how));
      if (!isEmpty(v)) last = c - a1.startCol;
    }
    out.push(vals.slice(0, last + 1));
  }
  while (out.length && out[out.length - 1].length === 0) out.pop();
  const result: sheets_v4.Schema$ValueRange = {
    range: a1Of(
      a1.sheet,
      a1.startRow,
      Math.max(endRow, a1.startRow + 1),
      a1.startCol,
      Math.max(endCol, a1.startCol + 1),
    ),
    majorDimension: 'ROWS',
  };
  if (out.length) result.values = out;
  return result;
}

/**
 * A formula the server can evaluate, else ApiError naming it: a formula the emulator would only store would read
 * as its text where Google gives its value, so the test that wrote it is told at once instead.
 */
function formulaCell(f: string): { f: string } {
  try {
    parseFormula(f);
  } catch (e) {
    if (e instanceof UnsupportedFormula) throw new ApiError(400, e.message);
    throw e;
  }
  return { f };
}

/**
 * USER_ENTERED input "as if it were typed into the UI" (ValueInputOption:
 * https://developers.google.com/sheets/api/reference/rest/v4/ValueInputOption): "=…" is a formula, numbers and
 * TRUE/FALSE are typed values, a date in ISO or the locale's order becomes a date cell with a date format.
 */
function parseUserEntered(
  ss: SpreadsheetState,
  sheet: SheetState,
  row: number,
  col: number,
  v: unknown,
): Stored {
  if (typeof v !== 'string') return v as Stored;
  // A cell formatted as plain text keeps what is typed as text, "=…" and "2026-03" included (NumberFormatType
  // TEXT: https://developers.google.com/sheets/api/reference/rest/v4/spreadsheets/cells#NumberFormatType) — the
  // sync gives its text columns that format.
  if (numberFormatAt(sheet, row, col)?.type === 'TEXT') return v;
  if (v.startsWith('=')) return formulaCell(v);
  if (/^-?\d+(\.\d+)?$/.test(v.trim())) return Number(v);
  if (/^(true|false)$/i.test(v.trim())) return v.trim().toUpperCase() === 'TRUE';
  const typed = parseTypedDate(v, ss.properties.locale ?? 'en_US');
  if (typed) {
    const cell = { sheetId: sheet.properties.sheetId, startRowIndex: row, endRowIndex: row + 1 };
    sheet.formats.push({
      range: { ...cell, startColumnIndex: col, endColumnIndex: col + 1 },
      cell: { userEnteredFormat: { numberFormat: { type: 'DATE', pattern: typed.pattern } } },
      fields: 'userEnteredFormat.numberFormat',
    });
    return typed.date;
  }
  return v;
}

/** Writes a ValueRange at its range's top-left cell. null/undefined skip a cell; '' clears it (as documented). */
export function writeValues(
  ss: SpreadsheetState,
  range: string,
  values: unknown[][],
  inputOption: string,
): { updatedRange: string; updatedRows: number; updatedColumns: number; updatedCells: number } {
  if (inputOption !== 'RAW' && inputOption !== 'USER_ENTERED')
    throw new ApiError(400, `Invalid valueInputOption: ${inputOption}`);
  const a1 = parseA1(ss, range);
  const grid = a1.sheet.properties.gridProperties;
  const rows = values.length;
  const cols = widest(values, 0);
  if (a1.startRow + rows > grid.rowCount || a1.startCol + cols > grid.columnCount) {
    throw new ApiError(
      400,
      `Range (${range}) exceeds grid limits. Max rows: ${grid.rowCount}, max columns: ${grid.columnCount}`,
    );
  }
  let updatedCells = 0;
  // updatedRows/updatedColumns count the rows and columns with at least one written cell: null skips a cell
  // (recorded in WorksheetTest.test_update_cells_noncontiguous.json: 2 cells in A1:D6 are 2 rows, 2 columns).
  const touchedRows = new Set<number>();
  const touchedCols = new Set<number>();
  values.forEach((vals, i) => {
    const r = a1.startRow + i;
    const row = (a1.sheet.cells[r] ??= []);
    vals.forEach((v, j) => {
      if (v === null || v === undefined) return;
      touchedRows.add(i);
      touchedCols.add(j);
      if (typeof v === 'object') throw new ApiError(400, `Invalid values[${i}][${j}]: struct value`);
      row[a1.startCol + j] =
        v === ''
          ? null
          : inputOption === 'RAW'
            ? (v as Stored)
            : parseUserEntered(ss, a1.sheet, r, a1.startCol + j, v);
      updatedCells++;
    });
  });
  for (let r = 0; r < a1.sheet.cells.length; r++) a1.sheet.cells[r] ??= [];
  return {
    updatedRange: a1Of(
      a1.sheet,
      a1.startRow,
      a1.startRow + Math.max(rows, 1),
      a1.startCol,
      a1.startCol + Math.max(cols, 1),
    ),
    updatedRows: touchedRows.size,
    updatedColumns: touchedCols.size,
    updatedCells,
  };
}

// ---------------------------------------------------------------------------------------------------------
// Structure

function sheetById(ss: SpreadsheetState, sheetId: number | null | undefined): SheetState {
  const sheet = ss.sheets.find((s) => s.properties.sheetId === (sheetId ?? 0));
  if (!sheet) throw new ApiError(400, `No grid with id: ${sheetId}`);
  return sheet;
}

export function addSheet(ss: SpreadsheetState, props: sheets_v4.Schema$SheetProperties): SheetState {
  const title = props.title ?? `Sheet${ss.sheets.length + 1}`;
  // Titles are unique and a pinned sheetId must be new ("It is an error to specify the ID of a sheet that
  // already exists", AddSheetRequest: https://developers.google.com/sheets/api/reference/rest/v4/spreadsheets/request#AddSheetRequest);
  // a repeated addSheet after a lost reply is refused with this message.
  if (ss.sheets.some((s) => s.properties.title.toLowerCase() === title.toLowerCase())) {
    throw new ApiError(
      400,
      `Invalid requests[0].addSheet: A sheet with the name "${title}" already exists. Please enter another name.`,
    );
  }
  const sheetId = props.sheetId ?? (ss.sheets.length === 0 ? 0 : ss.nextId++);
  if (ss.sheets.some((s) => s.properties.sheetId === sheetId))
    throw new ApiError(400, `Sheet with id ${sheetId} already exists`);
  const gp = props.gridProperties ?? {};
  const sheet: SheetState = {
    properties: {
      sheetId,
      title,
      index: props.index ?? ss.sheets.length,
      sheetType: 'GRID',
      gridProperties: {
        rowCount: gp.rowCount ?? 1000,
        columnCount: gp.columnCount ?? 26,
        ...(gp.frozenRowCount ? { frozenRowCount: gp.frozenRowCount } : {}),
      },
    },
    protectedRanges: [],
    developerMetadata: [],
    cells: [],
    validations: [],
    formats: [],
    hiddenColumns: [],
  };
  ss.sheets.push(sheet);
  return sheet;
}

/**
 * Sets the `fields` of `patch` on `target` ("*" = every field present in the patch), after checking the mask
 * against the message's schema (sheets-field-mask.ts: "/" or "." between names, unknown names refused).
 */
function applyFieldMask(
  target: Record<string, unknown>,
  patch: Record<string, unknown>,
  fields: string,
  schema: Schema,
  where: string,
): void {
  const mask = checkedMask(fields, schema, where);
  const paths = mask === '*' ? Object.keys(patch) : mask;
  for (const path of paths) {
    const parts = path.split('.');
    let t = target;
    let p: Record<string, unknown> | undefined = patch;
    for (let i = 0; i < parts.length - 1; i++) {
      t = (t[parts[i]] ??= {}) as Record<string, unknown>;
      p = p?.[parts[i]] as Record<string, unknown> | undefined;
    }
    const last = parts[parts.length - 1];
    if (p && p[last] !== undefined) t[last] = p[last];
    else delete t[last];
  }
}

type Dim = 'ROWS' | 'COLUMNS';

function shiftIndex(
  b: number | null | undefined,
  dim: Dim,
  want: Dim,
  at: number,
  delta: number,
  isEnd: boolean,
): number | null | undefined {
  if (b === null || b === undefined || dim !== want) return b;
  if (delta > 0) return b > at || (!isEnd && b === at) ? b + delta : b;
  const end = at - delta; // deleted [at, end)
  if (b >= end) return b + delta;
  if (b > at) return at;
  return b;
}

function shiftGridRange(range: GridRange, dim: Dim, at: number, delta: number): GridRange | null {
  const r: GridRange = { ...range };
  r.startRowIndex = shiftIndex(r.startRowIndex, dim, 'ROWS', at, delta, false);
  r.endRowIndex = shiftIndex(r.endRowIndex, dim, 'ROWS', at, delta, true);
  r.startColumnIndex = shiftIndex(r.startColumnIndex, dim, 'COLUMNS', at, delta, false);
  r.endColumnIndex = shiftIndex(r.endColumnIndex, dim, 'COLUMNS', at, delta, true);
  const emptyRows = r.endRowIndex != null && (r.startRowIndex ?? 0) >= r.endRowIndex;
  const emptyCols = r.endColumnIndex != null && (r.startColumnIndex ?? 0) >= r.endColumnIndex;
  return emptyRows || emptyCols ? null : r;
}

/** Inserts (delta > 0) or deletes (delta < 0, [at, at - delta)) rows or columns; everything anchored to cells moves. */
export function shiftDimension(sheet: SheetState, dim: Dim, at: number, delta: number): void {
  const gp = sheet.properties.gridProperties;
  if (dim === 'ROWS') {
    if (delta > 0) {
      // Rebuilt rather than splice(at, 0, ...new rows): thousands of inserted rows would exceed a call's arguments.
      const at2 = Math.min(at, sheet.cells.length);
      const after = sheet.cells.splice(at2);
      for (let i = 0; i < delta; i++) sheet.cells.push([]);
      for (const r of after) sheet.cells.push(r);
    } else sheet.cells.splice(at, -delta);
    gp.rowCount += delta;
  } else {
    for (const row of sheet.cells) {
      if (delta > 0) {
        if (row.length > at) row.splice(at, 0, ...Array.from({ length: delta }, () => null));
      } else row.splice(at, -delta);
    }
    sheet.hiddenColumns = sheet.hiddenColumns
      .filter((c) => delta > 0 || !(c >= at && c < at - delta))
      .map((c) => shiftIndex(c, dim, 'COLUMNS', at, delta, false) as number);
    gp.columnCount += delta;
  }
  sheet.protectedRanges = sheet.protectedRanges.flatMap((p) => {
    const range = p.range ? shiftGridRange(p.range, dim, at, delta) : p.range;
    return range === null ? [] : [{ ...p, range }];
  });
  sheet.validations = sheet.validations.flatMap((v) => {
    const range = shiftGridRange(v.range, dim, at, delta);
    return range ? [{ ...v, range }] : [];
  });
  sheet.formats = sheet.formats.flatMap((v) => {
    const range = shiftGridRange(v.range, dim, at, delta);
    return range ? [{ ...v, range }] : [];
  });
  if (sheet.basicFilter?.range)
    sheet.basicFilter.range = shiftGridRange(sheet.basicFilter.range, dim, at, delta) ?? undefined;
  sheet.developerMetadata = sheet.developerMetadata.flatMap((m) => {
    const d = m.location?.dimensionRange;
    if (!d || d.dimension !== dim) return [m];
    const start = shiftIndex(d.startIndex, dim, dim, at, delta, false) as number;
    const end = shiftIndex(d.endIndex, dim, dim, at, delta, true) as number;
    if (start >= end) return [];
    return [
      { ...m, location: { ...m.location, dimensionRange: { ...d, startIndex: start, endIndex: end } } },
    ];
  });
}

function allMetadata(ss: SpreadsheetState): sheets_v4.Schema$DeveloperMetadata[] {
  return [...ss.developerMetadata, ...ss.sheets.flatMap((s) => s.developerMetadata)];
}

function matchesLookup(
  m: sheets_v4.Schema$DeveloperMetadata,
  f: sheets_v4.Schema$DataFilter | undefined,
): boolean {
  const l = f?.developerMetadataLookup;
  if (!l)
    throw new ApiError(400, 'Only developerMetadataLookup data filters are supported by the local server');
  if (l.metadataId != null && l.metadataId !== m.metadataId) return false;
  if (l.metadataKey != null && l.metadataKey !== m.metadataKey) return false;
  if (l.metadataValue != null && l.metadataValue !== m.metadataValue) return false;
  return true;
}

function removeMetadata(
  ss: SpreadsheetState,
  keep: (m: sheets_v4.Schema$DeveloperMetadata) => boolean,
): void {
  ss.developerMetadata = ss.developerMetadata.filter(keep);
  for (const s of ss.sheets) s.developerMetadata = s.developerMetadata.filter(keep);
}

function toStored(v: sheets_v4.Schema$ExtendedValue | undefined): Stored {
  if (!v) return null;
  if (v.formulaValue != null) return formulaCell(v.formulaValue);
  if (v.numberValue != null) return v.numberValue;
  if (v.boolValue != null) return v.boolValue;
  if (v.stringValue != null) return v.stringValue === '' ? null : v.stringValue;
  return null;
}

function sortRowsByFilter(sheet: SheetState, filter: sheets_v4.Schema$BasicFilter): void {
  const spec = filter.sortSpecs?.[0];
  if (!spec) return;
  const col = spec.dimensionIndex ?? 0;
  const from = (filter.range?.startRowIndex ?? 0) + 1;
  sortRows(sheet, from, col, spec.sortOrder === 'DESCENDING');
}

/** Physically reorders rows [from, last data row) by one column, like a person's "Sort sheet A→Z". */
export function sortRows(sheet: SheetState, from: number, col: number, descending = false): void {
  const rows = sheet.cells.slice(from);
  const key = (r: Stored[]) => {
    const v = r[col];
    if (isDateCell(v)) return v.toISOString();
    return v === null || v === undefined ? '' : typeof v === 'object' ? v.f : String(v);
  };
  rows.sort((a, b) => key(a).localeCompare(key(b), 'en', { numeric: true }) * (descending ? -1 : 1));
  // Written back in place, not splice(from, n, ...rows): a sheet's rows can outnumber a call's arguments.
  for (let i = 0; i < rows.length; i++) sheet.cells[from + i] = rows[i];
}

/** Adds `email` to a protected range's editors (once, compared case-insensitively like Google's accounts). */
function withEditor(p: sheets_v4.Schema$ProtectedRange, email: string): void {
  const users = p.editors?.users ?? [];
  if (!users.some((u) => u.toLowerCase() === email.toLowerCase()))
    p.editors = { ...p.editors, users: [email, ...users] };
}

/** Ids of every protected range, kept per state object so a batch of 10,000 additions stays linear. */
const idCache = new WeakMap<SpreadsheetState, Set<number>>();
function protectedIds(ss: SpreadsheetState): Set<number> {
  let ids = idCache.get(ss);
  if (!ids) {
    ids = new Set(ss.sheets.flatMap((s) => s.protectedRanges.map((p) => p.protectedRangeId ?? -1)));
    idCache.set(ss, ids);
  }
  return ids;
}

/**
 * Applies one request of spreadsheets.batchUpdate and returns its reply. `caller` is the calling account's email
 * (the server's; the advanced service's caller is a person the emulator does not name), which Google makes an
 * editor of every range it protects.
 */
export function applyRequest(
  ss: SpreadsheetState,
  req: sheets_v4.Schema$Request,
  caller?: string,
): sheets_v4.Schema$Response {
  const kind = Object.keys(req).filter((k) => (req as Record<string, unknown>)[k] != null);
  if (kind.length !== 1)
    throw new ApiError(400, `Each request must set exactly one kind; got ${kind.join(', ') || 'none'}`);
  if (req.addSheet) {
    const sheet = addSheet(ss, req.addSheet.properties ?? {});
    return { addSheet: { properties: structuredClone(sheet.properties) } };
  }
  if (req.updateSheetProperties) {
    const p = req.updateSheetProperties.properties ?? {};
    const sheet = sheetById(ss, p.sheetId);
    const before = structuredClone(sheet.properties);
    applyFieldMask(
      sheet.properties as unknown as Record<string, unknown>,
      p as Record<string, unknown>,
      req.updateSheetProperties.fields ?? '',
      SHEET_PROPERTIES,
      'updateSheetProperties',
    );
    // A spreadsheet keeps one visible sheet: Google refuses to hide the last one (400, "You can't hide all the
    // sheets in a document"; SheetProperties.hidden: https://developers.google.com/sheets/api/reference/rest/v4/spreadsheets/sheets#SheetProperties).
    if (!ss.sheets.some((s) => !(s.properties as { hidden?: boolean }).hidden)) {
      sheet.properties = before;
      throw new ApiError(400, `You can't hide all the sheets in a document.`);
    }
    return {};
  }
  if (req.updateSpreadsheetProperties) {
    const u = req.updateSpreadsheetProperties;
    applyFieldMask(
      ss.properties as Record<string, unknown>,
      (u.properties ?? {}) as Record<string, unknown>,
      u.fields ?? '',
      SPREADSHEET_PROPERTIES,
      'updateSpreadsheetProperties',
    );
    return {};
  }
  if (req.deleteSheet) {
    const sheet = sheetById(ss, req.deleteSheet.sheetId);
    // "You can't remove all the sheets in a document" (the same rule as hiding, DeleteSheetRequest).
    if (ss.sheets.length === 1) throw new ApiError(400, `You can't remove all the sheets in a document.`);
    ss.sheets = ss.sheets.filter((s) => s !== sheet);
    ss.sheets
      .sort((a, b) => a.properties.index - b.properties.index)
      .forEach((s, i) => (s.properties.index = i));
    return {};
  }
  if (req.clearBasicFilter) {
    delete sheetById(ss, req.clearBasicFilter.sheetId).basicFilter;
    return {};
  }
  if (req.appendDimension) {
    const a = req.appendDimension;
    const sheet = sheetById(ss, a.sheetId);
    if (!a.length || a.length < 1) throw new ApiError(400, 'appendDimension.length must be positive');
    if (a.dimension === 'ROWS') sheet.properties.gridProperties.rowCount += a.length;
    else sheet.properties.gridProperties.columnCount += a.length;
    return {};
  }
  if (req.insertDimension || req.deleteDimension) {
    const r = (req.insertDimension?.range ?? req.deleteDimension?.range)!;
    const sheet = sheetById(ss, r.sheetId);
    const n = (r.endIndex ?? 0) - (r.startIndex ?? 0);
    if (n <= 0) throw new ApiError(400, 'dimension range is empty');
    shiftDimension(sheet, r.dimension as Dim, r.startIndex ?? 0, req.insertDimension ? n : -n);
    return {};
  }
  if (req.setBasicFilter) {
    const f = req.setBasicFilter.filter ?? {};
    const sheet = sheetById(ss, f.range?.sheetId);
    sheet.basicFilter = structuredClone(f);
    // Google stores the filter's range with every bound explicit, an open end becoming the grid's edge
    // (recorded: setBasicFilter {range: {sheetId: 0}} reads back as rows 0–20, columns 0–20 of a 20×20 grid,
    // ../shared/reference/sheets-recordings/WorksheetTest.test_basic_filters.json).
    const gp = sheet.properties.gridProperties;
    const r = f.range ?? {};
    sheet.basicFilter.range = {
      sheetId: sheet.properties.sheetId,
      startRowIndex: r.startRowIndex ?? 0,
      endRowIndex: r.endRowIndex ?? gp.rowCount,
      startColumnIndex: r.startColumnIndex ?? 0,
      endColumnIndex: r.endColumnIndex ?? gp.columnCount,
    };
    sortRowsByFilter(sheet, f);
    return {};
  }
  if (req.setDataValidation) {
    const r = req.setDataValidation.range ?? {};
    const sheet = sheetById(ss, r.sheetId);
    sheet.validations.push({
      range: r,
      ...(req.setDataValidation.rule ? { rule: req.setDataValidation.rule } : {}),
    });
    return {};
  }
  if (req.repeatCell) {
    const r = req.repeatCell.range ?? {};
    checkedMask(req.repeatCell.fields ?? '', CELL_DATA, 'repeatCell');
    sheetById(ss, r.sheetId).formats.push({
      range: r,
      cell: req.repeatCell.cell ?? {},
      fields: req.repeatCell.fields ?? '',
    });
    return {};
  }
  if (req.updateDimensionProperties) {
    const u = req.updateDimensionProperties;
    const r = u.range ?? {};
    const sheet = sheetById(ss, r.sheetId);
    checkedMask(u.fields ?? '', DIMENSION_PROPERTIES, 'updateDimensionProperties');
    if (r.dimension === 'COLUMNS' && (u.fields ?? '').includes('hiddenByUser')) {
      for (let c = r.startIndex ?? 0; c < (r.endIndex ?? 0); c++) {
        sheet.hiddenColumns = sheet.hiddenColumns.filter((x) => x !== c);
        if (u.properties?.hiddenByUser) sheet.hiddenColumns.push(c);
      }
    }
    return {};
  }
  if (req.updateCells) {
    const u = req.updateCells;
    const sheet = sheetById(ss, u.start?.sheetId ?? u.range?.sheetId);
    // Only the userEnteredValue of the cells is modelled; a mask without it (a note, a format) writes no value.
    const mask = checkedMask(u.fields ?? '', CELL_DATA, 'updateCells');
    if (mask !== '*' && !mask.some((m) => m.split('.')[0] === 'userEnteredValue')) return {};
    const r0 = u.start?.rowIndex ?? u.range?.startRowIndex ?? 0;
    const c0 = u.start?.columnIndex ?? u.range?.startColumnIndex ?? 0;
    const before = sheet.cells.length;
    (u.rows ?? []).forEach((row, i) => {
      if (r0 + i >= sheet.properties.gridProperties.rowCount)
        throw new ApiError(400, 'updateCells exceeds grid limits');
      const target = (sheet.cells[r0 + i] ??= []);
      (row.values ?? []).forEach((cell, j) => {
        if (c0 + j >= sheet.properties.gridProperties.columnCount)
          throw new ApiError(400, 'updateCells exceeds grid limits');
        target[c0 + j] = toStored(cell.userEnteredValue);
      });
    });
    // Only rows this request added can be holes (a batch of many small updates must not rescan the sheet).
    for (let r = before; r < sheet.cells.length; r++) sheet.cells[r] ??= [];
    return {};
  }
  if (req.addProtectedRange) {
    const p = structuredClone(req.addProtectedRange.protectedRange ?? {});
    const sheet = sheetById(ss, p.range?.sheetId);
    const ids = protectedIds(ss);
    // "It is an error to specify the ID of a range that already exists" (ProtectedRange.protectedRangeId,
    // https://developers.google.com/sheets/api/reference/rest/v4/spreadsheets/sheets#ProtectedRange).
    // (The id set is a cache: a hit is confirmed against the ranges, which a front may have removed since.)
    const pinned = p.protectedRangeId;
    if (
      pinned != null &&
      ids.has(pinned) &&
      ss.sheets.some((s) => s.protectedRanges.some((x) => x.protectedRangeId === pinned))
    ) {
      throw new ApiError(
        400,
        `Invalid requests.addProtectedRange: protected range with id ${p.protectedRangeId} already exists`,
      );
    }
    p.protectedRangeId ??= ss.nextId++;
    ids.add(p.protectedRangeId);
    p.requestingUserCanEdit = true;
    p.editors ??= {}; // Google's reply always carries an editors object, `{}` when none were sent
    const reply = structuredClone(p);
    // Google makes the calling account an editor of the range it protects: the reply echoes the editors sent,
    // a later spreadsheets.get lists the caller too (recorded in
    // ../shared/reference/sheets-recordings/WorksheetTest.test_add_protected_range_normal.json; "the requesting
    // user can always edit", ProtectedRange.editors: https://developers.google.com/sheets/api/reference/rest/v4/spreadsheets/sheets#ProtectedRange).
    // (A warning-only range too: recorded in WorksheetTest.test_add_protected_range_warning.json.)
    if (caller) withEditor(p, caller);
    sheet.protectedRanges.push(p);
    return { addProtectedRange: { protectedRange: reply } };
  }
  if (req.updateProtectedRange) {
    const patch = req.updateProtectedRange.protectedRange ?? {};
    const sheet = ss.sheets.find((s) =>
      s.protectedRanges.some((x) => x.protectedRangeId === patch.protectedRangeId),
    );
    const target = sheet?.protectedRanges.find((x) => x.protectedRangeId === patch.protectedRangeId);
    if (!sheet || !target) throw new ApiError(400, `No protected range with id: ${patch.protectedRangeId}`);
    applyFieldMask(
      target as Record<string, unknown>,
      structuredClone(patch) as Record<string, unknown>,
      req.updateProtectedRange.fields ?? '',
      PROTECTED_RANGE,
      'updateProtectedRange',
    );
    if (caller) withEditor(target, caller); // as for addProtectedRange
    if (target.range && target.range.sheetId !== sheet.properties.sheetId) {
      sheet.protectedRanges = sheet.protectedRanges.filter((x) => x !== target);
      sheetById(ss, target.range.sheetId).protectedRanges.push(target);
    }
    return {};
  }
  if (req.deleteProtectedRange) {
    const id = req.deleteProtectedRange.protectedRangeId;
    const sheet = ss.sheets.find((s) => s.protectedRanges.some((x) => x.protectedRangeId === id));
    if (!sheet) throw new ApiError(400, `No protected range with id: ${id}`);
    sheet.protectedRanges = sheet.protectedRanges.filter((x) => x.protectedRangeId !== id);
    protectedIds(ss).delete(id!);
    return {};
  }
  if (req.createDeveloperMetadata) {
    const m = structuredClone(req.createDeveloperMetadata.developerMetadata ?? {});
    if (!m.metadataKey) throw new ApiError(400, 'developerMetadata.metadataKey is required');
    // metadataId "may be chosen by you" and must be unique in the spreadsheet
    // (https://developers.google.com/sheets/api/reference/rest/v4/spreadsheets.developerMetadata): a second
    // create with the same id — another writer's, or our own retried after a lost reply — is refused.
    if (m.metadataId != null && allMetadata(ss).some((x) => x.metadataId === m.metadataId)) {
      throw new ApiError(
        400,
        `Invalid requests.createDeveloperMetadata: Developer metadata with id ${m.metadataId} already exists.`,
      );
    }
    m.metadataId ??= ss.nextId++;
    m.visibility ??= 'DOCUMENT';
    const loc = m.location ?? {};
    if (loc.spreadsheet) ss.developerMetadata.push(m);
    else sheetById(ss, loc.sheetId ?? loc.dimensionRange?.sheetId).developerMetadata.push(m);
    m.location = {
      ...loc,
      locationType: loc.spreadsheet
        ? 'SPREADSHEET'
        : loc.dimensionRange
          ? loc.dimensionRange.dimension === 'ROWS'
            ? 'ROW'
            : 'COLUMN'
          : 'SHEET',
    };
    return { createDeveloperMetadata: { developerMetadata: structuredClone(m) } };
  }
  if (req.updateDeveloperMetadata) {
    const u = req.updateDeveloperMetadata;
    const matched = allMetadata(ss).filter((m) => (u.dataFilters ?? []).some((f) => matchesLookup(m, f)));
    for (const m of matched) {
      applyFieldMask(
        m as Record<string, unknown>,
        (u.developerMetadata ?? {}) as Record<string, unknown>,
        u.fields ?? '',
        DEVELOPER_METADATA,
        'updateDeveloperMetadata',
      );
    }
    return { updateDeveloperMetadata: { developerMetadata: structuredClone(matched) } };
  }
  if (req.deleteDeveloperMetadata) {
    const f = req.deleteDeveloperMetadata.dataFilter ?? undefined;
    const deleted = allMetadata(ss).filter((m) => matchesLookup(m, f));
    removeMetadata(ss, (m) => !deleted.includes(m));
    return { deleteDeveloperMetadata: { deletedDeveloperMetadata: structuredClone(deleted) } };
  }
  const charted = applyChartRequest(ss, req); // addChart, updateChartSpec, deleteEmbeddedObject
  if (charted) return charted;
  throw new ApiError(400, `The local Sheets server does not implement request kind "${kind[0]}"`);
}

/** The Spreadsheet resource as spreadsheets.get returns it (grid data only when asked). */
export function spreadsheetResource(
  ss: SpreadsheetState,
  includeGridData: boolean,
): sheets_v4.Schema$Spreadsheet {
  return {
    spreadsheetId: ss.spreadsheetId,
    properties: {
      title: ss.properties.title,
      locale: ss.properties.locale ?? 'en_US',
      timeZone: ss.properties.timeZone ?? 'Etc/GMT',
    },
    sheets: [...ss.sheets]
      .sort((a, b) => a.properties.index - b.properties.index)
      .map((s) => ({
        properties: structuredClone(s.properties),
        ...(s.basicFilter ? { basicFilter: structuredClone(s.basicFilter) } : {}),
        ...(s.protectedRanges.length ? { protectedRanges: structuredClone(s.protectedRanges) } : {}),
        ...(s.developerMetadata.length ? { developerMetadata: structuredClone(s.developerMetadata) } : {}),
        ...chartsResource(s),
        ...(includeGridData
          ? {
              data: [
                {
                  startRow: 0,
                  startColumn: 0,
                  rowData: s.cells.map((row) => ({
                    values: row.map((v) => (isEmpty(v) ? {} : { effectiveValue: extended(v) })),
                  })),
                  columnMetadata: Array.from({ length: s.properties.gridProperties.columnCount }, (_, c) => ({
                    hiddenByUser: s.hiddenColumns.includes(c),
                  })),
                },
              ],
            }
          : {}),
      })),
    ...(ss.developerMetadata.length ? { developerMetadata: structuredClone(ss.developerMetadata) } : {}),
    spreadsheetUrl: `https://docs.google.com/spreadsheets/d/${ss.spreadsheetId}/edit`,
  };
}

function extended(v: Stored): sheets_v4.Schema$ExtendedValue {
  if (isDateCell(v)) return { numberValue: serialOf(v) };
  if (typeof v === 'number') return { numberValue: v };
  if (typeof v === 'boolean') return { boolValue: v };
  if (v !== null && typeof v === 'object') return { formulaValue: v.f };
  return { stringValue: v ?? '' };
}

/** values.append: finds the end of the table in the range's columns and writes below it (growing the grid). */
export function appendValues(
  ss: SpreadsheetState,
  range: string,
  values: unknown[][],
  inputOption: string,
  insertDataOption: string,
): { tableRange?: string; updates: ReturnType<typeof writeValues> } {
  const a1 = parseA1(ss, range);
  const width = widest(values, 1);
  const last = lastRowWithData(a1.sheet);
  const at = Math.max(last, a1.startRow);
  const gp = a1.sheet.properties.gridProperties;
  if (insertDataOption === 'INSERT_ROWS') shiftDimension(a1.sheet, 'ROWS', at, values.length);
  else if (at + values.length > gp.rowCount) gp.rowCount = at + values.length;
  if (a1.startCol + width > gp.columnCount) gp.columnCount = a1.startCol + width;
  const updates = writeValues(
    ss,
    a1Of(a1.sheet, at, at + values.length, a1.startCol, a1.startCol + width),
    values,
    inputOption,
  );
  return {
    ...(last > 0 ? { tableRange: a1Of(a1.sheet, 0, last, a1.startCol, a1.startCol + width) } : {}),
    updates,
  };
}
