/**
 * Removing archived rows from a Google Sheet, under the sync's lock: the Key column of Credits, the Credit ID
 * column of Audit and the Key and Status columns of the Ledger are read at that moment (staff may have sorted since the read), and the matching rows go in
 * one atomic batchUpdate of deleteDimension requests — contiguous rows as one range, bottom-up so earlier
 * deletions never shift the later ones. Protected ranges follow the deleted rows (Google moves them); the
 * write that follows re-plans them from the Status column anyway.
 */
import type { sheets_v4 } from '@googleapis/sheets';
import { ARCHIVED_STATUS } from '../../../core/archived-ledger';
import { text, type Cell } from '../../../core/table';
import { a1Column } from './sheets-a1';
import type { SheetsGateway } from './sheets-gateway';
import type { TabInfo } from './sheets-layout';
import type { RemoveRows } from '../../../core/sheet-changes';

/** 0-based sheet rows (the header, row 0, never) whose cell is in `wanted`. */
export function matchingRows(values: unknown[][] | null | undefined, wanted: ReadonlySet<string>): number[] {
  const rows: number[] = [];
  (values ?? []).forEach((r, i) => {
    if (i > 0 && wanted.has(text(r?.[0] as Cell))) rows.push(i);
  });
  return rows;
}

/** deleteDimension requests for these rows: adjacent rows merged into one range, the bottom range first. */
export function deleteRowRuns(sheetId: number, rows: readonly number[]): sheets_v4.Schema$Request[] {
  const sorted = [...new Set(rows)].sort((a, b) => b - a);
  const runs: { start: number; end: number }[] = [];
  for (const r of sorted) {
    const last = runs[runs.length - 1];
    if (last && last.start === r + 1) last.start = r;
    else runs.push({ start: r, end: r + 1 });
  }
  return runs.map((run) => ({
    deleteDimension: { range: { sheetId, dimension: 'ROWS', startIndex: run.start, endIndex: run.end } },
  }));
}

export async function removeArchivedRows(
  gw: SheetsGateway,
  tabs: {
    credits: TabInfo;
    audit: TabInfo;
    ledger: TabInfo;
    keyCol: number;
    auditIdCol: number;
    ledgerKeyCol: number;
    ledgerStatusCol: number;
  },
  remove: RemoveRows,
): Promise<{ credits: number; audit: number; ledger: number }> {
  const [keys, ids, ledgerKeys, ledgerStatus] = await gw.batchGet('finding the archived rows', [
    a1Column(tabs.credits.title, tabs.keyCol),
    a1Column(tabs.audit.title, tabs.auditIdCol),
    a1Column(tabs.ledger.title, tabs.ledgerKeyCol),
    a1Column(tabs.ledger.title, tabs.ledgerStatusCol),
  ]);
  const creditRows = matchingRows(keys?.values, new Set(remove.keys));
  const auditRows = matchingRows(ids?.values, new Set(remove.auditCreditIds));
  // The packed rows of archived credits stay, even one that lists a single key.
  const ledgerRows = matchingRows(ledgerKeys?.values, new Set(remove.ledgerKeys ?? [])).filter(
    (r) => text(ledgerStatus?.values?.[r]?.[0] as Cell) !== ARCHIVED_STATUS,
  );
  // One batchUpdate: Google applies all of it or none, so no credit is ever half-removed.
  const requests = [
    ...deleteRowRuns(tabs.credits.sheetId, creditRows),
    ...deleteRowRuns(tabs.audit.sheetId, auditRows),
    ...deleteRowRuns(tabs.ledger.sheetId, ledgerRows),
  ];
  if (requests.length) await gw.batchUpdate('removing archived rows', requests);
  return { credits: creditRows.length, audit: auditRows.length, ledger: ledgerRows.length };
}
