/**
 * Removing archived rows from the workbook: the Credits rows whose Key and the Audit rows whose Credit ID were
 * archived. The kept rows are moved up in one pass (splicing row by row would be quadratic on a big tab), with
 * every cell of the row, staff columns included; the tab's formatting and protection are redone on save.
 */
import type { CellValue, Worksheet } from 'exceljs';
import { text } from '../../core/table';
import { cellFromExcel } from './workbook-cells';
import { columnOf, lastUsedRow, readHeaderIndex } from './workbook-layout';

function compact(ws: Worksheet, col: number, drop: ReadonlySet<string>): number {
  const last = lastUsedRow(ws);
  const kept: CellValue[][] = [];
  let removed = 0;
  for (let r = 2; r <= last; r++) {
    const row = ws.getRow(r);
    if (drop.has(text(cellFromExcel(row.getCell(col).value)))) removed++;
    else kept.push(row.values as CellValue[]);
  }
  if (!removed) return 0;
  kept.forEach((values, i) => (ws.getRow(i + 2).values = values));
  for (let r = kept.length + 2; r <= last; r++) ws.getRow(r).values = [];
  return removed;
}

export function removeRows(
  credits: Worksheet,
  audit: Worksheet,
  remove: { keys: readonly string[]; auditCreditIds: readonly string[] },
): { credits: number; audit: number } {
  return {
    credits: compact(credits, columnOf(credits, readHeaderIndex(credits), 'Key'), new Set(remove.keys)),
    audit: compact(
      audit,
      columnOf(audit, readHeaderIndex(audit), 'Credit ID'),
      new Set(remove.auditCreditIds),
    ),
  };
}
