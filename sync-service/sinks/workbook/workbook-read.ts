/**
 * A fast read of the workbook's tabs as grids, straight from the .xlsx zip, without building ExcelJS's model
 * (which costs seconds and gigabytes at 50,000 rows). Commands that only read — export, a re-sync with nothing
 * to write — never load ExcelJS at all; commands that write load it at write time (workbook.ts).
 *
 * It gives exactly the grids `readGrid` gives after ExcelJS's load (test/sync-service/sinks/workbook/workbook-read.property.test.ts),
 * by turning each cell into the value ExcelJS would hold and passing it through the same `cellFromExcel`
 * (workbook-sheet-scan.ts reads the sheet parts). It understands the cells the sink writes and plain values
 * staff type: shared strings, numbers, dates (by the style's number format, as ExcelJS decides), booleans.
 * Anything else — formulas, rich text, inline strings, errors, merged cells, zip64, a missing tab or header,
 * duplicate Keys — returns null and the caller reads the file with ExcelJS as before, so the fast path can
 * only be faster, never different.
 */
import { readFile } from 'node:fs/promises';
import type { TabSize } from '../../../core/cell-budget';
import { TABS, type ColumnSpec, type TabId } from '../../../core/sheet-contract';
import { columnNumber, TAB_ORDER, indexKeys } from '../../../core/sheet-layout';
import { headerKey, type Grid } from '../../../core/table';
import { sheetGrid, type CellContext, type NarrowColumns, type StringTable } from './workbook-sheet-scan';
import { AUDIT_WHOLE_ROWS, TRACE_ROWS, type ReadOptions } from '../sink';
import { collectionsHeld } from '../../../core/ledger';
import { entryBytes, entryBytesAsync, readZip, ZipShapeError } from '../../xlsx/workbook-zip';
import { attr, decodeEntities, isNameEnd, NotPlain, notPlain, quickAttr } from './workbook-xml';

// ExcelJS's own helpers, so dates are decided exactly as its load does.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const excelUtils = require('exceljs/lib/utils/utils') as {
  isDateFmt(fmt: string | undefined): boolean;
};
// eslint-disable-next-line @typescript-eslint/no-require-imports
const NumFmtXform = require('exceljs/lib/xlsx/xform/style/numfmt-xform') as {
  getDefaultFmtCode(id: number): string | undefined;
};

/** The five contract tabs as grids, or null when the file needs ExcelJS (see above). */
export async function readPlainWorkbook(path: string): Promise<Record<TabId, Grid> | null> {
  return (await readPlainWorkbookParts(await readFile(path)))?.tabs ?? null;
}

/**
 * The grids, and the parts inflated to read them (zip path → XML bytes): the patching writer edits those
 * bytes instead of inflating the same 70 MB again. Every part the read needs starts inflating at once on
 * libuv's threads (entryBytesAsync), and each is parsed as soon as it is ready.
 */
export async function readPlainWorkbookParts(
  bytes: Buffer,
  only: readonly TabId[] = TAB_ORDER,
  narrow: Pick<ReadOptions, 'auditColumns' | 'auditDetail'> = {},
): Promise<{
  tabs: Record<TabId, Grid>;
  parts: Map<string, Buffer>;
  sizes: () => TabSize[] | null;
  measured: MeasuredSizes;
} | null> {
  const parts = new Map<string, Buffer>();
  return plainOrNullAsync(async () => {
    const files = unzip(bytes, parts);
    const shape = workbookShape(files);
    const needed = only.map(
      (tab) => shape.sheetPath.get(TABS[tab].name) ?? notPlain(`no ${TABS[tab].name} tab`),
    );
    startInflating(files, ['xl/sharedStrings.xml', ...needed]);
    const measured: MeasuredSizes = new Map();
    const tabs = await readEntries(files, shape, only, measured, narrow);
    return { tabs, parts, sizes: () => tabSizes(files, measured), measured };
  });
}

/**
 * Starts inflating `paths` (those in the zip) on libuv's threads; each part's `ready()` settles when it is in.
 * The first two (the shared strings, then the first tab) start now and the rest once the shared strings are in,
 * so the part the read waits for first does not share two cores with four inflations. Nothing waits here: the
 * caller parses the first part while the others are still inflating.
 */
function startInflating(files: Map<string, ZipPart>, paths: readonly string[]): void {
  const [first, second, ...rest] = paths.map((p) => files.get(p)).filter((p) => p !== undefined);
  first?.startInflate();
  second?.startInflate();
  const startRest = () => rest.forEach((p) => p.startInflate());
  if (first) first.ready().then(startRest, startRest);
  else startRest();
}

/** plainOrNull for an async read. */
async function plainOrNullAsync<T>(read: () => Promise<T>): Promise<T | null> {
  try {
    return await read();
  } catch (err) {
    if (forExcelJs(err)) return null;
    throw err;
  }
}

/** What a fast read gives, or null when the file is one only ExcelJS should read. */
function plainOrNull<T>(read: () => T): T | null {
  try {
    return read();
  } catch (err) {
    if (forExcelJs(err)) return null;
    throw err;
  }
}

/** The fast read gave up: the file needs ExcelJS (RangeError: a string too long for V8). */
function forExcelJs(err: unknown): boolean {
  return err instanceof NotPlain || err instanceof ZipShapeError || err instanceof RangeError;
}

/**
 * Sheet sizes measured while reading, by part path, with the part's CRC-32 and length: still right for a later
 * version of the file whose part has the same CRC and length (a patch that rewrote other parts).
 */
export type MeasuredSizes = Map<string, { crc: number; length: number; rows: number; cols: number }>;

/**
 * Every tab's size as ExcelJS's rowCount / columnCount give it (grid-size.ts: the cell budget), straight from
 * the XML: the last row, and the last cell of the widest row, style-only ones included. Loading ExcelJS's model
 * for that cost a sync ~20 s of CPU at 50,000 credits, even when it had nothing to write. `known`: sizes an
 * earlier read measured; a part they still describe is not inflated again (a sync that redrew only the Summary
 * spent 0.8 s inflating and decoding the 42 MB Credits part here, measured).
 */
export async function plainTabSizes(
  path: string,
  known: MeasuredSizes = new Map(),
): Promise<TabSize[] | null> {
  return tabSizes(unzipOrNull(await readFile(path)), known);
}

/** The sizes, taking those a read already measured instead of decoding the part again. */
function tabSizes(files: Map<string, ZipPart> | null, measured: MeasuredSizes): TabSize[] | null {
  if (!files) return null;
  return plainOrNull(() => {
    const paths = sheetPartPaths(entry(files, 'xl/workbook.xml'), entry(files, 'xl/_rels/workbook.xml.rels'));
    return [...paths].map(([name, path]) => {
      const zipPart = part(files, path);
      const m = measured.get(path);
      const same = m && m.crc === zipPart.crc && m.length === zipPart.length;
      return { name, ...(same ? { rows: m.rows, cols: m.cols } : sheetSize(zipPart.bytes())) };
    });
  });
}

function unzipOrNull(bytes: Buffer): Map<string, ZipPart> | null {
  return plainOrNull(() => unzip(bytes, new Map()));
}

const ROW = Buffer.from('<row');
const ROW_END = Buffer.from('</row>');
const CELL = Buffer.from('<c');

/** The size of one sheet part, from its bytes (markup is ASCII: byte and character positions agree). */
function sheetSize(xml: Buffer): { rows: number; cols: number } {
  const nameEndsAt = (at: number) => isNameEnd(xml[at]);
  let rows = 0;
  let cols = 0;
  for (let p = xml.indexOf(ROW); p !== -1; p = xml.indexOf(ROW, p + 4)) {
    if (!nameEndsAt(p + 4)) continue;
    const tagEnd = xml.indexOf('>', p);
    const selfClosing = xml[tagEnd - 1] === 47;
    const attrs = xml.toString('latin1', p + 4, selfClosing ? tagEnd - 1 : tagEnd);
    rows = Math.max(rows, Number(quickAttr(attrs, 'r') ?? 0));
    if (selfClosing) continue;
    const rowEnd = xml.indexOf(ROW_END, tagEnd);
    for (let c = xml.lastIndexOf(CELL, rowEnd); c > tagEnd; c = xml.lastIndexOf(CELL, c - 1)) {
      if (!nameEndsAt(c + 2)) continue;
      const ref = quickAttr(xml.toString('latin1', c + 2, xml.indexOf('>', c)), 'r');
      if (ref) cols = Math.max(cols, columnNumber(ref));
      break;
    }
    p = rowEnd;
  }
  return { rows, cols };
}

// --- zip ---------------------------------------------------------------------------------------------------

/**
 * One zip entry, inflated on first use (and kept in the read's `inflated` map for the patching writer), or
 * ahead of use on libuv's threads once startInflate() is called; ready() waits for that.
 */
interface ZipPart {
  /** The entry's CRC-32 and uncompressed length, from the zip's directory (no inflating). */
  crc: number;
  length: number;
  bytes(): Buffer;
  text(): string;
  startInflate(): void;
  ready(): Promise<Buffer>;
}

/** The zip's entries as lazy parts (zip path → part); each one inflated is kept in `inflated` as bytes. */
function unzip(buf: Buffer, inflated: Map<string, Buffer>): Map<string, ZipPart> {
  const files = new Map<string, ZipPart>();
  for (const entry of readZip(buf)) {
    const path = entry.name.replace(/^\//, '');
    let ahead: Promise<Buffer> | undefined;
    const bytes = () => {
      let b = inflated.get(path);
      if (!b) inflated.set(path, (b = entryBytes(entry)));
      return b;
    };
    const startInflate = () => {
      if (ahead || inflated.has(path)) return;
      ahead = entryBytesAsync(entry).then((b) => {
        if (!inflated.has(path)) inflated.set(path, b);
        return inflated.get(path)!;
      });
      ahead.catch(() => undefined); // a read that gives up early leaves no unhandled rejection behind
    };
    const ready = async () => (ahead ? await ahead : bytes());
    files.set(path, {
      crc: entry.crc,
      length: entry.size,
      bytes,
      text: () => bytes().toString('utf8'),
      startInflate,
      ready,
    });
  }
  return files;
}

function part(files: Map<string, ZipPart>, name: string): ZipPart {
  return files.get(name) ?? notPlain(`missing ${name}`);
}

function entry(files: Map<string, ZipPart>, name: string): string {
  return part(files, name).text();
}

// --- the parts ---------------------------------------------------------------------------------------------

/**
 * Sink.read's `auditColumns` as the scan takes it (workbook-sheet-scan.ts); undefined: the Audit whole. The
 * collect and close rows of a collection the Ledger tab holds (`held`, core/ledger.ts collectionsHeld) stay
 * narrow unless `auditDetail` names them (sink.ts TRACE_ROWS, decision 0022): on a year's sheet they are most
 * of the Audit's whole rows.
 */
function narrowAudit(
  { auditColumns, auditDetail = [] }: Pick<ReadOptions, 'auditColumns' | 'auditDetail'>,
  held: ReadonlySet<string>,
) {
  if (!auditColumns) return undefined;
  const header = (f: string) => TABS.audit.columns.find((c) => c.field === f)!.header;
  const fields = new Set<string>([...auditColumns, 'creditId', 'action']);
  return {
    headers: new Set([...fields].map((f) => headerKey(header(f)))),
    wholeIf: {
      header: header('action'),
      values: new Set<string>([...AUDIT_WHOLE_ROWS, ...auditDetail]),
      unless: {
        by: header('creditId'),
        actions: new Set<string>(TRACE_ROWS.filter((a) => !auditDetail.includes(a))),
        values: held,
      },
    },
  } satisfies NarrowColumns;
}

/** The tabs in `only` as grids; the others empty, with their contract headers (Sink.read's `only`). */
async function readEntries(
  files: Map<string, ZipPart>,
  { sheetPath, date1904 }: WorkbookShape,
  only: readonly TabId[],
  measured: MeasuredSizes,
  narrow: Pick<ReadOptions, 'auditColumns' | 'auditDetail'>,
): Promise<Record<TabId, Grid>> {
  const sharedStrings = files.get('xl/sharedStrings.xml');
  const ctx = cellContext(files, sharedStrings && (await sharedStrings.ready()), date1904);
  const grids = {} as Record<TabId, Grid>;
  // The Ledger before the Audit: a narrow Audit read leaves the traces of the collections it holds narrow.
  for (const tab of [...TAB_ORDER.filter((t) => t !== 'audit'), 'audit' as const]) {
    const path = sheetPath.get(TABS[tab].name) ?? notPlain(`no ${TABS[tab].name} tab`);
    if (!only.includes(tab)) {
      grids[tab] = { headers: TABS[tab].columns.map((c) => c.header), rows: [] };
      continue;
    }
    const zipPart = part(files, path);
    const columns =
      tab === 'audit'
        ? narrowAudit(narrow, grids.ledger ? collectionsHeld(grids.ledger) : new Set())
        : undefined;
    const { grid, size } = sheetGrid(await zipPart.ready(), ctx, TABS[tab].columns, columns);
    measured.set(path, { crc: zipPart.crc, length: zipPart.length, ...size });
    const present = new Set(grid.headers.map((h) => headerKey(h)));
    for (const c of TABS[tab].columns) if (!present.has(headerKey(c.header))) notPlain(`missing ${c.header}`);
    grids[tab] = grid;
  }
  assertUniqueKeys(grids.credits);
  return Object.fromEntries(TAB_ORDER.map((t) => [t, grids[t]])) as Record<TabId, Grid>; // in the tabs' order
}

/** Where each tab is, and the workbook's date system. */
interface WorkbookShape {
  sheetPath: Map<string, string>;
  date1904: boolean;
}

function workbookShape(files: Map<string, ZipPart>): WorkbookShape {
  const workbook = entry(files, 'xl/workbook.xml');
  return {
    sheetPath: sheetPartPaths(workbook, entry(files, 'xl/_rels/workbook.xml.rels')),
    date1904: /<(?:\w+:)?workbookPr\b[^>]*\sdate1904="(1|true)"/.test(workbook),
  };
}

/** What every sheet part is read against: the shared strings (their part's bytes, if any), the date styles. */
function cellContext(
  files: Map<string, ZipPart>,
  sharedStrings: Buffer | undefined,
  date1904: boolean,
): CellContext {
  return {
    strings: sharedStrings ? new SharedStringIndex(sharedStrings) : [],
    dateStyles: files.has('xl/styles.xml') ? dateStyleIds(entry(files, 'xl/styles.xml')) : new Set<number>(),
    date1904,
  };
}

/** Where each tab is, and what every sheet part is read against (readPlainSheet's synchronous read). */
function workbookParts(files: Map<string, ZipPart>): { sheetPath: Map<string, string>; ctx: CellContext } {
  const { sheetPath, date1904 } = workbookShape(files);
  return { sheetPath, ctx: cellContext(files, files.get('xl/sharedStrings.xml')?.bytes(), date1904) };
}

/**
 * One tab of any workbook (a usage file, an archive) as a grid, read the same fast way; null when the tab is
 * missing or holds what only ExcelJS reads. `columns` name the date columns, as for readGrid.
 */
export function readPlainSheet(
  bytes: Buffer,
  name: string,
  columns: readonly ColumnSpec[] = [],
): Grid | null {
  return plainOrNull(() => {
    const files = unzip(bytes, new Map());
    const { sheetPath, ctx } = workbookParts(files);
    const path = sheetPath.get(name);
    return path ? sheetGrid(part(files, path).bytes(), ctx, columns).grid : null;
  });
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
  for (const m of xml.matchAll(/<si>([\s\S]*?)<\/si>|<si\/>/g)) out.push(sharedString(m[1] ?? ''));
  return out;
}

/** One <si>'s body as ExcelJS reads it; null for rich or phonetic text. */
function sharedString(body: string): string | null {
  if (/<r>|<r\s|<rPh\b/.test(body)) return null;
  const t = /^<t(?:\s[^>]*)?>([\s\S]*)<\/t>$|^<t(?:\s[^>]*)?\/>$|^$/.exec(body);
  return t && !(t[1] ?? '').includes('<') ? decodeXString(decodeEntities(t[1] ?? '')) : null;
}

/**
 * sharedStrings on the part's bytes, fast: every item of the lazy index below, decoded (the property test holds
 * the two readings equal).
 */
export function sharedStringsOf(bytes: Buffer): (string | null)[] {
  const index = new SharedStringIndex(bytes);
  const out: (string | null)[] = [];
  for (let i = 0; i < index.length; i++) out.push(index.at(i)!);
  return out;
}

/**
 * The shared strings part indexed, not decoded: where each item is, found once, and an item decoded the first
 * time a cell asks for it (then kept). At 240,000 credits the table holds about a million items, and a read
 * that leaves Audit columns out (Sink.read's `auditColumns`) never makes the strings only those cells use.
 *
 * The part is taken as Latin-1 — a plain copy, where decoding it as UTF-8 cost 0.18 s at 50,000 credits — and
 * each plain `<si><t>text</t></si>` item is a slice of that string, which V8 keeps as a small reference into it
 * instead of a copy the garbage collector moves twice (0.33 s for 230,000 items copied, measured). An item
 * holding a non-ASCII byte is decoded as UTF-8 from the bytes instead: markup is ASCII, so byte and character
 * positions agree everywhere else. Any other body goes through sharedString's text reading.
 */
class SharedStringIndex implements StringTable {
  private readonly xml: string;
  /** Three numbers per item: its kind (EMPTY, PLAIN, OTHER), then where its text or body starts and ends. */
  private readonly spots: number[] = [];
  private readonly decoded: (string | null | undefined)[];

  constructor(private readonly bytes: Buffer) {
    const xml = (this.xml = bytes.toString('latin1'));
    if (xml.includes('<![CDATA[')) notPlain('CDATA');
    // One pass over the bytes in this loop: a call to indexOf per item (three per item, as this read did) cost
    // 0.6 s for the 1.2 M items of a year's sheet, the calls and not the bytes (measured).
    const spots = this.spots;
    const b = bytes;
    const n = b.length;
    for (let i = 0; i < n;) {
      if (b[i] !== 60 /* < */ || b[i + 1] !== 115 /* s */ || b[i + 2] !== 105 /* i */) {
        i++;
        continue;
      }
      const after = b[i + 3];
      if (after === 47 /* / */ && b[i + 4] === 62 /* > */) {
        spots.push(EMPTY, 0, 0); // <si/>
        i += 5;
        continue;
      }
      if (after !== 62) {
        i++; // <sst, or <si with attributes: not an item, as the regex reads it
        continue;
      }
      const from = i + 4;
      const start = bytesAt(b, from, T_OPEN)
        ? from + T_OPEN.length
        : bytesAt(b, from, T_PRESERVE)
          ? from + T_PRESERVE.length
          : -1;
      if (start !== -1) {
        let end = start;
        while (end < n && b[end] !== 60) end++;
        if (bytesAt(b, end, T_SI_CLOSE)) {
          spots.push(PLAIN, start, end); // <t>text</t></si> with no markup in the text
          i = end + T_SI_CLOSE.length;
          continue;
        }
      }
      const to = b.indexOf(SI_CLOSE, from);
      if (to === -1) break; // an unclosed last item: the regex reads none either
      spots.push(OTHER, from, to);
      i = to + SI_CLOSE.length;
    }
    this.decoded = new Array<string | null | undefined>(spots.length / 3);
  }

  get length(): number {
    return this.decoded.length;
  }

  at(index: number): string | null | undefined {
    if (!(index >= 0 && index < this.decoded.length)) return undefined;
    const done = this.decoded[index];
    if (done !== undefined) return done;
    const kind = this.spots[3 * index];
    const from = this.spots[3 * index + 1];
    const to = this.spots[3 * index + 2];
    const value =
      kind === EMPTY
        ? sharedString('')
        : kind === PLAIN
          ? decodeXString(decodeEntities(this.textOf(from, to)))
          : sharedString(this.bytes.toString('utf8', from, to));
    this.decoded[index] = value;
    return value;
  }

  /** Bytes from–to as text: a slice of the Latin-1 string when they are ASCII, else decoded as UTF-8. */
  private textOf(from: number, to: number): string {
    const bytes = this.bytes;
    for (let i = from; i < to; i++) if (bytes[i] > 127) return bytes.toString('utf8', from, to);
    return this.xml.slice(from, to);
  }
}

const EMPTY = 0;
const PLAIN = 1;
const OTHER = 2;
const T_OPEN = Buffer.from('<t>');
const T_PRESERVE = Buffer.from('<t xml:space="preserve">');
const T_SI_CLOSE = Buffer.from('</t></si>');
const SI_CLOSE = Buffer.from('</si>');

/** `needle` is at `at` in `bytes` (a loop: Buffer.compare's call costs more than a short needle). */
function bytesAt(bytes: Buffer, at: number, needle: Buffer): boolean {
  if (at + needle.length > bytes.length) return false;
  for (let k = 0; k < needle.length; k++) if (bytes[at + k] !== needle[k]) return false;
  return true;
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

/** A credit listed twice is the same error, with the rows named, whichever reader finds it. */
function assertUniqueKeys(grid: Grid): void {
  const col = grid.headers.findIndex((h) => headerKey(h) === headerKey('Key'));
  indexKeys(
    grid.rows.map((row) => row[col]),
    TABS.credits.name,
  );
}
