/**
 * What the workbook sink does for the Ledger (core/ledger.ts) and for reconciliation's row repairs
 * (core/reconcile.ts): kept apart from workbook.ts so that file only calls in.
 */
import type { Worksheet } from 'exceljs';
import { CreditDeskError } from '../../../core/errors';
import { ledgerUpdatesNameIds, placeLedgerChanges, type LedgerFields } from '../../../core/ledger-placement';
import type { RowRepair } from '../../../core/reconcile';
import {
  CREDIT_COLUMNS,
  creditHeader,
  LEDGER_COLUMNS,
  type CreditField,
  type LedgerField,
} from '../../../core/sheet-contract';
import { text, type Cell } from '../../../core/table';
import { cellFromExcel, excelValueFor } from '../../xlsx/workbook-cells';
import { columnOf, readHeaderIndex, type HeaderIndex } from './workbook-layout';
import { lastUsedRow } from '../../xlsx/worksheet-grid';
import type { LedgerChanges } from '../../../core/sheet-changes';

/**
 * Finds every repaired row (Credit ID and the Key as read; the row read there preferred) before writing any,
 * so a repair that no longer fits leaves the workbook as it was.
 */
export function applyRowRepairs(
  credits: Worksheet,
  headers: HeaderIndex,
  repairs: readonly RowRepair[],
  lastRow: number,
): void {
  if (!repairs.length) return;
  const col = (field: CreditField) => columnOf(credits, headers, creditHeader(field));
  const keyCol = col('key');
  const idCol = col('creditId');
  const cellText = (r: number, c: number) => text(cellFromExcel(credits.findRow(r)?.findCell(c)?.value));
  const fits = (r: number, x: RowRepair) =>
    cellText(r, idCol) === x.creditId && cellText(r, keyCol) === x.readKey;
  const targets = repairs.map((x) => {
    const hinted = x.sheetRow;
    if (hinted <= lastRow && fits(hinted, x)) return hinted;
    for (let r = 2; r <= lastRow; r++) if (fits(r, x)) return r;
    throw new CreditDeskError(
      'UNKNOWN_CREDIT',
      `The Credits row of ${x.creditId || 'a credit'} (Key "${x.readKey}") changed after it was read; nothing was written.`,
      'Run again: the next run reads the tab as it is now.',
    );
  });
  const kindOf = new Map(CREDIT_COLUMNS.map((c) => [c.field, c.kind]));
  repairs.forEach((x, i) => {
    const row = credits.getRow(targets[i]);
    for (const [field, value] of Object.entries(x.fields) as [CreditField, Cell][])
      row.getCell(col(field)).value = excelValueFor(value, kindOf.get(field));
  });
}

/**
 * Ledger rows appended, and updated by Key (and Credit ID when the update names one; only the named fields). An
 * update whose row is not there is an error.
 */
export function applyLedgerChanges(ledger: Worksheet, changes: LedgerChanges | undefined): void {
  if (!changes || (!changes.appends.length && !changes.updates.length)) return;
  const headers = readHeaderIndex(ledger);
  const col = (field: LedgerField) =>
    columnOf(ledger, headers, LEDGER_COLUMNS.find((c) => c.field === field)!.header);
  const kindOf = new Map(LEDGER_COLUMNS.map((c) => [c.field, c.kind]));
  const last = lastUsedRow(ledger);
  const cellAt = (r: number, f: LedgerField) =>
    text(cellFromExcel(ledger.findRow(r)?.findCell(col(f))?.value));
  const ids = ledgerUpdatesNameIds(changes);
  const placed = placeLedgerChanges(
    last - 1,
    (i) => ({
      key: cellAt(i + 2, 'key'),
      status: cellAt(i + 2, 'status'),
      ...(ids ? { creditId: cellAt(i + 2, 'creditId') } : {}),
    }),
    changes,
  );
  const write = (r: number, fields: LedgerFields) => {
    const row = ledger.getRow(r);
    for (const [field, value] of Object.entries(fields) as [LedgerField, Cell][])
      row.getCell(col(field)).value = excelValueFor(value, kindOf.get(field));
  };
  for (const [i, fields] of placed.edits) write(i + 2, fields);
  placed.appended.forEach((fields, n) => write(last + 1 + n, fields));
}
