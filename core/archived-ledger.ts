/**
 * Archived credits in the Ledger tab. When `credit-desk archive` moves a credit out of the live sheet, its full
 * Ledger row goes to the archive with it; what the lifecycle still needs — the key (so the credit is never
 * imported again), the Credit ID (never issued again) and the usage file ID (never issued again) — stays in the
 * Ledger, packed: one row with Status ARCHIVED holds up to ARCHIVED_PER_ROW credits, one per line, the Key cell
 * listing their keys and the Credit ID cell their IDs in the same order.
 *
 * Why packed rather than one row per credit: Google counts every cell of a tab's grid, blank ones too, so a
 * Ledger row costs its 21 columns whatever it holds; one row per credit would keep the Ledger growing by ~420,000
 * cells a month at 20,000 credits. Packed, a month of 20,000 archived credits costs 23 rows.
 *
 * The sheet travels with itself (a fresh container each month has no local folder), so this list, not a file
 * beside the archive, is the durable record of "archived: keep out of the sheet".
 */
import type { LedgerField } from './sheet-contract';
import { indexColumns, text, type Cell, type Grid } from './table';

export const ARCHIVED_STATUS = 'ARCHIVED';

/**
 * Credits per packed row. A key is 35 characters (`k1-` + 32 hex) and a Credit ID 21; 800 keys and their line
 * breaks (28,800 characters) stay under Excel's 32,767 characters per cell, and so under Google's 50,000.
 */
export const ARCHIVED_PER_ROW = 800;

export interface ArchivedCredit {
  key: string;
  creditId: string;
  usageFileId: string;
}

export interface ArchivedSet {
  keys: Set<string>;
  creditIds: Set<string>;
  usageFileIds: Set<string>;
}

export function emptyArchivedSet(): ArchivedSet {
  return { keys: new Set(), creditIds: new Set(), usageFileIds: new Set() };
}

const lines = (cell: Cell | undefined) =>
  text(cell)
    .split(/\r?\n/)
    .map((s) => s.trim())
    .filter(Boolean);

/** Is this Ledger row a packed list of archived credits (and so not one collected credit)? */
export function isArchivedRow(row: readonly Cell[], statusAt: number): boolean {
  return text(row[statusAt]) === ARCHIVED_STATUS;
}

/** Every archived credit the Ledger tab lists. */
export function readArchivedLedger(grid: Grid): ArchivedSet {
  const out = emptyArchivedSet();
  if (grid.rows.length === 0) return out;
  const idx = indexColumns<LedgerField>('ledger', grid.headers);
  for (const row of grid.rows) {
    if (!isArchivedRow(row, idx.status)) continue;
    for (const k of lines(row[idx.key])) out.keys.add(k);
    for (const id of lines(row[idx.creditId])) out.creditIds.add(id);
    for (const id of lines(row[idx.usageFileId])) out.usageFileIds.add(id);
  }
  return out;
}

/** Union of archived sets (the Ledger's, and the archive folder's older archived-keys.tsv). */
export function unionArchived(
  ...sets: { keys?: Iterable<string>; creditIds?: Iterable<string>; usageFileIds?: Iterable<string> }[]
): ArchivedSet {
  const out = emptyArchivedSet();
  for (const s of sets) {
    for (const k of s.keys ?? []) out.keys.add(k);
    for (const id of s.creditIds ?? []) out.creditIds.add(id);
    for (const id of s.usageFileIds ?? []) out.usageFileIds.add(id);
  }
  return out;
}

/**
 * The packed Ledger rows for credits being archived (those already listed are left out, so a re-run after a
 * crash adds nothing twice). `note` goes in the Description cell, for a person who unhides the tab.
 */
export function archivedLedgerRows(
  credits: readonly ArchivedCredit[],
  already: ArchivedSet,
  note: string,
): Record<LedgerField, Cell>[] {
  const seen = new Set(already.keys);
  const fresh = credits.filter((c) => !seen.has(c.key) && (seen.add(c.key), true));
  const out: Record<LedgerField, Cell>[] = [];
  for (let i = 0; i < fresh.length; i += ARCHIVED_PER_ROW) {
    const chunk = fresh.slice(i, i + ARCHIVED_PER_ROW);
    const row = {} as Record<LedgerField, Cell>;
    row.key = chunk.map((c) => c.key).join('\n');
    row.creditId = chunk.map((c) => c.creditId).join('\n');
    row.usageFileId = [...new Set(chunk.map((c) => c.usageFileId).filter(Boolean))].join('\n');
    row.status = ARCHIVED_STATUS;
    row.description = `${note} (${chunk.length} credits: keys and Credit IDs one a line)`;
    out.push(row);
  }
  return out;
}
