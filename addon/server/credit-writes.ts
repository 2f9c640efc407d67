/**
 * Writing assignment changes back to the Credits tab: only the columns the assignment owns (Status,
 * Allocation, Distributor Keeps, Rule, Last Change) — plus Flags when the core changed them (assigning
 * clears the "review the amount" flag) — in as few rectangles as the sheet's shape allows, never over a
 * PROCESSING/PROCESSED row.
 */
import type { Credit } from '../../core/credit';
import { isLocked } from '../../core/status';
import { creditFieldsOwnedBy, type CreditField } from '../../core/sheet-contract';
import { creditCell } from '../../core/table';
import { writeBlocks } from '../services/tabs';
import type { CreditsTab } from './workbook';
import { planRects, rectValues } from './write-plan';

export const ASSIGNMENT_FIELDS: CreditField[] = creditFieldsOwnedBy('assignment');

/** Sheet rows of PROCESSING/PROCESSED credits: no write may cover them. */
export function lockedRows(tab: CreditsTab): Set<number> {
  return new Set(tab.credits.filter((c) => isLocked(c.credit.status)).map((c) => c.row));
}

/** Writes the assignment columns of the changed credits; returns how many setValues calls it took. */
export function writeAssignments(tab: CreditsTab, changed: { row: number; credit: Credit }[]): number {
  if (changed.length === 0) return 0;
  const before = new Map(tab.credits.map((c) => [c.row, c.credit]));
  const flagsChanged = changed.some(({ row, credit }) => before.get(row)?.flags !== credit.flags);
  const fields: CreditField[] = flagsChanged ? [...ASSIGNMENT_FIELDS, 'flags'] : ASSIGNMENT_FIELDS;
  const columns = fields.map((f) => tab.idx[f] + 1);
  const patch = new Map<number, Map<number, unknown>>();
  for (const { row, credit } of changed) {
    patch.set(row, new Map(fields.map((f) => [tab.idx[f] + 1, creditCell(credit, f)])));
  }
  const rects = planRects(patch.keys(), columns, lockedRows(tab));
  writeBlocks(
    tab.sheet,
    rects.map((r) => ({ row: r.row, col: r.col, values: rectValues(r, tab.raw, patch) })),
  );
  // Keep the in-memory copy current, so a later step of the same action sees what the sheet now holds.
  for (const [row, cells] of patch) for (const [col, v] of cells) tab.raw[row - 1][col - 1] = v;
  return rects.length;
}
