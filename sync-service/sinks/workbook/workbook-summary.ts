/**
 * The Summary tab of the workbook: the layout of core/summary-layout.ts drawn with ExcelJS, money as numbers in
 * the currency's precision, and data bars (a native Excel picture ExcelJS can write; it cannot write charts) on
 * the amount columns. The tab is owned by the sync: rebuilt from scratch when its figures change, protected.
 */
import type { Workbook, Worksheet } from 'exceljs';
import { columnLetter, moneyPattern } from '../../../core/sheet-layout';
import { SUMMARY_TAB } from '../../../core/sheet-contract';
import {
  isMoneyCell,
  sheetValue,
  summaryGrid,
  type SheetValue,
  type SummaryLayout,
} from '../../../core/summary-layout';
import { SUMMARY_BAR_COLOR, SUMMARY_TAB_COLOR, SUMMARY_WIDTHS } from './workbook-summary-xml';

/** The values the tab holds now, as plain cells over the given size (to compare with a new layout). */
function currentValues(ws: Worksheet, rows: number, cols: number): SheetValue[][] {
  const out: SheetValue[][] = [];
  for (let r = 1; r <= rows; r++) {
    const row = ws.findRow(r);
    const cells: SheetValue[] = [];
    for (let c = 1; c <= cols; c++) {
      const v = row?.findCell(c)?.value;
      cells.push(typeof v === 'number' || typeof v === 'string' ? v : null);
    }
    out.push(cells);
  }
  return out;
}

/**
 * Makes the workbook's Summary tab show `layout`. Returns false, touching nothing, when it already does, so
 * a run that changes nothing does not rewrite the file.
 */
export async function renderWorkbookSummary(wb: Workbook, layout: SummaryLayout): Promise<boolean> {
  const grid = summaryGrid(layout);
  const want = grid.map((r) => r.map(sheetValue));
  const existing = wb.getWorksheet(SUMMARY_TAB.name);
  if (existing) {
    const size = Math.max(existing.rowCount, want.length);
    const width = Math.max(existing.columnCount, layout.colCount);
    const padded = Array.from({ length: size }, (_, r) =>
      Array.from({ length: width }, (_, c) => want[r]?.[c] ?? null),
    );
    if (JSON.stringify(currentValues(existing, size, width)) === JSON.stringify(padded)) return false;
    // Rebuilt rather than edited: a fresh tab drops old rows, formats and data bars in one step.
    wb.removeWorksheet(existing.id);
  }
  const ws = wb.addWorksheet(SUMMARY_TAB.name, { properties: { tabColor: { argb: SUMMARY_TAB_COLOR } } });
  grid.forEach((cells, r) => {
    const row = ws.getRow(r + 1);
    cells.forEach((c, j) => {
      if (c === null) return;
      const cell = row.getCell(j + 1);
      cell.value = sheetValue(c);
      if (isMoneyCell(c)) cell.numFmt = moneyPattern(c.currency);
    });
  });
  ws.getCell(1, 1).font = { bold: true, size: 13 };
  for (const t of layout.tables) {
    ws.getCell(t.top + 1, t.left + 1).font = { bold: true, size: 12 };
    for (let j = 0; j < t.headers.length; j++) ws.getCell(t.top + 2, t.left + j + 1).font = { bold: true };
    if (t.bar !== undefined && t.rows.length) {
      const col = columnLetter(t.left + t.bar); // 0-based, like the layout
      ws.addConditionalFormatting({
        ref: `${col}${t.top + 3}:${col}${t.top + 2 + t.rows.length}`,
        rules: [
          {
            type: 'dataBar',
            priority: 1,
            gradient: false,
            cfvo: [{ type: 'min' }, { type: 'max' }],
            color: { argb: SUMMARY_BAR_COLOR },
          } as never, // ExcelJS's DataBarRuleType omits `color`, which it does write
        ],
      });
    }
  }
  SUMMARY_WIDTHS.forEach((w, i) => (ws.getColumn(i + 1).width = w));
  ws.views = [{ state: 'frozen', ySplit: 1 }];
  // Protected like Audit: no password (see workbook-format.ts), so it guards against accidents, not people.
  await ws.protect('', { selectLockedCells: true, selectUnlockedCells: true, formatColumns: true });
  return true;
}
