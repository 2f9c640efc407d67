/**
 * Removing archived rows from the workbook: the Credits rows whose Key, the Audit rows whose Credit ID and the
 * full Ledger rows whose Key were archived (the Ledger's packed rows of archived credits always stay). The kept
 * rows are moved up in one pass (splicing row by row would be quadratic on a big tab), with every cell of the
 * row, staff columns included; the tab's formatting and protection are redone on save.
 */
import type { CellValue, Worksheet } from 'exceljs';
import { ARCHIVED_STATUS } from '../../../core/archived-ledger';
import { text } from '../../../core/table';
import type { RemoveRows } from '../../../core/sheet-changes';
import { cellFromExcel } from '../../xlsx/workbook-cells';
import { columnOf, readHeaderIndex } from './workbook-layout';
import { lastUsedRow } from '../../xlsx/worksheet-grid';

/** `keep`: a column and a value that keeps a row whatever its `col` holds. */
function compact(
  ws: Worksheet,
  col: number,
  drop: ReadonlySet<string>,
  keep?: { col: number; value: string },
): number {
  const last = lastUsedRow(ws);
  if (!drop.size) return 0;
  const kept: CellValue[][] = [];
  let removed = 0;
  for (let r = 2; r <= last; r++) {
    const row = ws.getRow(r);
    const spared = keep && text(cellFromExcel(row.getCell(keep.col).value)) === keep.value;
    if (!spared && drop.has(text(cellFromExcel(row.getCell(col).value)))) removed++;
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
  ledger: Worksheet,
  remove: RemoveRows,
): { credits: number; audit: number; ledger: number } {
  const ledgerHeaders = readHeaderIndex(ledger);
  return {
    ledger: compact(ledger, columnOf(ledger, ledgerHeaders, 'Key'), new Set(remove.ledgerKeys ?? []), {
      col: columnOf(ledger, ledgerHeaders, 'Status'),
      value: ARCHIVED_STATUS,
    }),
    credits: compact(credits, columnOf(credits, readHeaderIndex(credits), 'Key'), new Set(remove.keys)),
    audit: compact(
      audit,
      columnOf(audit, readHeaderIndex(audit), 'Credit ID'),
      new Set(remove.auditCreditIds),
    ),
  };
}
