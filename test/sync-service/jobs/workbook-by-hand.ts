/**
 * A person's edit of the workbook in Excel, for the property tests: the file opened (ExcelJS), changed and saved
 * whole — a new file that the sink's own caches (the part index beside the workbook) must notice. A deleted row
 * or column is removed (the rows below move up, styles with them), and a sort moves whole cells, formats and
 * protection with their values, as Excel's and LibreOffice's sorts do. The edits are collect-proof-ops.ts's.
 */
import { rmSync } from 'node:fs';
import type ExcelJS from 'exceljs';
import { sortByHand } from '../../helpers/hand-edits';
import { loadWorkbook } from '../sinks/workbook/workbook-helpers';
import { editAuditTrace, editCells, type Op, type Renamed } from './collect-proof-ops';

/** One hand edit: open the workbook in "Excel", change it, save it (or, for the usage files, delete them). */
export async function byHandInExcel(path: string, o: Op, renamed: Renamed, usageDir: string): Promise<void> {
  if (o.kind === 'deleteUsageFiles') {
    rmSync(usageDir, { recursive: true, force: true });
    return;
  }
  const wb = await loadWorkbook(path);
  const ws = wb.getWorksheet('Credits');
  if (o.kind === 'deleteTab') {
    const tab = wb.getWorksheet(o.name);
    if (tab) wb.removeWorksheet(tab.id);
  } else if (o.kind === 'editAuditTrace') {
    const audit = wb.getWorksheet('Audit');
    if (audit && ws) {
      const cells = valuesOf(audit);
      editAuditTrace(o, cells, valuesOf(ws));
      cells.forEach((r, i) => r.forEach((v, c) => (audit.getRow(i + 1).getCell(c + 1).value = v)));
    }
  } else if (ws) editSheet(ws, o, renamed);
  await wb.xlsx.writeFile(path);
}

/** The Credits tab edited as cells; a whole row or column deleted the way Excel deletes one. */
function editSheet(ws: ExcelJS.Worksheet, o: Op, renamed: Renamed): void {
  const cells = valuesOf(ws);
  if (o.kind === 'deleteRow') {
    if (cells.length > 1) ws.spliceRows(2 + (o.row % (cells.length - 1)), 1);
    return;
  }
  if (o.kind === 'deleteColumn') {
    const c = cells[0].indexOf(o.header);
    if (c >= 0) ws.spliceColumns(c + 1, 1);
    return;
  }
  if (o.kind === 'sort') {
    const whole = cells.map((r, i) =>
      r.map((value, c) => ({ value, style: ws.getRow(i + 1).getCell(c + 1).style })),
    );
    sortByHand(whole, o.seed);
    whole.forEach((r, i) =>
      r.forEach(({ value, style }, c) => {
        const cell = ws.getRow(i + 1).getCell(c + 1);
        cell.value = value;
        cell.style = style;
      }),
    );
    return;
  }
  editCells(o, cells, renamed);
  const width = Math.max(ws.columnCount, ...cells.map((r) => r.length));
  cells.forEach((r, i) => {
    const row = ws.getRow(i + 1);
    for (let c = 0; c < width; c++) row.getCell(c + 1).value = r[c] ?? null;
  });
}

export function valuesOf(ws: ExcelJS.Worksheet): ExcelJS.CellValue[][] {
  const cells: ExcelJS.CellValue[][] = [];
  for (let r = 1; r <= ws.rowCount; r++) {
    const row: ExcelJS.CellValue[] = [];
    for (let c = 1; c <= ws.columnCount; c++) row.push(ws.getRow(r).getCell(c).value ?? null);
    cells.push(row);
  }
  return cells;
}
