/**
 * What the Google Sheets sink reads again under its lock just before it writes, and no more (issue #25: a
 * one-credit command used to re-read five whole columns, 5.7 MB at 50,000 credits).
 *
 * - The header row and the Key column, always: rows are found by Key at write time (core/write-contract.ts rule
 *   1) and a new row is appended only if its Key is still absent (rule 5).
 * - Status and Allocation only on the rows of the updates that carry an `expect` (rule 2's compare-and-set),
 *   one range per run of consecutive rows; past MAX_ROW_RUNS runs, the two columns whole.
 * - The Credit ID column only when there are row repairs, the Ledger's Key and Status only when the Ledger
 *   changes, and of the Audit tab only the rows from the last one seen down (where the appends start).
 *
 * The protection plan needs every row's Status: rows not re-read take the Status the sink last read or wrote
 * for their Key (`SeenRows`). That holds because a locked Status is only ever set by a writer that holds the
 * sync lock (which this run holds); a Status typed by hand into an untouched row since the read is
 * reconciled by the next run, as before. Whenever the Key column shows rows the sink cannot vouch for (a blank
 * or unknown Key, fewer rows than seen, rows deleted at the Audit's end), the columns are read whole, as before.
 */
import type { sheets_v4 } from '@googleapis/sheets';
import type { ChangeSet, GuardedField } from '../../../core/sheet-changes';
import type { AuditField, CreditField, LedgerField } from '../../../core/sheet-contract';
import { text, type Cell, type ColumnIndex } from '../../../core/table';
import { a1Column, a1ColumnFrom, a1Range, a1Row } from './sheets-a1';
import { rowsOf, type SheetsGateway } from './sheets-gateway';
import { keyRowsFrom } from './sheets-writes';

type Values = sheets_v4.Schema$ValueRange['values'];

/** Past this many runs of touched rows, Status and Allocation are read whole (one range each). */
export const MAX_ROW_RUNS = 100;

/** What the sink last read or wrote of the Credits and Audit tabs; null when it cannot tell (after an archive). */
export interface SeenRows {
  /** The Status of every credit, by Key. */
  statusByKey: Map<string, string>;
  /** Data rows of the Credits tab (keyless ones included). */
  creditRows: number;
  /** Data rows of the Audit tab. */
  auditRows: number;
}

export interface Reread {
  /** The Credits header row as it is now. */
  header: readonly unknown[];
  /** The Key column, header first. */
  keyValues: Values;
  /** The Credit ID column, header first; only when the change set has row repairs. */
  idValues?: Values;
  /** The Ledger's Key and Status columns, header first; only when the change set changes the Ledger. */
  ledgerKey?: Values;
  ledgerStatus?: Values;
  /** Key → 0-based data row, from the Key column. */
  keyRows: Map<string, number>;
  /** Data rows of the Credits tab: appends start after them. */
  creditRows: number;
  /** Data rows of the Audit tab: its appends start after them. */
  auditRows: number;
  /** The cell now in a guarded column of data row `row` (0-based), for the rows the compare-and-set needs. */
  guarded(field: GuardedField, row: number): Cell | undefined;
  /** Every data row's Status now, as text. */
  statuses: string[];
}

export interface RereadTabs {
  credits: { title: string; idx: ColumnIndex<CreditField> };
  audit: { title: string; idx: ColumnIndex<AuditField> };
  ledger: { title: string; idx: ColumnIndex<LedgerField> };
}

/** Consecutive 0-based rows as [start, end) runs. */
export function rowRuns(rows: Iterable<number>): [number, number][] {
  const sorted = [...new Set(rows)].sort((a, b) => a - b);
  const runs: [number, number][] = [];
  for (const r of sorted) {
    const last = runs[runs.length - 1];
    if (last && last[1] === r) last[1] = r + 1;
    else runs.push([r, r + 1]);
  }
  return runs;
}

const dataCells = (values: Values) => (values ?? []).slice(1).map((r) => (r?.[0] ?? null) as Cell);

/** Whether every data row of the Key column is a credit the sink saw, with no row fewer than it saw. */
function vouchedFor(keys: readonly Cell[], seen: SeenRows | null): boolean {
  if (!seen || keys.length < seen.creditRows) return false;
  return keys.every((k) => seen.statusByKey.has(text(k)));
}

export async function rereadForWrite(
  gw: SheetsGateway,
  tabs: RereadTabs,
  changes: ChangeSet,
  seen: SeenRows | null,
  /** The Audit grid's row count now (spreadsheets.get): a start past it would be outside the grid. */
  auditGridRows: number,
): Promise<Reread> {
  const { credits, audit, ledger } = tabs;
  const repairs = (changes.rowRepairs ?? []).length > 0;
  const ledgerWork = !!changes.ledger && changes.ledger.appends.length + changes.ledger.updates.length > 0;
  const auditWork = changes.audit.length > 0;
  const ranges = [a1Row(credits.title, 0), a1Column(credits.title, credits.idx.key)];
  if (repairs) ranges.push(a1Column(credits.title, credits.idx.creditId));
  if (ledgerWork)
    ranges.push(a1Column(ledger.title, ledger.idx.key), a1Column(ledger.title, ledger.idx.status));
  // From the last Audit row seen (or the header) down: what was appended since, and a check that it is still
  // there. Rows deleted since may have shrunk the grid below that row: then the column whole, never a range
  // outside the grid.
  const tailFrom = seen?.auditRows ?? 0;
  const tail = auditWork && tailFrom < auditGridRows;
  if (tail) ranges.push(a1ColumnFrom(audit.title, audit.idx.when, tailFrom));
  const got = (await gw.batchGet('re-reading the header and Key column', ranges, true)).map(rowsOf);
  let i = 2;
  const idValues = repairs ? got[i++]?.values : undefined;
  const [ledgerKey, ledgerStatus] = ledgerWork ? [got[i++]?.values, got[i++]?.values] : [];
  let auditRows = seen?.auditRows ?? 0;
  if (auditWork) {
    const fromTail = tail ? (got[i]?.values ?? []) : [];
    const stillThere = fromTail.length > 0 && text((fromTail[0]?.[0] ?? null) as Cell) !== '';
    if (stillThere) auditRows += fromTail.length - 1;
    else {
      const [whole] = (
        await gw.batchGet('re-reading the Audit tab (When)', [a1Column(audit.title, audit.idx.when)], true)
      ).map(rowsOf);
      auditRows = Math.max((whole?.values?.length ?? 1) - 1, 0);
    }
  }

  const keyValues = got[1]?.values;
  const keys = dataCells(keyValues);
  const keyRows = keyRowsFrom(keyValues ?? undefined, credits.title);
  const touched: number[] = [];
  for (const u of changes.updates) {
    const row = u.expect ? keyRows.get(u.key) : undefined;
    if (row !== undefined) touched.push(row);
  }
  const runs = rowRuns(touched);
  // What both ways of reading the guarded cells return alike.
  const read = {
    header: got[0]?.values?.[0] ?? [],
    keyValues,
    idValues,
    ledgerKey,
    ledgerStatus,
    keyRows,
    auditRows,
  };
  const { status: sc, allocation: ac } = credits.idx;
  // Row repairs move Keys (the Key column shows them as they were): the whole columns, as before.
  if (repairs || !vouchedFor(keys, seen) || runs.length > MAX_ROW_RUNS) {
    const [st, al] = (
      await gw.batchGet(
        're-reading the Status and Allocation columns',
        [a1Column(credits.title, sc), a1Column(credits.title, ac)],
        true,
      )
    ).map(rowsOf);
    const status = dataCells(st?.values);
    const allocation = dataCells(al?.values);
    const creditRows = Math.max(keys.length, status.length, allocation.length);
    return {
      ...read,
      creditRows,
      guarded: (f, row) => (f === 'status' ? status : allocation)[row],
      statuses: Array.from({ length: creditRows }, (_, r) => text(status[r] ?? null)),
    };
  }

  // Both guarded cells of each touched row, one range per run of consecutive rows.
  const c0 = Math.min(sc, ac);
  const fresh = new Map<number, Cell[]>();
  if (runs.length) {
    const cells = await gw.batchGet(
      're-reading the Status and Allocation of the rows to write',
      runs.map(([r0, r1]) => a1Range(credits.title, r0 + 1, c0, r1 + 1, Math.max(sc, ac) + 1)),
    );
    runs.forEach(([r0, r1], k) => {
      for (let r = r0; r < r1; r++) fresh.set(r, (cells[k]?.values?.[r - r0] ?? []) as Cell[]);
    });
  }
  const cell = (row: number, col: number): Cell => fresh.get(row)?.[col - c0] ?? null;
  return {
    ...read,
    creditRows: keys.length,
    guarded: (f, row) => cell(row, f === 'status' ? sc : ac),
    statuses: keys.map((k, r) => (fresh.has(r) ? text(cell(r, sc)) : seen!.statusByKey.get(text(k))!)),
  };
}

/**
 * What the sink knows after a write: the Key column re-read, with the Keys it repaired and appended, and every
 * row's Status after the write (`statuses`, in row order, appended rows last).
 */
export function seenAfterWrite(
  keyValues: Values,
  repaired: readonly { repair: { fields: Partial<Record<CreditField, Cell>> }; row: number }[],
  appended: readonly { key: Cell }[],
  statuses: readonly string[],
  auditRows: number,
): SeenRows {
  const keys = dataCells(keyValues).map((k) => text(k));
  for (const { repair, row } of repaired) if (repair.fields.key) keys[row] = text(repair.fields.key);
  const firstNew = statuses.length - appended.length;
  appended.forEach((a, i) => (keys[firstNew + i] = text(a.key)));
  const statusByKey = new Map<string, string>();
  keys.forEach((k, i) => {
    if (k) statusByKey.set(k, statuses[i] ?? '');
  });
  return { statusByKey, creditRows: statuses.length, auditRows };
}

/** What read() saw: every credit's Status by Key, and both tabs' row counts. */
export function seenInRead(
  credits: { headers: string[]; rows: Cell[][] },
  idx: ColumnIndex<CreditField>,
  auditRows: number,
): SeenRows {
  const statusByKey = new Map<string, string>();
  for (const row of credits.rows) {
    const k = text(row[idx.key]);
    if (k) statusByKey.set(k, text(row[idx.status]));
  }
  return { statusByKey, creditRows: credits.rows.length, auditRows };
}
