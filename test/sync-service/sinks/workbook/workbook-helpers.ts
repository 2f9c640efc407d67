/** Shared setup for the workbook sink tests: credit rows, and ExcelJS access to the saved file. */
import ExcelJS from 'exceljs';
import { CREDIT_COLUMNS, type CreditField } from '../../../../core/sheet-contract';
import type { Cell, Grid } from '../../../../core/table';
import type { ChangeSet } from '../../../../core/sheet-changes';

export function credit(n: number, over: Partial<Record<CreditField, Cell>> = {}): Record<CreditField, Cell> {
  const base = Object.fromEntries(CREDIT_COLUMNS.map((c) => [c.field, ''])) as Record<CreditField, Cell>;
  return {
    ...base,
    creditId: `CR-${n}`,
    period: '2024-05',
    accountId: '000123456789',
    payerAccountId: '000987654321',
    service: 'AmazonEC2',
    description: `credit ${n}`,
    amount: 10 + n / 100,
    currency: 'USD',
    status: 'PENDING_ASSIGN',
    lastChange: '2024-06-01T10:00:00.000Z',
    key: `key-${n}`,
    ...over,
  };
}

export function changes(over: Partial<ChangeSet> = {}): ChangeSet {
  return { updates: [], appends: [], audit: [], ...over };
}

export async function loadWorkbook(path: string): Promise<ExcelJS.Workbook> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(path);
  return wb;
}

export function creditsSheet(wb: ExcelJS.Workbook): ExcelJS.Worksheet {
  const ws = wb.getWorksheet('Credits');
  if (!ws) throw new Error('no Credits tab');
  return ws;
}

/** 1-based column of a header in row 1. */
export function col(ws: ExcelJS.Worksheet, header: string): number {
  let found = 0;
  ws.getRow(1).eachCell((cell, c) => {
    if (cell.value === header) found = c;
  });
  if (!found) throw new Error(`no header ${header}`);
  return found;
}

/** The sheet row (1-based) whose Key cell holds `key`. */
export function rowOfKey(ws: ExcelJS.Worksheet, key: string): number {
  const keyCol = col(ws, 'Key');
  for (let r = 2; r <= ws.rowCount; r++) if (ws.getRow(r).getCell(keyCol).value === key) return r;
  throw new Error(`no row with key ${key}`);
}

/** A Grid's row as a header → value record, for readable assertions. */
export function record(grid: Grid, key: string): Record<string, Cell> {
  const keyAt = grid.headers.indexOf('Key');
  const row = grid.rows.find((r) => r[keyAt] === key);
  if (!row) throw new Error(`no row with key ${key}`);
  return Object.fromEntries(grid.headers.map((h, i) => [h, row[i]]));
}

/** The sheet protection ExcelJS read back (its typings omit the property). */
export function protectionOf(ws: ExcelJS.Worksheet): Record<string, unknown> | null {
  return (ws as unknown as { sheetProtection: Record<string, unknown> | null }).sheetProtection ?? null;
}

/**
 * A value with every Credit Desk ID (core/desk-id.ts) replaced by one placeholder: each new sheet draws its own
 * at random, so two sheets written the same way differ only there.
 */
export function withoutDeskIds<T>(value: T): T {
  if (typeof value === 'string') return (/^CD-[0-9a-f]{8}-[0-9a-f-]{27}$/.test(value) ? 'CD-…' : value) as T;
  if (Array.isArray(value)) return value.map((v) => withoutDeskIds(v)) as T;
  if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype)
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withoutDeskIds(v)])) as T;
  return value;
}
