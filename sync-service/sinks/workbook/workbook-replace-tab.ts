/**
 * A staff tab (Config, Accounts, Rules) replaced whole by a change set (`replaceTabs`), written by the patching
 * writer (workbook-patch.ts) instead of the ExcelJS whole write. Every sync of a new period replaces Config (the
 * AWS bill rows, core/aws-bill.ts) and a sync with --accounts/--rules may replace Accounts/Rules; before this,
 * the patcher refused any replaced tab, so each month's sync rewrote the whole workbook and grew with the sheet
 * (issue #25: 4.2 → 28.4 → 57.9 s CPU over three months of 20,000 credits).
 *
 * It writes what the full writer leaves (workbook.ts replaceTab, then formatStaffTab in workbook-format.ts): row 1
 * the grid's headers plus the contract headers it lacks, each header cell bold and nothing else, the grid's rows
 * below matched to those headers by header text as writeGridRows matches them, data cells without a style (a
 * staff tab's columns have none), and `<dimension>` covering the cells written. That full writer only overwrites
 * the cells the new rows set (see keptByFullWriter), so the patcher takes a replacement only when nothing of the
 * old rows would survive it, which is so for every replacement a sync makes: they only add rows and values
 * (decision 0020). The full writer puts no filter, validation, conditional format, merge or table on these
 * tabs, so a part holding one (someone added it in Excel) is the full writer's to rewrite, as is one whose
 * headers change (the contract columns' widths follow the headers) or one too big to be worth it: each returns
 * the reason, and the caller writes the whole workbook.
 */
import { TABS, type CellKind, type ColumnSpec, type TabId } from '../../../core/sheet-contract';
import { columnLetter, columnNumber } from '../../../core/sheet-layout';
import { headerKey, text, type Cell, type Grid } from '../../../core/table';
import { excelValueFor } from '../../xlsx/workbook-cells';
import type { StylesEditor } from './workbook-styles';

type Value = ReturnType<typeof excelValueFor>;

/** The tabs a change set may replace (ChangeSet['replaceTabs']). */
export type StaffTab = Exclude<TabId, 'credits' | 'audit' | 'ledger'>;

/** The patcher's cell writer (workbook-patch.ts CellWriter): a value's `<c>` element with its shared strings. */
interface CellXml {
  cell(ref: string, value: ReturnType<typeof excelValueFor>, s: number | undefined): string;
}

/**
 * Past this many cells the tab is written whole. Config holds a few dozen rows and Accounts/Rules a few
 * thousand (bench/big-month.ts: 8,000 accounts, 1,000 rules); the cap only keeps a tab someone filled with
 * data of their own from being built as one string here.
 */
export const MAX_REPLACED_CELLS = 200_000;

/** What ExcelJS writes for `{ font: { bold: true } }`, the header style formatHeader gives a new header row. */
const BOLD_FONT = '<font><b/></font>';
const headerXf = (fontId: number) =>
  `<xf numFmtId="0" fontId="${fontId}" fillId="0" borderId="0" xfId="0" applyFont="1"/>`;

/** Elements the part may hold outside <sheetData>: none of them depends on the rows. */
const KEPT_HEAD = new Set(['sheetPr', 'dimension', 'sheetViews', 'sheetFormatPr', 'cols']);
const KEPT_TAIL = new Set(['sheetProtection', 'printOptions', 'pageMargins', 'pageSetup', 'headerFooter']);

/**
 * The sheet part with its rows replaced by the grid's, or the reason the full writer must do it. `readHeaders`
 * are the tab's headers as read from this very part; `hasRelationships` says whether the part has a .rels
 * (comments, drawings, tables, hyperlinks: the full writer's).
 */
export function replaceTabRows(
  xml: Buffer,
  tab: StaffTab,
  grid: Grid,
  readHeaders: readonly Cell[],
  styles: StylesEditor,
  cells: CellXml,
  hasRelationships: boolean,
): { pieces: Buffer[] } | { reason: string } {
  const name = TABS[tab].name;
  if (hasRelationships) return { reason: `the ${name} tab has relationships (comments, drawings or tables)` };
  const start = xml.indexOf('<sheetData');
  const end = xml.lastIndexOf('</sheetData>');
  const empty =
    start !== -1 && end === -1 && /^<sheetData\s*\/>/.test(xml.toString('utf8', start, start + 20));
  if (start === -1 || (end === -1 && !empty)) return { reason: `the ${name} tab has no <sheetData>` };
  const head = xml.toString('utf8', 0, start);
  const after = empty ? xml.indexOf('>', start) + 1 : end + '</sheetData>'.length;
  const tail = xml.toString('utf8', after);
  const odd =
    [...elementsOf(head)].find((e) => !KEPT_HEAD.has(e)) ??
    [...elementsOf(tail)].find((e) => !KEPT_TAIL.has(e));
  if (odd) return { reason: `the ${name} tab holds <${odd}>` };
  if (/<sheetPr\b[^>]*\sfilterMode="(1|true)"/.test(head)) return { reason: `the ${name} tab is filtered` };
  if (!/<dimension\b[^>]*\/>/.test(head)) return { reason: `the ${name} tab has no <dimension>` };
  if (!/<pane\b[^>]*ySplit="1"[^>]*state="frozen"/.test(head))
    return { reason: `the ${name} tab's header is not frozen` };

  // The headers the full writer writes: the grid's, then the contract headers it lacks (workbook.ts replaceTab).
  const given = grid.headers.map((h) => text(h));
  const columns: readonly ColumnSpec[] = TABS[tab].columns;
  const missing = columns
    .map((c) => c.header)
    .filter((h) => !given.some((g) => headerKey(g) === headerKey(h)));
  const headers = [...given, ...missing];
  const before = readHeaders.map((h) => text(h));
  if (headers.length !== before.length || headers.some((h, i) => h !== before[i]))
    return { reason: `the ${name} tab's headers change` };
  const size = (grid.rows.length + 1) * headers.length;
  if (size > MAX_REPLACED_CELLS)
    return { reason: `the ${name} tab is too big to patch (${size.toLocaleString('en-US')} cells)` };
  // A data cell takes its column's style in ExcelJS, and formatHeader widens a contract column that has none.
  const cols = colsOf(head);
  if ([...cols.values()].some((c) => c.styled)) return { reason: `the ${name} tab has column styles` };
  for (const c of columns) {
    const at = headers.findIndex((h) => headerKey(h) === headerKey(c.header)) + 1;
    if (c.width && !cols.get(at)?.width)
      return { reason: `the ${name} tab's ${c.header} column has no width` };
  }

  // The new rows' cells, as writeGridRows places them: each grid column goes to the first header of its text, a
  // later one of the same text wins, a blank value writes nothing.
  const target = headers.map((h) => headerKey(h));
  const kinds = new Map<string, CellKind>(columns.map((c) => [headerKey(c.header), c.kind]));
  const from = grid.headers.map((h) => headerKey(h));
  const valuesAt = new Map<number, Map<number, Value>>();
  grid.rows.forEach((row, i) => {
    const values = new Map<number, Value>();
    from.forEach((key, j) => {
      const col = target.indexOf(key);
      if (col < 0 || !key) return;
      const value = excelValueFor(row[j], kinds.get(key));
      if (value !== null) values.set(col + 1, value);
    });
    if (values.size) valuesAt.set(i + 2, values);
  });

  const bold = styles.xfId(headerXf(styles.fontId(BOLD_FONT)));
  const old = empty ? '' : xml.toString('utf8', start, end);
  const kept = keptByFullWriter(old, headers.length, bold, valuesAt);
  if (kept) return { reason: `the ${name} tab ${kept}` };

  const rows = [
    `<row r="1">${headers.map((h, i) => cellAt(cells, i + 1, 1, excelValueFor(h, 'text'), bold)).join('')}</row>`,
  ];
  let lastRow = 1;
  for (const [r, values] of valuesAt) {
    const written = [...values.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([col, value]) => cellAt(cells, col, r, value, undefined));
    rows.push(`<row r="${r}">${written.join('')}</row>`);
    lastRow = r;
  }
  const dimension = `<dimension ref="A1:${columnLetter(headers.length - 1)}${lastRow}"/>`;
  const newHead = head.replace(/<dimension\b[^>]*\/>/, dimension);
  return {
    pieces: [
      Buffer.from(`${newHead}<sheetData>${rows.join('')}</sheetData>`, 'utf8'),
      Buffer.from(tail, 'utf8'),
    ],
  };
}

/**
 * What of the old rows a patch would drop that the tab held, or null: an old value the new rows leave blank, an
 * old cell's style, a row's height, a header cell right of the headers. Such a replacement goes to the whole
 * writer, the reference (it clears the tab row by row: workbook.ts replaceTab), rather than be reproduced here;
 * the tabs a sync replaces only gain rows and values (core/aws-bill.ts withAwsBills, the reference files'
 * upsert), so in practice the tab is patched.
 */
function keptByFullWriter(
  old: string,
  width: number,
  bold: number,
  valuesAt: ReadonlyMap<number, ReadonlyMap<number, Value>>,
): string | null {
  for (const row of old.matchAll(/<row\b([^>]*?)(?:\/>|>([\s\S]*?)<\/row>)/g)) {
    if (/\s(ht|s|customFormat|hidden|outlineLevel)="/.test(row[1]))
      return 'has a row of its own height or style';
    for (const c of (row[2] ?? '').matchAll(/<c\b([^>]*?)(\/>|>([\s\S]*?)<\/c>)/g)) {
      const ref = /\sr="([A-Z]+)(\d+)"/.exec(c[1]);
      if (!ref) return 'has a cell without a reference';
      const col = columnNumber(ref[1]);
      const r = Number(ref[2]);
      const style = Number(/\ss="(\d+)"/.exec(c[1])?.[1] ?? 0);
      const hasValue = /<(v|is|f)\b/.test(c[3] ?? '');
      if (r === 1) {
        if (col > width) return `has a header cell right of the headers (${ref[1]}1)`;
        if (style !== 0 && style !== bold) return 'has a header cell styled by hand';
      } else {
        if (style !== 0) return `has a styled cell (${ref[1]}${r})`;
        if (hasValue && !valuesAt.get(r)?.has(col))
          return `has a value the new rows leave blank (${ref[1]}${r})`;
      }
    }
  }
  return null;
}

function cellAt(
  writer: CellXml,
  col: number,
  r: number,
  value: ReturnType<typeof excelValueFor>,
  s: number | undefined,
): string {
  return writer.cell(`${columnLetter(col - 1)}${r}`, value, s);
}

/** The names of the top-level elements in a piece of the part (the children of <worksheet>). */
function elementsOf(piece: string): Set<string> {
  const names = new Set<string>();
  let depth = 0;
  for (const m of piece.matchAll(/<(\/?)([A-Za-z][\w.:-]*)\b[^>]*?(\/?)>/g)) {
    const [, close, tag, selfClosing] = m;
    if (tag === 'worksheet') continue;
    if (close) depth--;
    else {
      if (depth === 0) names.add(tag.replace(/^\w+:/, ''));
      if (!selfClosing) depth++;
    }
  }
  return names;
}

/** Column number → whether <cols> gives it a width and a style. */
function colsOf(head: string): Map<number, { width: boolean; styled: boolean }> {
  const out = new Map<number, { width: boolean; styled: boolean }>();
  for (const m of head.matchAll(/<col\b[^>]*\/>/g)) {
    const min = Number(/\smin="(\d+)"/.exec(m[0])?.[1] ?? NaN);
    const max = Number(/\smax="(\d+)"/.exec(m[0])?.[1] ?? NaN);
    const info = { width: /\swidth="/.test(m[0]), styled: /\sstyle="[1-9]/.test(m[0]) };
    for (let c = min; c <= max; c++) out.set(c, info);
  }
  return out;
}
