/**
 * The shape of the workbook: which tabs exist, where each header is, which row holds which key. Columns are
 * found by header text (case and spaces ignored), so staff may reorder columns or add their own; a missing
 * contract tab or header is added (a header at the end of row 1), never moved.
 */
import type { Row, Workbook, Worksheet } from 'exceljs';
import { TABS, type ColumnSpec, type TabId } from '../../../core/sheet-contract';
import { configSeed } from '../../../core/desk-id';
import { newDeskId } from '../../new-desk-id';
import { indexKeys as indexKeyCells, planHeaders, TAB_ORDER } from '../../../core/sheet-layout';
import { headerKey, text, type Cell, type Grid } from '../../../core/table';
import { cellFromExcel, excelValueFor } from '../../xlsx/workbook-cells';
import { kindsByHeader, lastUsedRow } from '../../xlsx/worksheet-grid';

export type Seed = { accounts?: Grid; rules?: Grid };

/** Header text → 1-based column number, for the header row of a tab. */
export type HeaderIndex = Map<string, number>;

export function readHeaderIndex(ws: Worksheet): HeaderIndex {
  const index: HeaderIndex = new Map();
  ws.getRow(1).eachCell((cell, col) => {
    const key = headerKey(cellFromExcel(cell.value));
    if (key && !index.has(key)) index.set(key, col);
  });
  return index;
}

/** The column of a contract header, or an error naming the tab and header. */
export function columnOf(ws: Worksheet, headers: HeaderIndex, header: string): number {
  const col = headers.get(header.toLowerCase());
  if (col === undefined) throw new Error(`${ws.name} has no "${header}" column`); // ensureLayout added it; a bug if reached
  return col;
}

/**
 * Makes the workbook hold every contract tab with every contract header. A new tab gets the contract headers
 * (Config its default settings, Accounts/Rules the seed when given).
 */
export function ensureLayout(wb: Workbook, seed: Seed = {}): void {
  for (const tab of TAB_ORDER) {
    const spec = TABS[tab];
    const existing = wb.getWorksheet(spec.name);
    if (existing) addMissingHeaders(existing, tab);
    else createTab(wb, tab, seed);
  }
}

function createTab(wb: Workbook, tab: TabId, seed: Seed): void {
  const spec = TABS[tab];
  const ws = wb.addWorksheet(spec.name);
  const columns: readonly ColumnSpec[] = spec.columns;
  const seedGrid = tab === 'accounts' ? seed.accounts : tab === 'rules' ? seed.rules : undefined;
  const extra = (seedGrid?.headers ?? []).filter(
    (h) => text(h) && !columns.some((c) => headerKey(c.header) === headerKey(h)),
  );
  const headers = [...columns.map((c) => c.header), ...extra];
  writeRowValues(ws.getRow(1), headers);
  if (tab === 'config') configSeed(newDeskId()).forEach((r, i) => writeRowValues(ws.getRow(i + 2), r));
  if (seedGrid) writeGridRows(ws, headers, columns, seedGrid);
}

function writeRowValues(row: Row, values: string[]): void {
  values.forEach((v, i) => {
    row.getCell(i + 1).value = excelValueFor(v, 'text');
  });
}

/** Writes a grid's rows under `headers`, matching columns by header text. */
export function writeGridRows(
  ws: Worksheet,
  headers: string[],
  columns: readonly ColumnSpec[],
  grid: Grid,
): void {
  const target = headers.map(headerKey);
  const from = grid.headers.map((h) => headerKey(h));
  const kinds = kindsByHeader(columns);
  grid.rows.forEach((cells, i) => {
    const row = ws.getRow(i + 2);
    from.forEach((key, j) => {
      const col = target.indexOf(key);
      if (col < 0 || !key) return;
      const value = excelValueFor(cells[j], kinds.get(key));
      if (value !== null) row.getCell(col + 1).value = value;
    });
  });
}

function addMissingHeaders(ws: Worksheet, tab: TabId): void {
  const header: Cell[] = [];
  ws.getRow(1).eachCell((cell, c) => {
    header[c - 1] = cellFromExcel(cell.value);
  });
  const { missing } = planHeaders(
    tab,
    Array.from(header, (h) => h ?? null),
    lastUsedRow(ws) > 1,
  );
  for (const m of missing) ws.getRow(1).getCell(m.col + 1).value = m.spec.header;
}

/** Key text → sheet row (1-based) for every Credits row with a key. Duplicate keys are an error naming the rows. */
export function indexKeys(ws: Worksheet, keyCol: number, lastRow = lastUsedRow(ws)): Map<string, number> {
  const keys: Cell[] = [];
  for (let r = 2; r <= lastRow; r++) keys.push(cellFromExcel(ws.findRow(r)?.findCell(keyCol)?.value));
  const rows = new Map<string, number>();
  for (const [key, i] of indexKeyCells(keys, ws.name)) rows.set(key, i + 2);
  return rows;
}
