/**
 * The Summary tab's worksheet XML for the patching writer, written directly: the same part ExcelJS writes when
 * renderWorkbookSummary draws the layout (workbook-summary.ts, which the full writer still uses), element for
 * element — values, the title and header fonts, money formats, column widths, the frozen heading, the data
 * bars, the protection — with the style ids and strings of the real file. Written here rather than drawn in a
 * one-tab ExcelJS workbook and copied over: loading ExcelJS, drawing and zipping a Summary of thousands of
 * rows cost about a second of every sync, apply-rules, collect and close on a big sheet, for a part whose shape
 * never changes. test/sync-service/sinks/workbook/workbook-summary-xml.property.test.ts holds it equal to
 * ExcelJS's drawing, copied over as before, for any layout.
 */
import { columnLetter, moneyPattern } from '../../../core/sheet-layout';
import { isMoneyCell, sheetValue, summaryGrid, type SummaryLayout } from '../../../core/summary-layout';
import type { StylesEditor } from './workbook-styles';

/** What the patcher's strings offer: how a text is written in a cell (shared or inline, with its body). */
export interface CellStrings {
  /** The whole cell for a text, from its open tag without the closing `>` (`<c r="A1" s="3"`). */
  cell(open: string, s: string): string;
}

/** The column widths renderWorkbookSummary gives (A–O), in characters. */
export const SUMMARY_WIDTHS = [12, 10, 16, 14, 16, 16, 16, 14, 16, 4, 14, 16, 16, 16, 16];
export const SUMMARY_TAB_COLOR = 'FF4472C4';
export const SUMMARY_BAR_COLOR = 'FF5B9BD5';

/** ExcelJS's default font, the one an unstyled cell of its own workbook has (its styles.xml's font 0). */
const DEFAULT_FONT =
  '<font><color theme="1"/><family val="2"/><scheme val="minor"/><sz val="11"/><name val="Calibri"/></font>';
const FONTS = {
  heading: '<font><b/><sz val="13"/></font>',
  title: '<font><b/><sz val="12"/></font>',
  header: '<font><b/></font>',
} as const;
type FontRole = keyof typeof FONTS;
/** The number formats ExcelJS writes by their built-in id (its defaultnumformats.js); any other is custom. */
const BUILTIN_FORMATS: Record<string, number> = { '#,##0': 3, '#,##0.00': 4 };

const X14_MAIN = 'http://schemas.microsoft.com/office/spreadsheetml/2009/9/main';
const DATA_BAR_EXT = '{B025F937-C7B1-47D3-B67F-A62EFF666E3E}';
const CONDITIONAL_FORMATTINGS_EXT = '{78C0D931-6437-407d-A8EE-F0AAD7539E65}';

interface Drawn {
  value: string | number | null;
  font?: FontRole;
  format?: string;
}

/** The Summary part's XML for this layout, in a file whose styles and strings are `styles` and `strings`. */
export function summarySheetXml(layout: SummaryLayout, styles: StylesEditor, strings: CellStrings): string {
  const cells = drawnCells(layout);
  const styleIds = new Map<string, number>();
  const styleOf = (d: Drawn): number => {
    if (!d.font && !d.format) return 0;
    const key = `${d.font ?? ''}|${d.format ?? ''}`;
    let id = styleIds.get(key);
    if (id === undefined) styleIds.set(key, (id = styles.xfId(xfOf(d, styles))));
    return id;
  };

  let top = Infinity;
  let left = Infinity;
  let bottom = 0;
  let right = 0;
  const rows: string[] = [];
  for (const [r, row] of [...cells].sort((a, b) => a[0] - b[0])) {
    const cols = [...row].sort((a, b) => a[0] - b[0]);
    let xml = '';
    for (const [c, d] of cols) {
      const ref = `${columnLetter(c)}${r + 1}`;
      const s = styleOf(d);
      const sAttr = s ? ` s="${s}"` : '';
      if (d.value === null) xml += `<c r="${ref}"${sAttr}/>`;
      else {
        top = Math.min(top, r);
        bottom = Math.max(bottom, r);
        left = Math.min(left, c);
        right = Math.max(right, c);
        if (typeof d.value === 'number') xml += `<c r="${ref}"${sAttr}><v>${d.value}</v></c>`;
        else xml += strings.cell(`<c r="${ref}"${sAttr}`, d.value);
      }
    }
    const spans = `${cols[0][0] + 1}:${cols[cols.length - 1][0] + 1}`;
    rows.push(`<row r="${r + 1}" spans="${spans}" x14ac:dyDescent="0.25">${xml}</row>`);
  }
  const dimension =
    right >= left ? `${columnLetter(left)}${top + 1}:${columnLetter(right)}${bottom + 1}` : 'A1';

  const bars = layout.tables
    .filter((t) => t.bar !== undefined && t.rows.length)
    .map((t, i) => {
      const col = columnLetter(t.left + t.bar!);
      return { sqref: `${col}${t.top + 3}:${col}${t.top + 2 + t.rows.length}`, id: barId(i) };
    });
  return (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' +
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" ' +
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" ' +
    'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" mc:Ignorable="x14ac" ' +
    'xmlns:x14ac="http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac">' +
    `<sheetPr><tabColor rgb="${SUMMARY_TAB_COLOR}"/></sheetPr>` +
    `<dimension ref="${dimension}"/>` +
    '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" ' +
    'state="frozen"/><selection pane="bottomLeft"/></sheetView></sheetViews>' +
    '<sheetFormatPr defaultRowHeight="15" outlineLevelRow="0" outlineLevelCol="0" x14ac:dyDescent="55"/>' +
    colsXml() +
    `<sheetData>${rows.join('')}</sheetData>` +
    // Protected as renderWorkbookSummary protects it (no password; selecting cells allowed, formatting columns too).
    '<sheetProtection sheet="1" formatColumns="0"/>' +
    bars
      .map(
        (b) =>
          `<conditionalFormatting sqref="${b.sqref}"><cfRule type="dataBar" priority="1"><dataBar>` +
          `<cfvo type="min"/><cfvo type="max"/><color rgb="${SUMMARY_BAR_COLOR}"/></dataBar>` +
          `<extLst><ext uri="${DATA_BAR_EXT}" xmlns:x14="${X14_MAIN}"><x14:id>${b.id}</x14:id></ext></extLst>` +
          '</cfRule></conditionalFormatting>',
      )
      .join('') +
    '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>' +
    '<pageSetup orientation="portrait" horizontalDpi="4294967295" verticalDpi="4294967295" scale="100" ' +
    'fitToWidth="1" fitToHeight="1"/>' +
    (bars.length
      ? `<extLst><ext uri="${CONDITIONAL_FORMATTINGS_EXT}" xmlns:x14="${X14_MAIN}"><x14:conditionalFormattings>` +
        bars
          .map(
            (b) =>
              '<x14:conditionalFormatting xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main">' +
              `<x14:cfRule type="dataBar" id="${b.id}"><x14:dataBar minLength="0" maxLength="100" gradient="0">` +
              '<x14:cfvo type="min"/><x14:cfvo type="max"/></x14:dataBar></x14:cfRule>' +
              `<xm:sqref>${b.sqref}</xm:sqref></x14:conditionalFormatting>`,
          )
          .join('') +
        '</x14:conditionalFormattings></ext></extLst>'
      : '') +
    '</worksheet>'
  );
}

/** The cells renderWorkbookSummary sets, 0-based row → column → what it sets. */
function drawnCells(layout: SummaryLayout): Map<number, Map<number, Drawn>> {
  const cells = new Map<number, Map<number, Drawn>>();
  const at = (r: number, c: number): Drawn => {
    let row = cells.get(r);
    if (!row) cells.set(r, (row = new Map()));
    let d = row.get(c);
    if (!d) row.set(c, (d = { value: null }));
    return d;
  };
  summaryGrid(layout).forEach((cells, r) =>
    cells.forEach((c, j) => {
      if (c === null) return;
      const d = at(r, j);
      d.value = sheetValue(c);
      if (isMoneyCell(c)) d.format = moneyPattern(c.currency);
    }),
  );
  at(0, 0).font = 'heading';
  for (const t of layout.tables) {
    at(t.top, t.left).font = 'title';
    for (let j = 0; j < t.headers.length; j++) at(t.top + 1, t.left + j).font = 'header';
  }
  return cells;
}

/** The cell format as ExcelJS writes it, with the real file's font and number format ids. */
function xfOf(d: Drawn, styles: StylesEditor): string {
  const fontId = styles.fontId(d.font ? FONTS[d.font] : DEFAULT_FONT);
  const numFmtId = d.format ? styles.numFmtId(d.format, BUILTIN_FORMATS[d.format]) : 0;
  const apply = `${d.format ? ' applyNumberFormat="1"' : ''}${d.font ? ' applyFont="1"' : ''}`;
  return `<xf numFmtId="${numFmtId}" fontId="${fontId}" fillId="0" borderId="0" xfId="0"${apply}/>`;
}

/** The `<cols>` element: runs of equal width, as ExcelJS merges them. */
function colsXml(): string {
  let xml = '';
  for (let i = 0; i < SUMMARY_WIDTHS.length;) {
    let j = i;
    while (j + 1 < SUMMARY_WIDTHS.length && SUMMARY_WIDTHS[j + 1] === SUMMARY_WIDTHS[i]) j++;
    xml += `<col min="${i + 1}" max="${j + 1}" width="${SUMMARY_WIDTHS[i]}" customWidth="1"/>`;
    i = j + 1;
  }
  return `<cols>${xml}</cols>`;
}

/** A data bar's id (the link between its rule and its Excel 2010 extension): fixed, so a file is reproducible. */
function barId(i: number): string {
  return `{5C0DA7A0-0000-4000-8000-${(i + 1).toString(16).toUpperCase().padStart(12, '0')}}`;
}
