/**
 * The Summary tab for the patching writer (workbook-patch.ts). The tab is drawn exactly as the full writer
 * draws it — renderWorkbookSummary, in a one-tab ExcelJS workbook of its own (milliseconds: the Summary is
 * small) — and that tab's XML is moved into the real file: its style ids and shared strings renumbered into
 * the real file's styles.xml and sharedStrings.xml. Like renderWorkbookSummary, a Summary whose figures are
 * already in the tab is not redrawn (null), so a run that changes nothing writes nothing.
 */
import { excelJs } from '../../xlsx/exceljs-lazy';
import { summaryGrid, type SummaryLayout } from '../../../core/summary-layout';
import { SUMMARY_TAB } from '../../../core/sheet-contract';
import { columnLetter } from '../../../core/sheet-layout';
import { plain, renderWorkbookSummary, type Plain } from './workbook-summary';
import { sharedStrings } from './workbook-read';
import { decodeEntities } from './workbook-xml';
import { StylesEditor } from './workbook-styles';
import { entryText, readZip } from '../../xlsx/workbook-zip';

/** What the patcher's strings offer: how a text is written in a cell, and the file's shared string i. */
interface StringTable {
  cell(s: string): { t: string; body: string };
  text(i: number): string | null;
}

/** The Summary part's new XML, or null when the tab already shows these figures. */
export async function patchSummary(
  currentXml: string,
  layout: SummaryLayout,
  styles: StylesEditor,
  strings: StringTable,
): Promise<string | null> {
  const want = summaryGrid(layout).map((r) => r.map(plain));
  if (sameValues(currentValues(currentXml, strings), want)) return null;

  const wb = new (excelJs().Workbook)();
  await renderWorkbookSummary(wb, layout);
  // Stored, not deflated: this zip is only read back here (its parts are copied into the real file, which the
  // patcher compresses), and deflating then inflating a Summary of thousands of rows cost ~0.4 s per write.
  const drawn = await wb.xlsx.writeBuffer({ zip: { compression: 'STORE' } });
  const parts = new Map(readZip(Buffer.from(drawn)).map((e) => [e.name, e]));
  const sheetName = [...parts.keys()].find((n) => /^xl\/worksheets\/sheet\d+\.xml$/.test(n));
  if (!sheetName || !wb.getWorksheet(SUMMARY_TAB.name)) throw new Error('the Summary was not drawn'); // a bug
  const own = new StylesEditor(entryText(parts.get('xl/styles.xml')!));
  const ownStrings = parts.has('xl/sharedStrings.xml')
    ? sharedStrings(entryText(parts.get('xl/sharedStrings.xml')!))
    : [];

  const styleMap = new Map<number, number>();
  const styleOf = (s: number): number => {
    let mapped = styleMap.get(s);
    if (mapped === undefined) {
      let xf = own.xf(s)!;
      xf = xf.replace(
        /\sfontId="(\d+)"/,
        (_m, f: string) => ` fontId="${styles.fontId(own.font(Number(f))!)}"`,
      );
      xf = xf.replace(/\snumFmtId="(\d+)"/, (_m, n: string) => {
        const id = Number(n);
        return ` numFmtId="${id < 164 ? id : styles.numFmtId(own.numFmtCode(id)!, undefined)}"`;
      });
      if (/\s(fillId|borderId)="[1-9]/.test(xf)) throw new Error('the Summary uses fills or borders'); // never drawn
      styleMap.set(s, (mapped = styles.xfId(xf)));
    }
    return mapped;
  };
  return entryText(parts.get(sheetName)!).replace(
    /<c\b([^>]*?)(\/>|>([\s\S]*?)<\/c>)/g,
    (_m, attrs: string, close: string, body?: string) => {
      const a = attrs.replace(/\ss="(\d+)"/, (_x, s: string) => ` s="${styleOf(Number(s))}"`);
      if (/\st="s"/.test(a) && body !== undefined) {
        const v = /<v>(\d+)<\/v>/.exec(body);
        const str = v ? ownStrings[Number(v[1])] : null;
        if (typeof str !== 'string') throw new Error('the Summary holds a rich text'); // never drawn
        const { t, body: written } = strings.cell(str);
        return `<c${a.replace(/\st="s"/, ` t="${t}"`)}>${written}</c>`;
      }
      return `<c${a}${close}`;
    },
  );
}

/** The tab's text and number cells, as renderWorkbookSummary compares them (anything else counts as empty). */
function currentValues(xml: string, strings: StringTable): Map<string, Plain> {
  const out = new Map<string, Plain>();
  for (const m of xml.matchAll(/<c\b([^>]*?)(?:\/>|>([\s\S]*?)<\/c>)/g)) {
    const ref = /\sr="([A-Z]+\d+)"/.exec(m[1])?.[1];
    const body = m[2];
    if (!ref || body === undefined || /<f\b/.test(body)) continue;
    const t = /\st="(\w+)"/.exec(m[1])?.[1];
    const v = /<v>([\s\S]*?)<\/v>/.exec(body)?.[1];
    if (t === 's' && v !== undefined) out.set(ref, strings.text(Number(v)));
    else if (t === 'inlineStr')
      out.set(ref, decodeEntities(/<t\b[^>]*>([\s\S]*?)<\/t>/.exec(body)?.[1] ?? ''));
    else if ((t === undefined || t === 'n') && v !== undefined) out.set(ref, parseFloat(v));
  }
  return out;
}

function sameValues(current: Map<string, Plain>, want: Plain[][]): boolean {
  let wanted = 0;
  for (let r = 0; r < want.length; r++) {
    for (let c = 0; c < want[r].length; c++) {
      const w = want[r][c];
      if (w === null) continue;
      wanted++;
      if (current.get(`${letter(c + 1)}${r + 1}`) !== w) return false;
    }
  }
  let present = 0;
  for (const v of current.values()) if (v !== null) present++;
  return present === wanted;
}

/** 1-based, like the XML's references. */
const letter = (col: number) => columnLetter(col - 1);
