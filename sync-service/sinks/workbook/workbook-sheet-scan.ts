/**
 * One sheet part of the .xlsx as the grid `readGrid` gives after ExcelJS's load, read from the XML bytes
 * without decoding them to a string: at 50,000 credits the Credits part is ~42 MB, and decoding it (and the
 * garbage the substrings left) was a third of every workbook command's read.
 *
 * The cells the sink writes and the values staff type have one shape, `<c r="B7" s="3" t="s"><v>12</v></c>`
 * or a style-only `<c r="B7" s="3"/>`; those are read straight from the bytes. Any other cell (attributes
 * spread over lines, entities, an inline string, a formula, an unknown type…) is decoded and read by
 * `readCellText`, the exact reading the fast path must agree with; what even that cannot read is NotPlain,
 * and the caller falls back to ExcelJS.
 */
import type { CellValue } from 'exceljs';
import type { ColumnSpec } from '../../../core/sheet-contract';
import { columnNumber } from '../../../core/sheet-layout';
import { headerKey, text, type Cell, type Grid } from '../../../core/table';
import { cellFromExcel, isBlank } from '../../xlsx/workbook-cells';
import { kindsByHeader } from '../../xlsx/worksheet-grid';
import { decodeEntities, notPlain, quickAttr } from './workbook-xml';

// ExcelJS's own helper, so dates are converted exactly as its load does.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const excelUtils = require('exceljs/lib/utils/utils') as {
  excelToDate(v: number, date1904: boolean): Date;
};

/**
 * The shared strings by index: an array, or a lazy table that decodes an item the first time a cell asks for it
 * (workbook-read.ts: a read that leaves columns out never decodes their strings).
 */
export interface StringTable {
  at(index: number): string | null | undefined;
}

/** What a part's cells are read against: the shared strings, the styles that are dates, the date system. */
export interface CellContext {
  strings: StringTable;
  dateStyles: Set<number>;
  date1904: boolean;
}

/** The shared string at `index` (a parsed cell value, NaN when not digits): undefined when there is none. */
function sharedAt(ctx: CellContext, index: number): string | null | undefined {
  return Number.isInteger(index) && index >= 0 ? ctx.strings.at(index) : undefined;
}

/**
 * A narrow read (Sink.read's `columns`): the cells of these columns only, in every row below the header; the
 * other cells are left blank, not even decoded. A row whose `wholeIf` column holds one of its values is read
 * whole (the Audit rows whose details a command looks up).
 */
export interface NarrowColumns {
  /** headerKey of each header whose cells are read. */
  headers: ReadonlySet<string>;
  wholeIf?: {
    header: string;
    values: ReadonlySet<string>;
    /**
     * Rows that stay narrow all the same: their `header` value is one of `actions` and their `by` cell one of
     * `values` (the Audit's collect and close rows of a collection the Ledger holds: sink.ts TRACE_ROWS).
     */
    unless?: { by: string; actions: ReadonlySet<string>; values: ReadonlySet<string> };
  };
}

const LT = 60;
const GT = 62;
const SLASH = 47;
const QUOTE = 34;
const EQUALS = 61;
const AMP = 38;
// Needles as bytes: a string needle is converted on every Buffer.indexOf call (1 µs each, measured).
const ROW_OPEN = Buffer.from('<row');
const ROW_CLOSE = Buffer.from('</row>');
const CELL_CLOSE = Buffer.from('</c>');
const INLINE_STR = Buffer.from('inlineStr');
const INLINE_OPEN = Buffer.from('<is><t>');
const INLINE_CLOSE = Buffer.from('</t></is></c>');
/** CellAttrs.type of t="inlineStr". */
const INLINE = 1;

/** workbook-xml's isNameEnd; kept here, since this loop calls it once per cell. */
function isNameEnd(c: number): boolean {
  return c === 32 || c === 62 || c === 47 || c === 9 || c === 10 || c === 13;
}

/**
 * The tab as readGrid returns it (`columns` say which hold dates): header row plus every row down to the last
 * one holding a value; and the part's size as ExcelJS counts it (last row, widest cell, style-only cells
 * included) for the cell budget.
 */
export function sheetGrid(
  xml: Buffer,
  ctx: CellContext,
  columns: readonly ColumnSpec[],
  narrow?: NarrowColumns,
): { grid: Grid; size: { rows: number; cols: number } } {
  lastInline.length = 0; // offsets into another part's bytes
  const start = xml.indexOf('<sheetData');
  const end = start === -1 ? -1 : xml.lastIndexOf('</sheetData>');
  // <mergeCells> follows <sheetData> in a worksheet (ECMA-376 Part 1, §18.3.1.99, CT_Worksheet's sequence:
  // https://learn.microsoft.com/en-us/dotnet/api/documentformat.openxml.spreadsheet.worksheet, "child elements"),
  // so only the part outside the rows is searched: searching the rows too was a pass over 210 MB of Credits XML
  // at 240,000 credits. Text inside the rows cannot hold the name unescaped (`<` is `&lt;` there).
  if (
    hasElement(xml, '<mergeCell', end === -1 ? 0 : end) ||
    (start !== -1 && hasElement(xml.subarray(0, start), '<mergeCell'))
  )
    notPlain('merged cells');
  // Sheet row → its cells; rows come in order, so this grows like a list (a Map of 50,000 rows rehashed as it grew).
  const rows: (CellValue[] | undefined)[] = [];
  let maxRow = 0;
  let maxCol = 0;
  let width = 0; // the widest row read so far, by its last value
  // A narrow read: which columns are read (1-based, from the header row, once it is read), the column that
  // decides a whole row, the cells of the row left unread so far (where each starts), and the last row holding
  // a value in a column left out (the grid still reaches it: rows are counted as a full read counts them).
  let keep: Uint8Array | null = null;
  let wholeCol = 0;
  let unlessCol = 0; // the column of wholeIf.unless's `by` cell (read before a row is decided)
  let decideCol = 0; // the last of the two: the row is decided once the cells up to it are read
  const unless = narrow?.wholeIf?.unless;
  /** Whether a row of a narrow read is read whole, from its wholeIf cell (and its `unless` cell). */
  const readsWhole = (cells: CellValue[]): boolean => {
    const by = wholeCol ? cells[wholeCol - 1] : undefined;
    if (typeof by !== 'string' || !narrow!.wholeIf!.values.has(by)) return false;
    if (!unless || !unlessCol || !unless.actions.has(by)) return true;
    const id = cells[unlessCol - 1];
    return !(typeof id === 'string' && unless.values.has(id));
  };
  const skipped: number[] = [];
  let lastSkipped = 0;
  let lastKept = 0;
  const limit = start === -1 || end === -1 ? 0 : end;
  for (let p = start === -1 ? -1 : xml.indexOf(ROW_OPEN, start); p !== -1 && p + 4 <= limit;) {
    if (p + 4 >= limit || !isNameEnd(xml[p + 4])) {
      p = xml.indexOf(ROW_OPEN, p + 4);
      continue;
    }
    const tagEnd = xml.indexOf(GT, p);
    if (tagEnd === -1 || tagEnd >= limit) return notPlain('unclosed row');
    const selfClosing = xml[tagEnd - 1] === SLASH;
    const r = rowNumber(xml, p + 4, selfClosing ? tagEnd - 1 : tagEnd);
    const rowEnd = selfClosing ? tagEnd : xml.indexOf(ROW_CLOSE, tagEnd);
    // A self-closing row (`<row r="9"/>`, an empty row Excel or the writer leaves) ends at its tag, which may be
    // the last thing in <sheetData>; an open one needs its `</row>` inside it.
    if (rowEnd === -1 || (!selfClosing && rowEnd + 6 > limit)) return notPlain('unclosed row');
    // Made as wide as the widest row so far, not grown cell by cell (growing a 22-cell row allocated room for
    // 58); trailing holes are cut off after, so each row's length is still that of its last value.
    const cells: CellValue[] = width ? new Array<CellValue>(width) : [];
    let skip = r > 1 ? keep : null;
    skipped.length = 0;
    let decided = false; // whether the row is read whole is known (its wholeIf cell is behind)
    let restHasValue = false;
    let q = nextCell(xml, tagEnd, rowEnd);
    while (q !== -1) {
      const next = readCellBytes(xml, q, rowEnd, cells, ctx, skip);
      const col = scan.col;
      if (col > maxCol) maxCol = col;
      if (scan.skipped) skipped.push(q);
      q = nextCell(xml, next, rowEnd);
      if (!skip) continue;
      if (!decided && col >= decideCol) {
        decided = true;
        if (readsWhole(cells)) {
          skip = null; // a row read whole: the cells left so far, then the rest as they come
          for (const at of skipped) readCellBytes(xml, at, rowEnd, cells, ctx, null);
          skipped.length = 0;
          continue;
        }
      }
      if (decided && col >= lastKept && q !== -1) {
        // Every column read is behind: the rest of the row is not even scanned, only its last cell's column
        // (the size counts it) and whether any of it holds a value (a cell with a body).
        restHasValue = hasCellBody(xml, q, rowEnd);
        const last = lastCellColumn(xml, q, rowEnd);
        if (last > maxCol) maxCol = last;
        break;
      }
    }
    // A row that ends before the cells that decide it (a blank Credit ID and nothing after it): decided on what
    // it has, so its skipped cells are read when its Action asks for the row whole.
    if (skip && !decided && skipped.length && readsWhole(cells)) {
      for (const at of skipped) readCellBytes(xml, at, rowEnd, cells, ctx, null);
      skipped.length = 0;
    }
    if (skip && (skipped.length || restHasValue)) lastSkipped = r;
    if (r === 1 && narrow) {
      keep = new Uint8Array(Math.max(cells.length, maxCol) + 1);
      cells.forEach((v, i) => {
        const key = headerKey(text(cellFromExcel(v)));
        if (narrow.headers.has(key)) keep![i + 1] = 1;
        if (narrow.wholeIf && key === headerKey(narrow.wholeIf.header)) wholeCol = i + 1;
        if (narrow.wholeIf?.unless && key === headerKey(narrow.wholeIf.unless.by)) unlessCol = i + 1;
      });
      if (wholeCol) keep[wholeCol] = 1;
      if (unlessCol) keep[unlessCol] = 1;
      decideCol = Math.max(wholeCol, unlessCol);
      lastKept = Math.max(decideCol, keep.lastIndexOf(1));
    }
    let used = cells.length;
    while (used > 0 && cells[used - 1] === undefined) used--;
    if (used < cells.length) cells.length = used;
    if (used > width) width = used;
    rows[r] = cells;
    if (r > maxRow) maxRow = r;
    p = xml.indexOf(ROW_OPEN, selfClosing ? tagEnd + 1 : rowEnd + 6);
  }
  return { grid: toGrid(rows, maxRow, columns, lastSkipped), size: { rows: maxRow, cols: maxCol } };
}

/**
 * The row's r: read from the bytes when the tag is ` r="digits"` first (as ExcelJS and Excel write it), else by
 * quickAttr on the decoded attributes.
 */
function rowNumber(xml: Buffer, from: number, to: number): number {
  if (
    xml[from] === 32 &&
    xml[from + 1] === 114 /* r */ &&
    xml[from + 2] === EQUALS &&
    xml[from + 3] === QUOTE
  ) {
    let n = 0;
    let i = from + 4;
    for (; i < to; i++) {
      const d = xml[i] - 48;
      if (d < 0 || d > 9) break;
      n = n * 10 + d;
    }
    if (i > from + 4 && xml[i] === QUOTE) return n;
  }
  return Number(quickAttr(xml.toString('utf8', from, to), 'r') ?? notPlain('row without r'));
}

/** An element of this name (and not one whose name only starts so) in the part, at or after `from`. */
function hasElement(xml: Buffer, open: string, from = 0): boolean {
  for (let at = xml.indexOf(open, from); at !== -1; at = xml.indexOf(open, at + open.length)) {
    const c = xml[at + open.length];
    const wordChar = (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95; // \w
    if (!wordChar) return true;
  }
  return false;
}

/** The next `<c` element (not `<col…`) at or after `from` and before `rowEnd`, or -1. */
function nextCell(xml: Buffer, from: number, rowEnd: number): number {
  for (let i = from; i < rowEnd - 1; i++) {
    if (xml[i] === LT && xml[i + 1] === 99 /* c */ && isNameEnd(xml[i + 2])) return i;
  }
  return -1;
}

/**
 * The column of the last `<c` element between `from` and `rowEnd` (its r), as sheetSize in workbook-read.ts finds
 * it; byte loops, as Buffer.lastIndexOf's call per row cost more than the bytes.
 */
function lastCellColumn(xml: Buffer, from: number, rowEnd: number): number {
  for (let c = rowEnd - 2; c >= from; c--) {
    if (xml[c] !== LT || xml[c + 1] !== 99 /* c */ || !isNameEnd(xml[c + 2])) continue;
    let end = c + 2;
    while (end < rowEnd && xml[end] !== GT) end++;
    const ref = quickAttr(xml.toString('latin1', c + 2, end), 'r');
    return ref ? columnNumber(ref) : 0;
  }
  return 0;
}

/** Whether a cell between `from` and `rowEnd` has a body (`</c>`): a value, for the row count. */
function hasCellBody(xml: Buffer, from: number, rowEnd: number): boolean {
  for (let i = from; i < rowEnd - 3; i++)
    if (xml[i] === LT && xml[i + 1] === SLASH && xml[i + 2] === 99 && xml[i + 3] === GT) return true;
  return false;
}

/** Rows (sheet row → ExcelJS values) as the grid readGrid gives. */
function toGrid(
  rows: readonly (CellValue[] | undefined)[],
  maxRow: number,
  columns: readonly ColumnSpec[],
  lastSkipped = 0,
): Grid {
  let last = Math.max(1, lastSkipped);
  for (let r = maxRow; r > last; r--) {
    const cells = rows[r];
    if (cells && cells.some((v) => v !== undefined && !isBlank(cellFromExcel(v)))) {
      last = r;
      break;
    }
  }
  let width = 0;
  for (let r = 1; r <= last; r++) width = Math.max(width, rows[r]?.length ?? 0);
  const headerCells = rows[1] ?? [];
  const headers: string[] = [];
  for (let c = 0; c < width; c++) headers.push(text(cellFromExcel(headerCells[c])));
  const kindOfHeader = kindsByHeader(columns);
  const kinds = headers.map((h) => kindOfHeader.get(headerKey(h)));
  // Each row's own array becomes the grid's row, converted in place: a second array per row was 50,000 more
  // allocations at 50,000 credits, for the garbage collector to move.
  const out: Cell[][] = [];
  for (let r = 2; r <= last; r++) {
    const row = (rows[r] ?? []) as unknown[];
    for (let c = 0; c < width; c++) row[c] = cellFromExcel(row[c] as CellValue | undefined, kinds[c]);
    row.length = width;
    out.push(row as Cell[]);
  }
  return { headers, rows: out };
}

// --- one cell ------------------------------------------------------------------------------------------------

/**
 * What the per-cell readers below hand back besides their return value. They run once per cell, a million times
 * at 50,000 credits, and a small object returned from each was a third of the read's garbage collection.
 */
const scan = {
  /** The cell's column (readCellBytes, cellAttrs). */
  col: 0,
  /** cellAttrs: the style id, or -1 when there is none. */
  style: -1,
  /** cellAttrs: 0 none, the char code of a one-letter type (s, n, b), INLINE for inlineStr; -1 any other. */
  type: 0,
  /** plainValue, plainInlineString: where the raw value or the text is. */
  from: 0,
  to: 0,
  /** readCellBytes: the cell holds a value in a column a narrow read leaves out, and was not read. */
  skipped: false,
};

/**
 * Reads the `<c>` at `q` into `cells`; returns where reading goes on, its column in scan.col. The usual shapes
 * are read from the bytes; anything else is decoded and read by readCellText. A cell with a value in a column
 * `skip` leaves out (0 there) is not read: scan.skipped says so.
 */
function readCellBytes(
  xml: Buffer,
  q: number,
  rowEnd: number,
  cells: CellValue[],
  ctx: CellContext,
  skip: Uint8Array | null,
): number {
  scan.skipped = false;
  let cellEnd = q + 2;
  while (cellEnd < rowEnd && xml[cellEnd] !== GT) cellEnd++;
  if (cellEnd >= rowEnd) return notPlain('unclosed cell');
  const closed = xml[cellEnd - 1] === SLASH;
  const plain = cellAttrs(xml, q + 2, closed ? cellEnd - 1 : cellEnd);
  const col = scan.col;
  const style = scan.style;
  const type = scan.type;
  if (plain && closed) {
    if (style === -1) notPlain('a cell with neither value nor style'); // ExcelJS: a merge cell
    return cellEnd + 1; // style only: ExcelJS skips it
  }
  if (plain && skip && !skip[col]) {
    const close = xml.indexOf(CELL_CLOSE, cellEnd);
    if (close === -1 || close >= rowEnd) return notPlain('unclosed cell');
    scan.skipped = true;
    return close + 4;
  }
  if (plain && type === INLINE) {
    const next = plainInlineString(xml, cellEnd + 1, rowEnd);
    if (next !== -1) {
      cells[col - 1] = inlineText(xml, scan.from, scan.to, col);
      scan.col = col;
      return next;
    }
  }
  const next = plain && type !== -1 && type !== INLINE ? plainValue(xml, cellEnd + 1, rowEnd) : -1;
  if (next !== -1) {
    let v: CellValue;
    if (type === 115 /* s */) {
      const str = sharedAt(ctx, digitsValue(xml, scan.from, scan.to));
      v = typeof str === 'string' ? str : notPlain('rich or missing shared string');
    } else if (type === 98 /* b */) {
      v = digitsValue(xml, scan.from, scan.to) !== 0;
    } else if (type === 0 || type === 110 /* n */) {
      const num = numberValue(xml, scan.from, scan.to);
      // ExcelJS looks a style up only for a non-zero style id
      const date = style > 0 && ctx.dateStyles.has(style);
      v = date ? excelUtils.excelToDate(num, ctx.date1904) : num;
    } else return notPlain(`cell type ${String.fromCharCode(type)}`);
    cells[col - 1] = v;
    scan.col = col;
    return next;
  }
  // Not the usual shape: the text reading decides.
  const attrText = xml.toString('utf8', q + 2, closed ? cellEnd - 1 : cellEnd);
  if (closed) {
    scan.col = readCellText(attrText, undefined, cells, ctx);
    return cellEnd + 1;
  }
  const close = xml.indexOf(CELL_CLOSE, cellEnd);
  if (close === -1 || close >= rowEnd) return notPlain('unclosed cell');
  const body = xml.toString('utf8', cellEnd + 1, close);
  scan.col = readCellText(attrText, body, cells, ctx);
  return close + 4;
}

/**
 * r, s and t of a cell into scan.col, scan.style and scan.type, when every attribute is `name="value"` and
 * those three hold no entity, s is digits and r is present; else false. The first occurrence of a name counts,
 * as in quickAttr.
 */
function cellAttrs(xml: Buffer, from: number, to: number): boolean {
  let col = -1;
  let style = -1;
  let type = 0;
  let seenS = false;
  let seenT = false;
  let i = from;
  while (i < to) {
    const c = xml[i];
    if (c === 32 || c === 9 || c === 10 || c === 13) {
      i++;
      continue;
    }
    const nameStart = i;
    while (i < to && xml[i] !== EQUALS && !isNameEnd(xml[i])) i++;
    if (xml[i] !== EQUALS || xml[i + 1] !== QUOTE) return false;
    const one = i - nameStart === 1 ? xml[nameStart] : 0;
    const valueStart = i + 2;
    let j = valueStart;
    while (j < to && xml[j] !== QUOTE) j++;
    if (j >= to) return false;
    if (one === 114 /* r */ || one === 115 /* s */ || one === 116 /* t */) {
      for (let k = valueStart; k < j; k++) if (xml[k] === AMP) return false;
      if (one === 114 && col === -1) col = lettersValue(xml, valueStart, j);
      else if (one === 115 && !seenS) {
        seenS = true;
        if (valueStart === j) return false;
        style = 0;
        for (let k = valueStart; k < j; k++) {
          const d = xml[k] - 48;
          if (d < 0 || d > 9) return false;
          style = style * 10 + d;
        }
      } else if (one === 116 && !seenT) {
        seenT = true;
        type = j - valueStart === 1 ? xml[valueStart] : -1;
        if (type !== 115 && type !== 110 && type !== 98) type = -1;
        if (j - valueStart === INLINE_STR.length && bytesAt(xml, valueStart, INLINE_STR)) type = INLINE;
      }
    }
    i = j + 1;
  }
  if (col === -1) return false;
  scan.col = col;
  scan.style = style;
  scan.type = type;
  return true;
}

/** columnNumber on bytes: the letters A–Z the reference starts with. */
function lettersValue(xml: Buffer, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const c = xml[i];
    if (c < 65 || c > 90) break;
    n = n * 26 + (c - 64);
  }
  return n;
}

/** A shared string index or boolean: parseInt of plain digits (NaN otherwise, as parseInt would give none). */
function digitsValue(xml: Buffer, from: number, to: number): number {
  if (from === to) return NaN;
  let n = 0;
  for (let i = from; i < to; i++) {
    const d = xml[i] - 48;
    if (d < 0 || d > 9) return parseInt(xml.toString('utf8', from, to), 10);
    n = n * 10 + d;
  }
  return n;
}

const POWERS_OF_TEN = Array.from({ length: 23 }, (_, k) => 10 ** k);

/**
 * parseFloat of the bytes. The usual `-123.45` with at most 15 digits is computed as digits / 10^k, which is
 * exactly parseFloat's result (both operands are exact doubles and IEEE division rounds correctly: Clinger's
 * fast path); anything else (exponents, 16+ digits, spaces) is decoded and given to parseFloat.
 */
function numberValue(xml: Buffer, from: number, to: number): number {
  let i = from;
  const negative = xml[i] === 45; /* - */
  if (negative) i++;
  let mantissa = 0;
  let digits = 0;
  let decimals = -1;
  for (; i < to; i++) {
    const c = xml[i];
    if (c === 46 /* . */ && decimals === -1) {
      decimals = 0;
      continue;
    }
    const d = c - 48;
    if (d < 0 || d > 9) break;
    mantissa = mantissa * 10 + d;
    digits++;
    if (decimals !== -1) decimals++;
  }
  if (i !== to || digits === 0 || digits > 15 || decimals > 22)
    return parseFloat(xml.toString('utf8', from, to));
  const value = decimals > 0 ? mantissa / POWERS_OF_TEN[decimals] : mantissa;
  return negative ? -value : value;
}

/**
 * A body that is exactly `<v>raw</v></c>` with no entity in raw: where reading goes on (raw in scan.from and
 * scan.to), else -1.
 */
function plainValue(xml: Buffer, at: number, rowEnd: number): number {
  if (xml[at] !== LT || xml[at + 1] !== 118 /* v */ || xml[at + 2] !== GT) return -1;
  let i = at + 3;
  while (i < rowEnd && xml[i] !== LT) {
    if (xml[i] === AMP) return -1;
    i++;
  }
  // </v></c>
  if (
    xml[i + 1] !== SLASH ||
    xml[i + 2] !== 118 ||
    xml[i + 3] !== GT ||
    xml[i + 4] !== LT ||
    xml[i + 5] !== SLASH ||
    xml[i + 6] !== 99 ||
    xml[i + 7] !== GT
  )
    return -1;
  scan.from = at + 3;
  scan.to = i;
  return i + 8;
}

/**
 * The patching writer's text, `<is><t>text</t></is></c>` with no markup, no `_x` and no CR in the text (those
 * are the text reading's to refuse): where reading goes on (the text in scan.from and scan.to), else -1.
 */
function plainInlineString(xml: Buffer, at: number, rowEnd: number): number {
  if (at + INLINE_OPEN.length > rowEnd || !bytesAt(xml, at, INLINE_OPEN)) return -1;
  const from = at + INLINE_OPEN.length;
  let i = from;
  while (i < rowEnd && xml[i] !== LT) {
    if (xml[i] === 13 || (xml[i] === 95 /* _ */ && xml[i + 1] === 120) /* _x */) return -1;
    i++;
  }
  const end = i + INLINE_CLOSE.length;
  if (end > rowEnd || !bytesAt(xml, i, INLINE_CLOSE)) return -1;
  scan.from = from;
  scan.to = i;
  return end;
}

/**
 * The last inline text read in each column (column → where its bytes are, and the string made of them). Rows the
 * patcher appended hold every text inline, and a column repeats itself row after row (currency, status, period,
 * payer account, customer): the same bytes as the row above give the same string object, not a new one for the
 * garbage collector to move — 0.9 M strings for 50,000 such rows.
 */
const lastInline: { from: number; to: number; text: string }[] = [];

/** The cell's inline text (bytes from–to of xml, entities decoded), the column's last one when the bytes repeat. */
function inlineText(xml: Buffer, from: number, to: number, col: number): string {
  const last = lastInline[col];
  if (last && last.to - last.from === to - from) {
    let k = 0;
    while (k < to - from && xml[from + k] === xml[last.from + k]) k++;
    if (k === to - from) {
      last.from = from;
      last.to = to;
      return last.text;
    }
  }
  const text = decodeEntities(xml.toString('utf8', from, to));
  if (last) {
    last.from = from;
    last.to = to;
    last.text = text;
  } else lastInline[col] = { from, to, text };
  return text;
}

/** `needle` is at `at` in `xml`: a loop, since Buffer.compare's call costs more than a short needle. */
function bytesAt(xml: Buffer, at: number, needle: Buffer): boolean {
  for (let k = 0; k < needle.length; k++) if (xml[at + k] !== needle[k]) return false;
  return true;
}

/**
 * One <c> from its text: its value as ExcelJS would hold it, into `cells` (style-only cells are skipped, as
 * ExcelJS does). Returns its column number. The reading every cell the byte path does not take goes through.
 */
export function readCellText(
  attrs: string,
  body: string | undefined,
  cells: CellValue[],
  ctx: CellContext,
): number {
  const ref = quickAttr(attrs, 'r') ?? notPlain('cell without r');
  const col = columnNumber(ref);
  const s = quickAttr(attrs, 's');
  const t = quickAttr(attrs, 't');
  if (t === 'inlineStr' && body !== undefined) {
    // The patching writer's text (workbook-patch.ts). ExcelJS reads <is><t> as it stands (no _xHHHH_
    // decoding, and its XML parser turns CR into LF): text where that matters is left to ExcelJS.
    const it = /^<is><t(?:\s[^>]*)?>([^<]*)<\/t><\/is>$/.exec(body) ?? notPlain('rich inline string');
    if (/_x|\r/.test(it[1])) notPlain('inline string with escapes');
    cells[col - 1] = decodeEntities(it[1]);
    return col;
  }
  if (body === undefined || !body.includes('<v')) {
    if (body !== undefined && body.trim() !== '') notPlain('cell with content but no value');
    if (s === undefined) notPlain('a cell with neither value nor style'); // ExcelJS: a merge cell
    return col; // style only: ExcelJS skips it
  }
  if (/<f\b|<is\b/.test(body)) notPlain('formula or inline string');
  const v = /<v>([\s\S]*?)<\/v>|<v\/>/.exec(body);
  const raw = decodeEntities(v?.[1] ?? '');
  let value: CellValue;
  if (t === 's') {
    const str = sharedAt(ctx, parseInt(raw, 10));
    value = typeof str === 'string' ? str : notPlain('rich or missing shared string');
  } else if (t === 'b') value = parseInt(raw, 10) !== 0;
  else if (t === undefined || t === 'n') {
    const num = parseFloat(raw);
    // ExcelJS looks a style up only for a non-zero style id
    const date = s !== undefined && Number(s) !== 0 && ctx.dateStyles.has(Number(s));
    value = date ? excelUtils.excelToDate(num, ctx.date1904) : num;
  } else return notPlain(`cell type ${t}`);
  cells[col - 1] = value;
  return col;
}
