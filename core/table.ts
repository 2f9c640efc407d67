/**
 * Tabs as grids of cells, and the mapping between a grid row and a typed record. Columns are found by
 * header text, so staff can reorder columns or add their own without breaking anything.
 */
import { CreditDeskError } from './errors';
import { accountText } from './ids';
import { fromSheetValue, toSheetNumber } from './money';
import { isStatus } from './status';
import type { Credit } from './credit';
import {
  CREDIT_COLUMNS,
  TABS,
  type CreditField,
  type CreditFieldOfKind,
  type LedgerField,
  type TabId,
} from './sheet-contract';

/** A spreadsheet cell value as both Google Sheets (unformatted) and ExcelJS give it, after adapters turn dates into ISO text. */
export type Cell = string | number | boolean | null;

export interface Grid {
  headers: string[];
  /** Data rows in sheet order; rows[i] is sheet row i + 2 (row 1 is the header). */
  rows: Cell[][];
  /** For a grid read from a file: the line each data row starts on (blank lines and multi-line cells shift it). */
  lines?: number[];
}

export type ColumnIndex<F extends string> = Record<F, number>;

/** How a header cell is matched to a contract header: trimmed, case ignored ("credit id " is "Credit ID"). */
export function headerKey(header: Cell | undefined): string {
  return text(header).toLowerCase();
}

/**
 * Where one contract column is in a header row, matched as indexColumns matches it, or -1 when it is missing: for
 * a reader that can do without the column (indexColumns refuses a missing one).
 */
export function columnAt(tab: TabId, headers: readonly unknown[], field: string): number {
  const col = TABS[tab].columns.find((c) => c.field === field);
  if (!col) throw new Error(`The ${tab} tab has no contract column ${field}.`);
  const want = headerKey(col.header);
  return headers.findIndex((h) => headerKey(h as Cell) === want);
}

/**
 * Finds each contract column in a header row. Missing headers are an error that names them; extra
 * headers (staff columns) are fine.
 */
export function indexColumns<F extends string>(tab: TabId, headers: readonly Cell[]): ColumnIndex<F> {
  const spec = TABS[tab];
  const positions = new Map<string, number>();
  headers.forEach((h, i) => {
    const key = headerKey(h);
    if (key && !positions.has(key)) positions.set(key, i);
  });
  const index = {} as Record<string, number>;
  const missing: string[] = [];
  for (const col of spec.columns) {
    const at = positions.get(headerKey(col.header));
    if (at === undefined) missing.push(col.header);
    else index[col.field] = at;
  }
  if (missing.length) {
    throw new CreditDeskError(
      'BAD_SHEET',
      `The ${spec.name} tab is missing the column${missing.length > 1 ? 's' : ''} ${missing.map((m) => `"${m}"`).join(', ')}.`,
      `Restore the header${missing.length > 1 ? 's' : ''} in row 1 of ${spec.name} (a renamed header counts as missing).`,
    );
  }
  return index as ColumnIndex<F>;
}

export function text(cell: Cell | undefined): string {
  if (cell === null || cell === undefined) return '';
  if (typeof cell === 'number') return String(cell);
  return String(cell).trim();
}

/**
 * The Credits fields both the Credits tab and the Ledger tab hold as plain text, from the contract: the Ledger's
 * credit columns of kind text or date, but for the Key and the Currency, which each tab's reader parses (with the
 * money and the status) before the rest of the row is read.
 */
type CreditTextField = Exclude<Extract<LedgerField, CreditFieldOfKind<'text' | 'date'>>, 'key' | 'currency'>;

/** What each tab's reader parses (and checks, with its own message) before the row's text fields are read. */
export interface ParsedCreditCells<S extends string> {
  key: string;
  amount: number;
  currency: string;
  status: S;
  distributorKeeps: number | null;
}

/** A credit's cells that both tabs hold: the parsed ones and the text ones. */
type CreditRowCells<S extends string> = ParsedCreditCells<S> & Pick<Credit, CreditTextField>;

/**
 * A credit from a row of either tab — one mapping, so the Credits reader, the Ledger reader and the Audit's
 * adoption of a collected row (sync-service/reconcile-step.ts) cannot drift apart: accounts padded back to 12
 * digits, the description kept exactly (spaces and line breaks are the CUR's). Each reader adds its tab's own
 * fields to the object it returns.
 */
export function creditOfRow<S extends string>(
  row: readonly Cell[],
  idx: Record<CreditTextField, number>,
  parsed: ParsedCreditCells<S>,
): CreditRowCells<S> {
  // One object literal naming every field, so a text column the contract gains and this lacks does not compile
  // (a cast here once let a forgotten field read `undefined`). Built in one go, never `{ ...parsed, … }`: that is
  // V8's slow object-spread path, ten times this function's cost at 50,000 rows (0.6 s of every workbook command).
  const d = row[idx.description];
  return {
    key: parsed.key,
    amount: parsed.amount,
    currency: parsed.currency,
    status: parsed.status,
    distributorKeeps: parsed.distributorKeeps,
    creditId: text(row[idx.creditId]),
    period: text(row[idx.period]),
    accountId: accountText(row[idx.accountId]),
    payerAccountId: accountText(row[idx.payerAccountId]),
    customerId: text(row[idx.customerId]),
    assetId: text(row[idx.assetId]),
    resellerId: text(row[idx.resellerId]),
    service: text(row[idx.service]),
    description: d === null || d === undefined ? '' : String(d),
    allocation: text(row[idx.allocation]),
    ruleId: text(row[idx.ruleId]),
    usageFileId: text(row[idx.usageFileId]),
    usageRecordId: text(row[idx.usageRecordId]),
    processingDate: text(row[idx.processingDate]),
  };
}

/** Reads a Credits row. Returns null for a row without a key (a blank or staff-inserted row). */
export function creditFromRow(
  row: readonly Cell[],
  idx: ColumnIndex<CreditField>,
  sheetRow: number,
): Credit | null {
  const key = text(row[idx.key]);
  if (!key) return null;
  const status = text(row[idx.status]) || 'PENDING_ASSIGN';
  const where = `Credits row ${sheetRow}`;
  if (!isStatus(status)) {
    throw new CreditDeskError(
      'BAD_SHEET',
      `${where}: Status "${status}" is not a status.`,
      'Use PENDING_ASSIGN, ASSIGNED, PROCESSING or PROCESSED (pick from the dropdown).',
    );
  }
  const currency = text(row[idx.currency]) || 'USD';
  let amount: number;
  try {
    amount = fromSheetValue(row[idx.amount], currency);
  } catch (e) {
    throw new CreditDeskError(
      'BAD_SHEET',
      `${where}: the Amount cell is unreadable (${(e as Error).message.split('\n')[0]}).`,
      'Restore the amount; the next sync rewrites it for unlocked rows.',
    );
  }
  const keepsCell = row[idx.distributorKeeps];
  let keeps: number | null = null;
  try {
    keeps =
      keepsCell === null || keepsCell === undefined || keepsCell === ''
        ? null
        : fromSheetValue(keepsCell, currency);
  } catch (e) {
    throw new CreditDeskError(
      'BAD_SHEET',
      `${where}: the Distributor Keeps cell is unreadable (${(e as Error).message.split('\n')[0]}).`,
      'Clear it or restore the amount; assigning the credit again recomputes it.',
    );
  }
  const notes = row[idx.notes];
  // The Credits tab's own columns (the Ledger has none of them); a column added to the tab alone is named here by
  // the type checker, as the result would not be a Credit.
  return Object.assign(creditOfRow(row, idx, { key, amount, currency, status, distributorKeeps: keeps }), {
    flags: text(row[idx.flags]),
    notes: notes === null || notes === undefined ? '' : String(notes),
    lastChange: text(row[idx.lastChange]),
  });
}

/** The cell value each credit field is written as. Money becomes a number; everything else text. */
export function creditCell(credit: Credit, field: CreditField): Cell {
  switch (field) {
    case 'amount':
      return toSheetNumber(credit.amount, credit.currency);
    case 'distributorKeeps':
      return credit.distributorKeeps === null ? '' : toSheetNumber(credit.distributorKeeps, credit.currency);
    default: {
      // Every other column is text (core/credit.ts checks each field against its column's kind): a money column
      // added to the contract fails to compile here until it has its case above.
      const cell: string = credit[field];
      return cell;
    }
  }
}

export function creditToCells(credit: Credit): Record<CreditField, Cell> {
  const out = {} as Record<CreditField, Cell>;
  for (const c of CREDIT_COLUMNS) out[c.field] = creditCell(credit, c.field);
  return out;
}

/** Places a record on a header row: contract columns by header, staff columns left empty. */
export function recordToRow<F extends string>(
  record: Partial<Record<F, Cell>>,
  idx: ColumnIndex<F>,
  width: number,
): Cell[] {
  const row: Cell[] = new Array(width).fill('');
  for (const [field, at] of Object.entries(idx) as [F, number][]) {
    const v = record[field];
    if (v !== undefined) row[at] = v;
  }
  return row;
}

/** Reads a whole tab into records keyed by field, remembering each one's sheet row number. */
export function readRecords<F extends string>(
  tab: TabId,
  grid: Grid,
): { row: number; record: Record<F, Cell> }[] {
  const idx = indexColumns<F>(tab, grid.headers);
  const out: { row: number; record: Record<F, Cell> }[] = [];
  grid.rows.forEach((cells, i) => {
    if (cells.every((c) => c === null || c === '')) return;
    const record = {} as Record<F, Cell>;
    for (const [field, at] of Object.entries(idx) as [F, number][]) record[field] = cells[at] ?? '';
    out.push({ row: i + 2, record });
  });
  return out;
}
