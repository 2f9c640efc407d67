/**
 * An ExcelJS worksheet read as the domain's Grid: header row plus every row holding a value, cells normalised by
 * their column's kind. The workbook sink reads its tabs this way and archive/ reads an archived workbook the same
 * way, so it lives with the .xlsx format rather than inside the sink.
 */
import type { Row, Worksheet } from 'exceljs';
import type { CellKind, ColumnSpec } from '../../core/sheet-contract';
import { headerKey, text, type Cell, type Grid } from '../../core/table';
import { cellFromExcel, isBlank } from './workbook-cells';

/** The last row (1-based) holding any value; 1 when the tab has only its header. Formatting alone does not count. */
export function lastUsedRow(ws: Worksheet): number {
  for (let r = ws.rowCount; r > 1; r--) {
    if (rowHasValues(ws.findRow(r))) return r;
  }
  return 1;
}

function rowHasValues(row: Row | undefined): boolean {
  if (!row) return false;
  let found = false;
  row.eachCell((cell) => {
    if (!found && !isBlank(cellFromExcel(cell.value))) found = true;
  });
  return found;
}

export function kindsByHeader(columns: readonly ColumnSpec[]): Map<string, CellKind> {
  return new Map(columns.map((c) => [headerKey(c.header), c.kind]));
}

/** The tab as a Grid: header row plus every row down to the last one holding a value, cells normalised. */
export function readGrid(ws: Worksheet, columns: readonly ColumnSpec[]): Grid {
  const last = lastUsedRow(ws);
  const kindOfHeader = kindsByHeader(columns);
  let width = 0;
  const raw: Cell[][] = [];
  for (let r = 1; r <= last; r++) {
    const row = ws.findRow(r);
    const cells: Cell[] = [];
    row?.eachCell((cell, c) => {
      cells[c - 1] = cell.value as never; // normalised below, once the kinds are known
      width = Math.max(width, c);
    });
    raw.push(cells);
  }
  const headerCells = raw[0] ?? [];
  const headers: string[] = [];
  for (let c = 0; c < width; c++) headers.push(text(cellFromExcel(headerCells[c] as never)));
  const kinds = headers.map((h) => kindOfHeader.get(headerKey(h)));
  const rows = raw.slice(1).map((cells) => {
    const out: Cell[] = new Array(width);
    for (let c = 0; c < width; c++) out[c] = cellFromExcel(cells[c] as never, kinds[c]);
    return out;
  });
  return { headers, rows };
}
