/**
 * Download the Credits rows the person sees, as a CSV the sidebar saves in the browser (a Blob URL, so no
 * Drive scope). CSV cells are formula-injection safe (core/csv).
 *
 * Which rows: those the sheet's BASIC filter shows, as Sheets says: every row's `hiddenByFilter` comes in the
 * one spreadsheets.get the plan makes (Sheets API rowMetadata) — what the person sees, with formula condition
 * values (=$Z$1) and data changed since the filter was applied. Without the advanced service, criteria this
 * module can evaluate (and whose values are not formulas) are evaluated in memory (visible-rows.ts), the
 * others asked of SpreadsheetApp row by row. Rows hidden by hand are left out unless the
 * person asks to include them (the same one request says `hiddenByUser`). Filter views and slicers are not
 * visible to Apps Script as "what this person is looking at", so when the sheet has any, the download says it
 * follows the sheet's own filter.
 *
 * How: prepareDownload reads the tab once and returns a plan — the visible rows split into chunks of at most
 * CHUNK_ROWS rows, each with a hash of its Keys. downloadChunk(chunk) reads only that chunk's rows, checks
 * the Keys are still the same (a sort in between would otherwise mix rows up) and returns its CSV. No
 * google.script.run call carries more than a few MB, and the sidebar shows progress per chunk.
 */
import type { Credit } from '../../core/credit';
import type { ExistingCredit } from '../../core/merge';
import { csvFilename, toCsv } from '../../core/csv';
import { CreditDeskError } from '../../core/errors';
import { exportTable } from '../../core/export';
import { TABS, type CreditField } from '../../core/sheet-contract';
import { creditFromRow, indexColumns, text, type Cell } from '../../core/table';
import type { DownloadChunk, DownloadFile, DownloadPlan } from '../api';
import { toCell, toGrid } from '../services/cells';
import { apiRowsToCells, gridOf, quoteSheet, type ValuesApi } from '../services/sheets-values';
import { readCreditRows } from '../../core/sheet-state';
import { sheetsService } from './guarded-write';
import { describeFilter, isSupported, shownRows, type FilterSpec } from './visible-rows';
import { runs } from './write-plan';
import { openSpreadsheet, parseCreditsTab } from './live-sheet';

type Sheet = GoogleAppsScript.Spreadsheet.Sheet;

/** ~2 MB of CSV per chunk at ~200 bytes a row: 50,000 rows are 5 chunks. */
export const CHUNK_ROWS = 10_000;

/** The filter's criteria as plain data: a few calls per FILTERED COLUMN, none per row. */
export function readFilterSpec(sheet: Sheet, width: number): FilterSpec | null {
  const filter = sheet.getFilter();
  if (!filter) return null;
  const range = filter.getRange();
  const first = range.getColumn();
  const end = first + range.getNumColumns(); // asked once, not once per column
  const columns: FilterSpec['columns'] = [];
  for (let col = first; col < end && col <= width; col++) {
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

/** FNV-1a over the chunk's keys: detects rows that moved between the plan and the chunk. */
function keysHash(keys: string[]): string {
  let h = 0x811c9dc5;
  for (const k of keys) {
    for (let i = 0; i < k.length; i++) {
      h ^= k.charCodeAt(i);
      h = Math.imul(h, 0x01000193) >>> 0;
    }
    h ^= 0x0a;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

interface RowFlags {
  hiddenByFilter: boolean[];
  hiddenByUser: boolean[];
  filterViews: string[];
  slicers: number;
}

/**
 * Sheets API ConditionType → the SpreadsheetApp BooleanCriteria names visible-rows.ts evaluates (BooleanCondition
 * reference, https://developers.google.com/sheets/api/reference/rest/v4/spreadsheets/other#ConditionType).
 * A type not listed keeps its API name, which visible-rows does not support: Sheets' hiddenByFilter decides.
 */
const CONDITION_NAMES: Record<string, string> = {
  BLANK: 'CELL_EMPTY',
  NOT_BLANK: 'CELL_NOT_EMPTY',
  TEXT_CONTAINS: 'TEXT_CONTAINS',
  TEXT_NOT_CONTAINS: 'TEXT_DOES_NOT_CONTAIN',
  TEXT_EQ: 'TEXT_EQUAL_TO',
  TEXT_NOT_EQ: 'TEXT_NOT_EQUAL_TO',
  TEXT_STARTS_WITH: 'TEXT_STARTS_WITH',
  TEXT_ENDS_WITH: 'TEXT_ENDS_WITH',
  NUMBER_EQ: 'NUMBER_EQUAL_TO',
  NUMBER_NOT_EQ: 'NUMBER_NOT_EQUAL_TO',
  NUMBER_GREATER: 'NUMBER_GREATER_THAN',
  NUMBER_GREATER_THAN_EQ: 'NUMBER_GREATER_THAN_OR_EQUAL_TO',
  NUMBER_LESS: 'NUMBER_LESS_THAN',
  NUMBER_LESS_THAN_EQ: 'NUMBER_LESS_THAN_OR_EQUAL_TO',
  NUMBER_BETWEEN: 'NUMBER_BETWEEN',
  NUMBER_NOT_BETWEEN: 'NUMBER_NOT_BETWEEN',
  CUSTOM_FORMULA: 'CUSTOM_FORMULA',
};

interface ApiFilterCriteria {
  hiddenValues?: string[];
  visibleValues?: string[];
  condition?: { type?: string; values?: { userEnteredValue?: string }[] };
}

export interface ApiBasicFilter {
  range?: { startRowIndex?: number; endRowIndex?: number };
  filterSpecs?: { columnIndex?: number; filterCriteria?: ApiFilterCriteria }[];
  /** Deprecated map (column index → criteria) that older filters still carry (BasicFilter reference). */
  criteria?: Record<string, ApiFilterCriteria>;
}

/** The Sheets API's BasicFilter as the FilterSpec readFilterSpec builds from SpreadsheetApp: no call at all. */
export function filterSpecFromApi(f: ApiBasicFilter | undefined, width: number): FilterSpec | null {
  if (!f) return null;
  const specs =
    f.filterSpecs ??
    Object.entries(f.criteria ?? {}).map(([i, c]) => ({ columnIndex: Number(i), filterCriteria: c }));
  const columns: FilterSpec['columns'] = [];
  for (const spec of [...specs].sort((a, b) => (a.columnIndex ?? 0) - (b.columnIndex ?? 0))) {
    const col = (spec.columnIndex ?? 0) + 1;
    const c = spec.filterCriteria ?? {};
    if (col > width) continue;
    const type = c.condition?.type;
    columns.push({
      col,
      hiddenValues: nonEmpty(c.hiddenValues),
      visibleValues: nonEmpty(c.visibleValues),
      type: type ? (CONDITION_NAMES[type] ?? type) : null,
      args: (c.condition?.values ?? []).map((v) => v.userEnteredValue ?? ''),
    });
  }
  const start = f.range?.startRowIndex ?? 0;
  // No endRowIndex: "unbounded" (GridRange reference).
  const numRows = (f.range?.endRowIndex ?? Number.MAX_SAFE_INTEGER) - start;
  return { row: start + 1, numRows, columns };
}

interface ApiSheetMeta extends RowFlags {
  timeZone: string;
  filter: ApiBasicFilter | undefined;
}

type DownloadApi = {
  Spreadsheets: {
    get(
      id: string,
      o: { ranges: string[]; fields: string },
    ): {
      properties?: { timeZone?: string };
      sheets?: {
        properties?: { title?: string };
        basicFilter?: ApiBasicFilter;
        data?: { rowMetadata?: { hiddenByFilter?: boolean; hiddenByUser?: boolean }[] }[];
        filterViews?: { title?: string }[];
        slicers?: unknown[];
      }[];
    };
    Values: ValuesApi;
  };
};

/**
 * Everything about the tab but its cells in ONE spreadsheets.get (fields mask, see the Spreadsheet resource
 * reference): the spreadsheet's time zone, the basic filter's criteria, hiddenByFilter / hiddenByUser per row
 * (sheets.data.rowMetadata, DimensionProperties), filter views and slicers.
 */
function sheetMeta(api: DownloadApi, spreadsheetId: string, name: string): ApiSheetMeta {
  const res = api.Spreadsheets.get(spreadsheetId, {
    ranges: [quoteSheet(name)],
    fields:
      'properties(timeZone),sheets(properties(title),basicFilter,data(rowMetadata(hiddenByFilter,hiddenByUser)),filterViews(title),slicers(slicerId))',
  });
  const s = (res.sheets ?? []).find((x) => x.properties?.title === name);
  if (!s) throw new CreditDeskError('BAD_SHEET', `This spreadsheet has no "${name}" tab.`, '');
  const meta = s.data?.[0]?.rowMetadata ?? [];
  return {
    timeZone: res.properties?.timeZone ?? 'Etc/UTC',
    filter: s?.basicFilter,
    hiddenByFilter: meta.map((m) => m.hiddenByFilter === true),
    hiddenByUser: meta.map((m) => m.hiddenByUser === true),
    filterViews: (s?.filterViews ?? []).map((v) => v.title ?? '(untitled)'),
    slicers: (s?.slicers ?? []).length,
  };
}

interface DownloadRead {
  /** Credits as read, header row first (Dates as getValues gives them, or as their text through the API). */
  raw: unknown[][];
  credits: ExistingCredit[];
  spec: FilterSpec | null;
  flags: RowFlags | null;
  timeZone: string;
  /** The displayed text of the tab, read only when a criterion compares it. */
  display(): string[][];
  isRowHiddenByFilter(row: number): boolean;
  /** Set when the chunks can read through the Sheets API. */
  spreadsheetId?: string;
}

/**
 * With the Sheets API: 4 calls whatever the rows and the filter (active spreadsheet, its id, one
 * spreadsheets.get with every row's hiddenByFilter, one values.batchGet).
 * Without: SpreadsheetApp, a few calls per filtered column.
 */
function readForDownload(): DownloadRead {
  const api = sheetsService() as unknown as DownloadApi | null;
  const name = TABS.credits.name;
  if (api) {
    const spreadsheetId = SpreadsheetApp.getActiveSpreadsheet().getId();
    const meta = sheetMeta(api, spreadsheetId, name);
    const get = (valueRenderOption: string) =>
      api.Spreadsheets.Values.batchGet(spreadsheetId, {
        ranges: [quoteSheet(name)],
        valueRenderOption,
        dateTimeRenderOption: 'SERIAL_NUMBER',
      }).valueRanges?.[0]?.values ?? [];
    const raw = apiRowsToCells(get('UNFORMATTED_VALUE'), meta.timeZone);
    const grid = gridOf(raw);
    const idx = indexColumns<CreditField>('credits', grid.headers);
    return {
      raw,
      credits: readCreditRows(grid, idx).credits,
      spec: filterSpecFromApi(meta.filter, raw[0]?.length ?? 0),
      flags: meta,
      timeZone: meta.timeZone,
      // Never needed: with the API, Sheets' hiddenByFilter decides (prepareDownload).
      display: () => [],
      isRowHiddenByFilter: (row) => meta.hiddenByFilter[row - 1] === true,
      spreadsheetId,
    };
  }
  const { ss, timeZone } = openSpreadsheet();
  const sheet = ss.getSheetByName(name);
  if (!sheet) throw new CreditDeskError('BAD_SHEET', `This spreadsheet has no "${name}" tab.`, '');
  const data = sheet.getDataRange();
  const raw = data.getValues() as unknown[][];
  const tab = parseCreditsTab({ sheet, raw, grid: toGrid(raw, timeZone) });
  return {
    raw,
    credits: tab.credits,
    spec: readFilterSpec(sheet, raw[0]?.length ?? 0),
    flags: null,
    timeZone,
    display: () => data.getDisplayValues(),
    isRowHiddenByFilter: (row) => sheet.isRowHiddenByFilter(row),
  };
}

/**
 * A condition value that is a formula: "Formulas are supported (and must begin with an = or a '+')"
 * (ConditionValue.userEnteredValue). Its value depends on other cells, so it is never compared as text here.
 */
function hasFormulaArgument(c: { args: readonly unknown[] }): boolean {
  return c.args.some((a) => typeof a === 'string' && /^[=+]/.test(a));
}

/** Plans the download: which rows, in which chunks. `includeHiddenByHand`: keep rows hidden by hand. */
export function prepareDownload(format: 'csv', includeHiddenByHand = false): DownloadPlan {
  if (format !== 'csv') {
    throw new CreditDeskError(
      'USAGE',
      `Downloading as ${String(format)} is not available.`,
      'Choose CSV; Excel and Sheets open it.',
    );
  }
  const read = readForDownload();
  const { raw, spec, flags, timeZone } = read;
  const notices: string[] = [];

  let shown: boolean[];
  const filtered = !!spec && spec.columns.length > 0;
  const rowByRow = () => raw.map((_r, i) => i === 0 || !filtered || !read.isRowHiddenByFilter(i + 1));
  if (flags) {
    // With the Sheets API, Sheets' own hiddenByFilter (already in the one spreadsheets.get) is the answer: it
    // is what the person sees, formula conditions (=$Z$1) included, and needs no second read.
    shown = raw.map((_r, i) => i === 0 || !flags.hiddenByFilter[i]);
  } else if (filtered && spec.columns.every((c) => isSupported(c) && !hasFormulaArgument(c))) {
    // Without it, criteria this module can evaluate are evaluated on the displayed text (one call) …
    shown = shownRows(spec, raw, read.display()) ?? rowByRow();
  } else {
    // … and the others (custom formulas, formula values, dates, colours) asked row by row.
    shown = rowByRow();
  }
  if (!includeHiddenByHand && flags) {
    shown = shown.map((s, i) => s && !flags.hiddenByUser[i]);
  }
  if (!includeHiddenByHand && !flags)
    notices.push(
      'Rows hidden by hand could not be told apart here (the Sheets service is off): they are included.',
    );
  if (flags && (flags.filterViews.length || flags.slicers)) {
    const what = [
      flags.filterViews.length
        ? `filter view${flags.filterViews.length === 1 ? '' : 's'} (${flags.filterViews.slice(0, 3).join(', ')})`
        : '',
      flags.slicers ? `${flags.slicers} slicer${flags.slicers === 1 ? '' : 's'}` : '',
    ]
      .filter(Boolean)
      .join(' and ');
    notices.push(
      `This sheet has ${what}. Apps Script can't see which view you are looking at: the download follows the sheet's own filter${filtered ? '' : ' (none: every row)'}.`,
    );
  }

  const visible = read.credits.filter((c) => (shown as boolean[])[c.sheetRow - 1]);
  const chunks: DownloadChunk[] = [];
  for (let i = 0; i < visible.length; i += CHUNK_ROWS) {
    const part = visible.slice(i, i + CHUNK_ROWS);
    chunks.push({
      index: chunks.length,
      runs: runs(part.map((c) => c.sheetRow)),
      rows: part.length,
      keysHash: keysHash(part.map((c) => c.credit.key)),
      columns: raw[0]?.length ?? 0,
      timeZone,
      ...(read.spreadsheetId ? { spreadsheetId: read.spreadsheetId } : {}),
    });
  }
  const today = new Date().toISOString().slice(0, 10);
  return {
    filename: csvFilename([TABS.credits.name, describeFilter(spec, raw[0] ?? [])], today),
    mimeType: 'text/csv',
    rows: visible.length,
    chunks,
    notices,
    emptyFile: chunks.length ? '' : emptyCsv(),
  };
}

/**
 * One chunk's CSV: header line, then its rows. Reads only the chunk's rows (one getValues from its first to
 * its last row) and the header row; refuses when the rows moved since the plan.
 */
export function downloadChunk(chunk: DownloadChunk): string {
  if (
    !chunk ||
    !Array.isArray(chunk.runs) ||
    chunk.runs.length === 0 ||
    !(chunk.columns >= 1) ||
    typeof chunk.timeZone !== 'string'
  )
    throw new CreditDeskError('USAGE', 'This download is out of date.', 'Start the download again.');
  // The plan's width and time zone (two calls fewer per chunk). A column inserted since the plan moves the
  // headers: they are found at their new places below, or the chunk is refused when one moved past the width.
  const first = chunk.runs[0][0];
  const last = chunk.runs[chunk.runs.length - 1][1];
  const { headers, block } = readChunkCells(chunk, first, last);
  const idx = indexColumns<CreditField>('credits', headers);
  const credits: Credit[] = [];
  for (const [a, b] of chunk.runs) {
    for (let r = a; r <= b; r++) {
      const cells = block[r - first] ?? [];
      const credit = creditFromRow(cells, idx, r);
      if (credit) credits.push(credit);
    }
  }
  if (
    credits.length !== chunk.rows ||
    keysHash(credits.map((c) => c.key)) !== chunk.keysHash ||
    text(headers[0]) === ''
  )
    throw new CreditDeskError(
      'USAGE',
      'The Credits rows moved while downloading (someone sorted, inserted or deleted rows).',
      'Start the download again.',
    );
  const table = exportTable(credits);
  return toCsv(table.headers, table.rows);
}

/**
 * The header row and rows first..last as Cells. With the chunk's spreadsheet id: ONE values.batchGet of both
 * ranges (UNFORMATTED_VALUE, dates turned back from serial numbers by services/sheets-values.ts). Without:
 * SpreadsheetApp, one getValues each.
 */
function readChunkCells(
  chunk: DownloadChunk,
  first: number,
  last: number,
): { headers: Cell[]; block: Cell[][] } {
  const { columns: width, timeZone } = chunk;
  const api = chunk.spreadsheetId ? (sheetsService() as unknown as DownloadApi | null) : null;
  if (api && chunk.spreadsheetId) {
    const name = quoteSheet(TABS.credits.name);
    const end = columnLetter(width);
    const res = api.Spreadsheets.Values.batchGet(chunk.spreadsheetId, {
      ranges: [`${name}!A1:${end}1`, `${name}!A${first}:${end}${last}`],
      valueRenderOption: 'UNFORMATTED_VALUE',
      dateTimeRenderOption: 'SERIAL_NUMBER',
    });
    const headerRow = res.valueRanges?.[0]?.values?.[0] ?? [];
    const pad = (rows: unknown[][]) => rows.map((r) => Array.from({ length: width }, (_x, i) => r[i]));
    const headers = apiRowsToCells(pad([headerRow]), timeZone)[0];
    const rows = pad(res.valueRanges?.[1]?.values ?? []);
    while (rows.length < last - first + 1) rows.push(new Array<unknown>(width).fill(''));
    return { headers, block: apiRowsToCells(rows, timeZone, headers) };
  }
  const sheet = SpreadsheetApp.getActiveSpreadsheet().getSheetByName(TABS.credits.name);
  if (!sheet)
    throw new CreditDeskError('USAGE', 'This download is out of date.', 'Start the download again.');
  const headers = (sheet.getRange(1, 1, 1, width).getValues()[0] as unknown[]).map((h) =>
    toCell(h, timeZone),
  );
  const block = (sheet.getRange(first, 1, last - first + 1, width).getValues() as unknown[][]).map((r) =>
    r.map((v) => toCell(v, timeZone)),
  );
  return { headers, block };
}

function columnLetter(col: number): string {
  let s = '';
  for (let n = col; n > 0; n = Math.floor((n - 1) / 26)) s = String.fromCharCode(65 + ((n - 1) % 26)) + s;
  return s;
}

/** The whole file in one process (menu, tests): the plan and every chunk, joined as the sidebar does. */
export function downloadFilteredRows(
  format: 'csv',
  includeHiddenByHand = false,
): DownloadFile & { notices: string[] } {
  const plan = prepareDownload(format, includeHiddenByHand);
  const parts = plan.chunks.map((c) => downloadChunk(c));
  return {
    filename: plan.filename,
    mimeType: plan.mimeType,
    content: parts.length ? joinChunks(parts) : plan.emptyFile,
    rows: plan.rows,
    notices: plan.notices,
  };
}

function emptyCsv(): string {
  const table = exportTable([]);
  return toCsv(table.headers, table.rows);
}

/**
 * Joins chunk CSVs into one file: the first keeps its BOM and header line, the others lose theirs. The header
 * line holds only the contract's fixed headers, so its first CRLF ends it. (The sidebar does the same.)
 */
export function joinChunks(parts: string[]): string {
  return parts.map((p, i) => (i === 0 ? p : p.slice(p.indexOf('\r\n') + 2))).join('');
}
