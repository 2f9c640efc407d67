/**
 * A fast read of the workbook's tabs as grids, straight from the .xlsx zip, without building ExcelJS's model
 * (which costs seconds and gigabytes at 50,000 rows). Commands that only read — export, a re-sync with nothing
 * to write — never load ExcelJS at all; commands that write load it at write time (workbook.ts).
 *
 * It gives exactly the grids `readGrid` gives after ExcelJS's load (test/sync/workbook-read.property.test.ts),
 * by turning each cell into the value ExcelJS would hold and passing it through the same `cellFromExcel`.
 * It understands the cells the sink writes and plain values staff type: shared strings, numbers, dates (by
 * the style's number format, as ExcelJS decides), booleans. Anything else — formulas, rich text, inline
 * strings, errors, merged cells, zip64, a missing tab or header, duplicate Keys — returns null and the caller
 * reads the file with ExcelJS as before, so the fast path can only be faster, never different.
 */
import { readFile } from 'node:fs/promises';
import type { CellValue } from 'exceljs';
import type { TabSize } from '../../core/cell-budget';
import { TABS, type TabId } from '../../core/sheet-contract';
import { columnNumber, TAB_ORDER, indexKeys } from '../../core/sheet-layout';
import { headerKey, text, type Cell, type Grid } from '../../core/table';
import { cellFromExcel, isBlank } from './workbook-cells';
import { entryBytes, readZip, ZipShapeError } from './workbook-zip';
import { kindsByHeader } from './workbook-layout';

// ExcelJS's own helpers, so dates are decided and converted exactly as its load does.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const excelUtils = require('exceljs/lib/utils/utils') as {
  isDateFmt(fmt: string | undefined): boolean;
  excelToDate(v: number, date1904: boolean): Date;
};
// eslint-disable-next-line @typescript-eslint/no-require-imports
const NumFmtXform = require('exceljs/lib/xlsx/xform/style/numfmt-xform') as {
  getDefaultFmtCode(id: number): string | undefined;
};

/** Thrown inside, caught at the top: the file holds something only ExcelJS should interpret. */
class NotPlain extends Error {}

const notPlain = (why: string): never => {
  throw new NotPlain(why);
};

/** The five contract tabs as grids, or null when the file needs ExcelJS (see above). */
export async function readPlainWorkbook(path: string): Promise<Record<TabId, Grid> | null> {
  return readPlainWorkbookParts(await readFile(path))?.tabs ?? null;
}

/**
 * The grids, and the parts inflated to read them (zip path → XML bytes): the patching writer edits those
 * bytes instead of inflating the same 70 MB again.
 */
export function readPlainWorkbookParts(
  bytes: Buffer,
  only: readonly TabId[] = TAB_ORDER,
): { tabs: Record<TabId, Grid>; parts: Map<string, Buffer>; sizes: () => TabSize[] | null } | null {
  const parts = new Map<string, Buffer>();
  try {
    const files = unzip(bytes, parts);
    const measured = new Map<string, { rows: number; cols: number }>();
    const tabs = readEntries(files, only, measured);
    return { tabs, parts, sizes: () => tabSizes(files, measured) };
  } catch (err) {
    if (err instanceof NotPlain || err instanceof ZipShapeError || err instanceof RangeError) return null; // RangeError: a string too long
    throw err;
  }
}

/**
 * Every tab's size as ExcelJS's rowCount / columnCount give it (grid-size.ts: the cell budget), straight from
 * the XML: the last row, and the last cell of the widest row, style-only ones included. Loading ExcelJS's model
 * for that cost a sync ~20 s of CPU at 50,000 credits, even when it had nothing to write.
 */
export async function plainTabSizes(path: string): Promise<TabSize[] | null> {
  return tabSizes(unzipOrNull(await readFile(path)), new Map());
}

/** The sizes, taking those a read already measured (sheet part path → size) instead of decoding the part again. */
function tabSizes(
  files: Map<string, () => string> | null,
  measured: ReadonlyMap<string, { rows: number; cols: number }>,
): TabSize[] | null {
  if (!files) return null;
  try {
    const paths = sheetPartPaths(entry(files, 'xl/workbook.xml'), entry(files, 'xl/_rels/workbook.xml.rels'));
    return [...paths].map(([name, part]) => ({
      name,
      ...(measured.get(part) ?? sheetSize(entry(files, part))),
    }));
  } catch (err) {
    if (err instanceof NotPlain || err instanceof ZipShapeError || err instanceof RangeError) return null;
    throw err;
  }
}

function unzipOrNull(bytes: Buffer): Map<string, () => string> | null {
  try {
    return unzip(bytes, new Map());
  } catch (err) {
    if (err instanceof ZipShapeError) return null;
    throw err;
  }
}

function sheetSize(xml: string): { rows: number; cols: number } {
  let rows = 0;
  let cols = 0;
  for (let p = xml.indexOf('<row'); p !== -1; p = xml.indexOf('<row', p + 4)) {
    if (!nameEnds(xml, p + 4)) continue;
    const tagEnd = xml.indexOf('>', p);
    const selfClosing = xml.charCodeAt(tagEnd - 1) === 47;
    rows = Math.max(rows, Number(quickAttr(xml.slice(p + 4, selfClosing ? tagEnd - 1 : tagEnd), 'r') ?? 0));
    if (selfClosing) continue;
    const rowEnd = xml.indexOf('</row>', tagEnd);
    for (let c = xml.lastIndexOf('<c', rowEnd); c > tagEnd; c = xml.lastIndexOf('<c', c - 1)) {
      if (!nameEnds(xml, c + 2)) continue;
      const ref = quickAttr(xml.slice(c + 2, xml.indexOf('>', c)), 'r');
      if (ref) cols = Math.max(cols, columnNumber(ref));
      break;
    }
    p = rowEnd;
  }
  return { rows, cols };
}

// --- zip ---------------------------------------------------------------------------------------------------

/** The zip's entries as lazy XML texts (zip path → text); each one inflated is kept in `inflated` as bytes. */
function unzip(buf: Buffer, inflated: Map<string, Buffer>): Map<string, () => string> {
  const files = new Map<string, () => string>();
  for (const entry of readZip(buf)) {
    const path = entry.name.replace(/^\//, '');
    files.set(path, () => {
      const bytes = entryBytes(entry);
      inflated.set(path, bytes);
      return bytes.toString('utf8');
    });
  }
  return files;
}

// --- XML helpers -------------------------------------------------------------------------------------------

const ENTITY = /&(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);/g;
const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

export function decodeEntities(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(ENTITY, (_m, e: string) =>
    e[0] === '#'
      ? String.fromCodePoint(e[1] === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10))
      : NAMED[e],
  );
}

const ATTRIBUTE = new Map<string, RegExp>();

function attr(tag: string, name: string): string | undefined {
  let re = ATTRIBUTE.get(name);
  if (!re) ATTRIBUTE.set(name, (re = new RegExp(`\\s${name}="([^"]*)"`)));
  const m = re.exec(tag);
  return m ? decodeEntities(m[1]) : undefined;
}

function entry(files: Map<string, () => string>, name: string): string {
  const read = files.get(name);
  return read ? read() : notPlain(`missing ${name}`);
}

// --- the parts ---------------------------------------------------------------------------------------------

/** The tabs in `only` as grids; the others empty, with their contract headers (Sink.read's `only`). */
function readEntries(
  files: Map<string, () => string>,
  only: readonly TabId[],
  measured: Map<string, { rows: number; cols: number }>,
): Record<TabId, Grid> {
  const workbook = entry(files, 'xl/workbook.xml');
  const date1904 = /<(?:\w+:)?workbookPr\b[^>]*\sdate1904="(1|true)"/.test(workbook);
  const sheetPath = sheetPartPaths(workbook, entry(files, 'xl/_rels/workbook.xml.rels'));
  const strings = files.has('xl/sharedStrings.xml')
    ? sharedStrings(entry(files, 'xl/sharedStrings.xml'))
    : [];
  const dateStyles = files.has('xl/styles.xml')
    ? dateStyleIds(entry(files, 'xl/styles.xml'))
    : new Set<number>();

  const grids = {} as Record<TabId, Grid>;
  for (const tab of TAB_ORDER) {
    const path = sheetPath.get(TABS[tab].name) ?? notPlain(`no ${TABS[tab].name} tab`);
    if (!only.includes(tab)) {
      grids[tab] = { headers: TABS[tab].columns.map((c) => c.header), rows: [] };
      continue;
    }
    const { grid, size } = sheetGrid(entry(files, path), strings, dateStyles, date1904, tab);
    measured.set(path, size);
    const present = new Set(grid.headers.map((h) => headerKey(h)));
    for (const c of TABS[tab].columns) if (!present.has(headerKey(c.header))) notPlain(`missing ${c.header}`);
    grids[tab] = grid;
  }
  assertUniqueKeys(grids.credits);
  return grids;
}

/** Tab name → the zip path of its sheet XML, from workbook.xml and its relationships. */
export function sheetPartPaths(workbook: string, rels: string): Map<string, string> {
  const targetOf = new Map<string, string>();
  for (const m of rels.matchAll(/<Relationship\b[^>]*>/g)) {
    const id = attr(m[0], 'Id');
    const target = attr(m[0], 'Target');
    if (id && target) targetOf.set(id, target.startsWith('/') ? target.slice(1) : `xl/${target}`);
  }
  const sheetPath = new Map<string, string>();
  for (const m of workbook.matchAll(/<(?:\w+:)?sheet\b[^>]*>/g)) {
    const name = attr(m[0], 'name');
    const rid = attr(m[0], 'r:id');
    if (name !== undefined && rid && targetOf.has(rid)) sheetPath.set(name, targetOf.get(rid)!);
  }
  return sheetPath;
}

/** Plain shared strings as ExcelJS reads them; a rich or phonetic one is null (using it means ExcelJS). */
export function sharedStrings(xml: string): (string | null)[] {
  if (xml.includes('<![CDATA[')) notPlain('CDATA');
  const out: (string | null)[] = [];
  for (const m of xml.matchAll(/<si>([\s\S]*?)<\/si>|<si\/>/g)) {
    const body = m[1] ?? '';
    if (/<r>|<r\s|<rPh\b/.test(body)) {
      out.push(null);
      continue;
    }
    const t = /^<t(?:\s[^>]*)?>([\s\S]*)<\/t>$|^<t(?:\s[^>]*)?\/>$|^$/.exec(body);
    out.push(t && !(t[1] ?? '').includes('<') ? decodeXString(decodeEntities(t[1] ?? '')) : null);
  }
  return out;
}

/** ExcelJS decodes `_xHHHH_` (upper-case hex) in <t> text. */
function decodeXString(s: string): string {
  return s.includes('_x')
    ? s.replace(/_x([0-9A-F]{4})_/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16)))
    : s;
}

/** The cellXfs indexes whose number format ExcelJS treats as a date. */
function dateStyleIds(xml: string): Set<number> {
  const custom = new Map<number, string>();
  for (const m of xml.matchAll(/<numFmt\b[^>]*>/g)) {
    const id = attr(m[0], 'numFmtId');
    const code = attr(m[0], 'formatCode');
    if (id !== undefined && code !== undefined) custom.set(Number(id), code);
  }
  const out = new Set<number>();
  const cellXfs = /<cellXfs\b[^>]*>([\s\S]*?)<\/cellXfs>/.exec(xml)?.[1] ?? '';
  let i = 0;
  for (const m of cellXfs.matchAll(/<xf\b[^>]*>/g)) {
    const id = Number(attr(m[0], 'numFmtId') ?? 0);
    if (id) {
      const code = custom.get(id) ?? NumFmtXform.getDefaultFmtCode(id);
      if (excelUtils.isDateFmt(code)) out.add(i);
    }
    i++;
  }
  return out;
}

/** An element name ends here (what `\b` meant in the regular expressions this scanner replaced). */
function nameEnds(xml: string, at: number): boolean {
  const c = xml.charCodeAt(at);
  return c === 32 || c === 62 || c === 47 || c === 9 || c === 10 || c === 13;
}

/** attr() without a regular expression for the usual case: attributes separated by single spaces. */
function quickAttr(attrs: string, name: string): string | undefined {
  if (/[\t\n\r]/.test(attrs)) return attr(attrs, name);
  const needle = ` ${name}="`;
  const at = attrs.indexOf(needle);
  if (at === -1) return undefined;
  const from = at + needle.length;
  const value = attrs.slice(from, attrs.indexOf('"', from));
  return value.includes('&') ? decodeEntities(value) : value;
}

/**
 * The tab as readGrid returns it: header row plus every row down to the last one holding a value. Rows and
 * cells are found with indexOf rather than regular expressions over the whole part: at 50,000 credits the
 * Credits XML is ~40 MB and this loop is most of a read's time.
 */
function sheetGrid(
  xml: string,
  strings: (string | null)[],
  dateStyles: Set<number>,
  date1904: boolean,
  tab: TabId,
): { grid: Grid; size: { rows: number; cols: number } } {
  if (/<mergeCell\b/.test(xml)) notPlain('merged cells');
  const start = xml.indexOf('<sheetData');
  const end = xml.lastIndexOf('</sheetData>');
  const data = start === -1 || end === -1 ? '' : xml.slice(start, end);
  const rows = new Map<number, CellValue[]>();
  let maxRow = 0;
  let maxCol = 0; // of every cell, style-only ones too: the size sheetSize gives
  for (let p = data.indexOf('<row'); p !== -1; p = data.indexOf('<row', p)) {
    if (!nameEnds(data, p + 4)) {
      p += 4;
      continue;
    }
    const tagEnd = data.indexOf('>', p);
    if (tagEnd === -1) notPlain('unclosed row');
    const selfClosing = data.charCodeAt(tagEnd - 1) === 47;
    const r = Number(
      quickAttr(data.slice(p + 4, selfClosing ? tagEnd - 1 : tagEnd), 'r') ?? notPlain('row without r'),
    );
    const rowEnd = selfClosing ? tagEnd : data.indexOf('</row>', tagEnd);
    if (rowEnd === -1) notPlain('unclosed row');
    const cells: CellValue[] = [];
    for (let q = data.indexOf('<c', tagEnd); q !== -1 && q < rowEnd; q = data.indexOf('<c', q)) {
      if (!nameEnds(data, q + 2)) {
        q += 2;
        continue;
      }
      const cellEnd = data.indexOf('>', q);
      const closed = data.charCodeAt(cellEnd - 1) === 47;
      const attrs = data.slice(q + 2, closed ? cellEnd - 1 : cellEnd);
      let body: string | undefined;
      if (closed) q = cellEnd + 1;
      else {
        const close = data.indexOf('</c>', cellEnd);
        if (close === -1) notPlain('unclosed cell');
        body = data.slice(cellEnd + 1, close);
        q = close + 4;
      }
      const col = readCell(attrs, body, cells, strings, dateStyles, date1904);
      if (col > maxCol) maxCol = col;
    }
    rows.set(r, cells);
    if (r > maxRow) maxRow = r;
    p = selfClosing ? tagEnd + 1 : rowEnd + 6;
  }

  let last = 1;
  for (let r = maxRow; r > 1; r--) {
    const cells = rows.get(r);
    if (cells && cells.some((v) => v !== undefined && !isBlank(cellFromExcel(v)))) {
      last = r;
      break;
    }
  }
  let width = 0;
  for (let r = 1; r <= last; r++) width = Math.max(width, rows.get(r)?.length ?? 0);
  const headerCells = rows.get(1) ?? [];
  const headers: string[] = [];
  for (let c = 0; c < width; c++) headers.push(text(cellFromExcel(headerCells[c])));
  const kindOfHeader = kindsByHeader(TABS[tab].columns);
  const kinds = headers.map((h) => kindOfHeader.get(headerKey(h)));
  const out: Cell[][] = [];
  for (let r = 2; r <= last; r++) {
    const cells = rows.get(r) ?? [];
    const row: Cell[] = new Array(width);
    for (let c = 0; c < width; c++) row[c] = cellFromExcel(cells[c], kinds[c]);
    out.push(row);
  }
  return { grid: { headers, rows: out }, size: { rows: maxRow, cols: maxCol } };
}

/**
 * One <c>: its value as ExcelJS would hold it, into `cells` (style-only cells are skipped, as ExcelJS does).
 * Returns its column number.
 */
function readCell(
  attrs: string,
  body: string | undefined,
  cells: CellValue[],
  strings: (string | null)[],
  dateStyles: Set<number>,
  date1904: boolean,
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
    const str = strings[parseInt(raw, 10)];
    value = typeof str === 'string' ? str : notPlain('rich or missing shared string');
  } else if (t === 'b') value = parseInt(raw, 10) !== 0;
  else if (t === undefined || t === 'n') {
    const num = parseFloat(raw);
    // ExcelJS looks a style up only for a non-zero style id
    const date = s !== undefined && Number(s) !== 0 && dateStyles.has(Number(s));
    value = date ? excelUtils.excelToDate(num, date1904) : num;
  } else return notPlain(`cell type ${t}`);
  cells[col - 1] = value;
  return col;
}

/** A credit listed twice is the same error, with the rows named, whichever reader finds it. */
function assertUniqueKeys(grid: Grid): void {
  const col = grid.headers.findIndex((h) => headerKey(h) === headerKey('Key'));
  indexKeys(
    grid.rows.map((row) => row[col]),
    TABS.credits.name,
  );
}
