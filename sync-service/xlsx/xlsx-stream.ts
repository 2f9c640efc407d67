/**
 * A small .xlsx written as a stream of rows: each tab is a header and rows of plain values, turned into sheet XML
 * a megabyte at a time and deflated as it comes, so memory holds the compressed file, never a workbook model or
 * the whole XML. Usage files are written with it (sync-service/usage/usage-files.ts): ExcelJS building a
 * 150,000-credit usage file in memory took 40 % of `usage collect`'s CPU and grew faster than the file
 * (`addStyleModel` alone: 0.58 s at 50k, 22.6 s at 150k; issue 25).
 *
 * Why this and not ExcelJS's own streaming writer (stream.xlsx.WorkbookWriter), measured on the same usage file
 * (`npm run bench -- usage-file`, docs/benchmarks.md "`usage collect` and the usage file"): both are linear, but ExcelJS still
 * makes a cell object and a style per cell before it writes a row (150,000 credits: 11.8 s CPU against 4.7 s here,
 * and a 12 % larger file), and with shared strings it keeps every string for the end. Here a row is one string,
 * the header's one bold style is written once in styles.xml and shared by id, and the zip is workbook-zip.ts's,
 * which the workbook sink already trusts. The output is also exactly reproducible from the same rows, which is
 * what lets xlsxMatches check a file by comparing it with what would be written, instead of parsing it.
 *
 * Text is written inline (`<is><t>`), as the patching writer does; text that needs OOXML's `_xHHHH_` escapes
 * (CR, control characters, a literal `_x0041_`) goes to sharedStrings.xml instead, because ExcelJS decodes the
 * escapes only there (workbook-cells.ts encodeXlsxText), so every text reads back exactly as given.
 */
import { createDeflateRaw, createInflateRaw, crc32 } from 'node:zlib';
import { once } from 'node:events';
import { columnLetter } from '../../core/sheet-layout';
import { encodeXlsxText } from './workbook-cells';
import { dosDateTime, readZip, zipPieces, ZipShapeError, type ZipEntry } from './workbook-zip';

export type XlsxValue = string | number | boolean | null | undefined;

export interface XlsxSheet {
  name: string;
  /** Row 1, bold and frozen (it stays in view when scrolling). */
  header: readonly string[];
  /** The data rows, read once, in order: a generator keeps them out of memory. */
  rows: Iterable<readonly XlsxValue[]>;
  /** Column widths in characters, by column (undefined: the default width). */
  widths?: readonly (number | undefined)[];
}

/** The zip's parts, in the order they are written and compared; the XML of each as it is made. */
interface Part {
  name: string;
  xml(): Iterable<Buffer>;
}

const XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n';
const MAIN_NS = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const REL_NS = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
const PKG_REL_NS = 'http://schemas.openxmlformats.org/package/2006/relationships';
const CT = 'application/vnd.openxmlformats-officedocument.spreadsheetml';
/** Sheet XML is handed to deflate in pieces of about this many characters. */
const PIECE_CHARS = 1 << 20;
/** The header's style: cellXfs entry 1 of styles.xml below (entry 0 is the default every other cell has). */
const HEADER_STYLE = 1;

/** The .xlsx of these tabs as the pieces of its zip, to write one after another. */
export async function xlsxPieces(sheets: readonly XlsxSheet[]): Promise<Buffer[]> {
  const { time, date } = dosDateTime(new Date());
  const entries = [];
  for (const part of xlsxParts(sheets)) {
    const { raw, crc, size } = await deflatePart(part.xml());
    const compressedSize = raw.reduce((n, b) => n + b.length, 0);
    entries.push({ name: part.name, method: 8, crc, size, compressedSize, time, date, raw });
  }
  return zipPieces(entries);
}

/**
 * Whether `bytes` is exactly the .xlsx xlsxPieces writes for these tabs: the same parts in the same order, each
 * holding exactly the same XML (the zip's time stamps aside). Each part is inflated as a stream and compared
 * with the XML as it is made, so neither is ever whole in memory, and nothing is parsed. A file written any other
 * way (by an older version, by Excel) is "not the same", and a caller that can write it again from its source
 * simply does.
 */
export async function xlsxMatches(bytes: Buffer, sheets: readonly XlsxSheet[]): Promise<boolean> {
  let entries: ZipEntry[];
  try {
    entries = readZip(bytes);
  } catch (e) {
    if (e instanceof ZipShapeError || e instanceof RangeError) return false;
    throw e;
  }
  const parts = [...xlsxParts(sheets)];
  if (entries.length !== parts.length) return false;
  for (let i = 0; i < parts.length; i++) {
    if (entries[i].name !== parts[i].name) return false;
    if (!(await sameXml(entries[i], parts[i].xml()))) return false;
  }
  return true;
}

function xlsxParts(sheets: readonly XlsxSheet[]): Part[] {
  const strings = new SharedStrings();
  const sheetPart = (i: number) => `xl/worksheets/sheet${i + 1}.xml`;
  const one = (xml: string) => () => [Buffer.from(XML_HEAD + xml, 'utf8')];
  return [
    {
      name: '[Content_Types].xml',
      xml: one(
        `<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
          `<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>` +
          `<Default Extension="xml" ContentType="application/xml"/>` +
          `<Override PartName="/xl/workbook.xml" ContentType="${CT}.sheet.main+xml"/>` +
          sheets
            .map((_, i) => `<Override PartName="/${sheetPart(i)}" ContentType="${CT}.worksheet+xml"/>`)
            .join('') +
          `<Override PartName="/xl/styles.xml" ContentType="${CT}.styles+xml"/>` +
          `<Override PartName="/xl/sharedStrings.xml" ContentType="${CT}.sharedStrings+xml"/>` +
          `</Types>`,
      ),
    },
    {
      name: '_rels/.rels',
      xml: one(
        `<Relationships xmlns="${PKG_REL_NS}">` +
          `<Relationship Id="rId1" Type="${REL_NS}/officeDocument" Target="xl/workbook.xml"/>` +
          `</Relationships>`,
      ),
    },
    {
      name: 'xl/workbook.xml',
      xml: one(
        `<workbook xmlns="${MAIN_NS}" xmlns:r="${REL_NS}"><sheets>` +
          sheets
            .map((s, i) => `<sheet name="${escapeAttr(s.name)}" sheetId="${i + 1}" r:id="rId${i + 1}"/>`)
            .join('') +
          `</sheets></workbook>`,
      ),
    },
    {
      name: 'xl/_rels/workbook.xml.rels',
      xml: one(
        `<Relationships xmlns="${PKG_REL_NS}">` +
          sheets
            .map(
              (_, i) =>
                `<Relationship Id="rId${i + 1}" Type="${REL_NS}/worksheet" Target="worksheets/sheet${i + 1}.xml"/>`,
            )
            .join('') +
          `<Relationship Id="rId${sheets.length + 1}" Type="${REL_NS}/styles" Target="styles.xml"/>` +
          `<Relationship Id="rId${sheets.length + 2}" Type="${REL_NS}/sharedStrings" Target="sharedStrings.xml"/>` +
          `</Relationships>`,
      ),
    },
    {
      name: 'xl/styles.xml',
      // Two cell formats, shared by id: 0 for every data cell, HEADER_STYLE (bold) for the header cells.
      xml: one(
        `<styleSheet xmlns="${MAIN_NS}">` +
          `<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>` +
          `<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>` +
          `<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>` +
          `<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>` +
          `<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>` +
          `<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>` +
          `<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>` +
          `<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>` +
          `</styleSheet>`,
      ),
    },
    ...sheets.map((s, i) => ({ name: sheetPart(i), xml: () => sheetXml(s, strings) })),
    // Last: it holds the texts the sheets above put there as they were made.
    { name: 'xl/sharedStrings.xml', xml: () => strings.xml() },
  ];
}

function* sheetXml(sheet: XlsxSheet, strings: SharedStrings): Generator<Buffer> {
  const cols = (sheet.widths ?? [])
    .map((w, i) =>
      w === undefined ? '' : `<col min="${i + 1}" max="${i + 1}" width="${w}" customWidth="1"/>`,
    )
    .join('');
  let out =
    XML_HEAD +
    `<worksheet xmlns="${MAIN_NS}" xmlns:r="${REL_NS}">` +
    `<sheetViews><sheetView workbookViewId="0">` +
    `<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>` +
    `<selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView></sheetViews>` +
    `<sheetFormatPr defaultRowHeight="15"/>` +
    (cols ? `<cols>${cols}</cols>` : '') +
    `<sheetData>`;
  // Column letters once per tab, not once per cell.
  const letters: string[] = [];
  const letter = (c: number) => (letters[c] ??= columnLetter(c));
  const row = (values: readonly XlsxValue[], r: number, style: string) => {
    let xml = `<row r="${r}">`;
    for (let c = 0; c < values.length; c++) {
      const cell = cellXml(values[c], strings);
      if (cell) xml += `<c r="${letter(c)}${r}"${style}${cell}</c>`;
    }
    return xml + '</row>';
  };
  out += row(sheet.header, 1, ` s="${HEADER_STYLE}"`);
  let r = 1;
  for (const values of sheet.rows) {
    out += row(values, ++r, '');
    if (out.length >= PIECE_CHARS) {
      yield Buffer.from(out, 'utf8');
      out = '';
    }
  }
  yield Buffer.from(out + '</sheetData></worksheet>', 'utf8');
}

/** A cell's type attribute and content, after its reference and style (`t="…"><v>…</v>`); '' for no cell. */
function cellXml(value: XlsxValue, strings: SharedStrings): string {
  if (value === null || value === undefined || value === '') return '';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`cannot write ${value} to a spreadsheet cell`);
    return `><v>${value}</v>`;
  }
  if (typeof value === 'boolean') return ` t="b"><v>${value ? 1 : 0}</v>`;
  if (encodeXlsxText(value) !== value) return ` t="s"><v>${strings.id(value)}</v>`;
  return ` t="inlineStr"><is>${textElement(value)}</is>`;
}

/** `<t>` with the text, keeping leading/trailing spaces and line breaks as ExcelJS's rule does (text-xform.js). */
function textElement(s: string): string {
  const space = /^\s|\n|\s$/.test(s) ? ' xml:space="preserve"' : '';
  return `<t${space}>${escapeText(s)}</t>`;
}

/** The texts that need `_xHHHH_` escapes, each once, numbered in the order the sheets first used them. */
class SharedStrings {
  private readonly list: string[] = [];
  private readonly index = new Map<string, number>();
  private uses = 0;

  id(s: string): number {
    this.uses++;
    let i = this.index.get(s);
    if (i === undefined) {
      i = this.list.length;
      this.list.push(s);
      this.index.set(s, i);
    }
    return i;
  }

  *xml(): Generator<Buffer> {
    let out = XML_HEAD + `<sst xmlns="${MAIN_NS}" count="${this.uses}" uniqueCount="${this.list.length}">`;
    for (const s of this.list) out += `<si>${textElement(encodeXlsxText(s))}</si>`;
    yield Buffer.from(out + '</sst>', 'utf8');
  }
}

const MARKUP = /[&<>]/;

function escapeText(s: string): string {
  if (!MARKUP.test(s)) return s; // most cells: one test instead of three replacements
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function escapeAttr(s: string): string {
  return escapeText(s).replace(/"/g, '&quot;');
}

/** One part deflated as its XML comes: the compressed pieces, and the CRC and size of the XML. */
async function deflatePart(xml: Iterable<Buffer>): Promise<{ raw: Buffer[]; crc: number; size: number }> {
  const deflate = createDeflateRaw({ level: 6 });
  const raw: Buffer[] = [];
  deflate.on('data', (b: Buffer) => raw.push(b));
  const ended = once(deflate, 'end');
  let crc = 0;
  let size = 0;
  for (const piece of xml) {
    if (!piece.length) continue;
    crc = crc32(piece, crc);
    size += piece.length;
    // Waits while deflate is behind, so the XML made ahead of it stays small.
    if (!deflate.write(piece)) await once(deflate, 'drain');
  }
  deflate.end();
  await ended;
  return { raw, crc: crc >>> 0, size };
}

/** Whether a zip entry's content is exactly `expected`, compared piece by piece as the entry is inflated. */
async function sameXml(entry: ZipEntry, expected: Iterable<Buffer>): Promise<boolean> {
  if (entry.method !== 0 && entry.method !== 8) return false;
  const want = expected[Symbol.iterator]();
  let piece: Buffer = Buffer.alloc(0);
  let at = 0;
  let seen = 0;
  const inflate = entry.method === 8 ? createInflateRaw() : null;
  try {
    const source: AsyncIterable<Buffer> | Buffer[] = inflate ? inflate : [entry.raw];
    inflate?.end(entry.raw);
    for await (const got of source) {
      seen += got.length;
      for (let p = 0; p < got.length;) {
        if (at === piece.length) {
          const next = want.next();
          if (next.done) return false; // the file holds more than expected
          piece = next.value;
          at = 0;
          continue;
        }
        const n = Math.min(got.length - p, piece.length - at);
        if (got.compare(piece, at, at + n, p, p + n) !== 0) return false;
        p += n;
        at += n;
      }
    }
  } catch {
    return false; // damaged compressed data
  } finally {
    inflate?.destroy();
  }
  if (seen !== entry.size || at !== piece.length) return false;
  for (let next = want.next(); !next.done; next = want.next()) if (next.value.length) return false;
  return true;
}
