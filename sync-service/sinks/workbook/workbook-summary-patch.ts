/**
 * The Summary tab for the patching writer (workbook-patch.ts): the part the full writer's renderWorkbookSummary
 * would write, made directly with the real file's style ids and strings (workbook-summary-xml.ts). Like
 * renderWorkbookSummary, a Summary whose figures are already in the tab is not redrawn (null), so a run that
 * changes nothing writes nothing.
 */
import { sheetValue, summaryGrid, type SheetValue, type SummaryLayout } from '../../../core/summary-layout';
import { columnLetter } from '../../../core/sheet-layout';
import { summarySheetXml, type CellStrings } from './workbook-summary-xml';
import { decodeEntities } from './workbook-xml';
import type { StylesEditor } from './workbook-styles';

/** What the patcher's strings offer: how a text is written in a cell, and the file's shared string i. */
interface StringTable extends CellStrings {
  text(i: number): string | null;
}

/** The Summary part's new XML, or null when the tab already shows these figures. */
export async function patchSummary(
  currentXml: string,
  layout: SummaryLayout,
  styles: StylesEditor,
  strings: StringTable,
): Promise<string | null> {
  const want = summaryGrid(layout).map((r) => r.map(sheetValue));
  if (sameValues(currentValues(currentXml, strings), want)) return null;
  return summarySheetXml(layout, styles, strings);
}

/** The tab's text and number cells, as renderWorkbookSummary compares them (anything else counts as empty). */
function currentValues(xml: string, strings: StringTable): Map<string, SheetValue> {
  const out = new Map<string, SheetValue>();
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

function sameValues(current: Map<string, SheetValue>, want: SheetValue[][]): boolean {
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
