/**
 * What the Google Sheets sink reads again under its lock just before it writes, and no more (issue #25: a
 * one-credit command used to re-read five whole columns, 5.7 MB at 50,000 credits).
 *
 * - The header row, and where the write's rows are (core/write-contract.ts rule 1: by Key at write time). A write
 *   that appends no row and repairs none (`assign`, `unassign`, apply-rules, collect, close) re-reads only the
 *   Key cells of the rows it updates, where the sink last saw them, and the Key column from the tab's last row
 *   down (nothing moved into or below it): if every one is where it was, the rows are located without the whole
 *   Key column (0.95 MB on the wire at 50,000 credits; docs/decisions/0022). If one moved (a sort, an insert or a
 *   delete since the read), or an update's Key was never seen, the whole Key column is read, as before. A write
 *   with new rows reads the whole column: a new row is appended only if its Key is absent everywhere (rule 5).
 * - Status and Allocation only on the rows of the updates that carry an `expect` (rule 2's compare-and-set),
 *   one range per run of consecutive rows; past MAX_ROW_RUNS runs, the two columns whole.
 * - The Credit ID column only when there are row repairs, the Ledger's Key and Status only when the Ledger
 *   changes, and of the Audit tab only the rows from the last one seen down (where the appends start).
 *
 * The protection plan needs every row's Status. Located the narrow way, the Status column is read whole (3 KB on
 * the wire at 50,000 credits, decision 0019's table): protection follows the cells as they are at write time,
 * wherever rows moved. Located by the whole Key column, rows not re-read take the Status the sink last read or
 * wrote for their Key (`SeenRows`). That holds because a locked Status is only ever set by a writer that holds the
 * sync lock (which this run holds); a Status typed by hand into an untouched row since the read is
 * reconciled by the next run, as before. Whenever the Key column shows rows the sink cannot vouch for (a blank
 * or unknown Key, fewer rows than seen, rows deleted at the Audit's end), the columns are read whole, as before.
 */
import type { sheets_v4 } from '@googleapis/sheets';
import { ledgerUpdatesNameIds } from '../../../core/ledger-placement';
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
  /** Each data row's Key as text ('' for a keyless row), in sheet order: where the narrow re-read looks. */
  keys: string[];
  /** Data rows of the Audit tab. */
  auditRows: number;
}

export interface Reread {
  /** The Credits header row as it is now. */
  header: readonly unknown[];
  /** The Key column, header first; undefined when the rows were located without it (seenPlaces). */
  keyValues: Values;
  /** Each data row's Key as text, in sheet order: re-read, or (located narrowly) where the sink last saw it. */
  keys: string[];
  /** The Credit ID column, header first; only when the change set has row repairs. */
  idValues?: Values;
  /** The Ledger's Key and Status columns, header first; only when the change set changes the Ledger. */
  ledgerKey?: Values;
  ledgerStatus?: Values;
  /** The Ledger's Credit ID column, header first; only when a Ledger update names a row by it. */
  ledgerId?: Values;
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

/**
 * Where the updated rows were when the sink last read or wrote (key → 0-based data row), when the write may be
 * located without the whole Key column: no appends, no row repairs, every update's Key seen, a last row with a
 * Key inside the grid, and few enough runs of rows. Null: read the whole Key column.
 */
function seenPlaces(
  changes: ChangeSet,
  seen: SeenRows | null,
  creditGridRows: number,
): Map<string, number> | null {
  if (!seen || changes.appends.length || (changes.rowRepairs ?? []).length) return null;
  const last = seen.creditRows; // the last data row's sheet row index (the header is row 0)
  if (last < 1 || last >= creditGridRows || !seen.keys[last - 1]) return null;
  const wanted = new Set(changes.updates.map((u) => u.key));
  const places = new Map<string, number>();
  if (wanted.size) seen.keys.forEach((k, r) => wanted.has(k) && places.set(k, r));
  if (places.size < wanted.size || rowRuns(places.values()).length > MAX_ROW_RUNS) return null;
  return places;
}

export async function rereadForWrite(
  gw: SheetsGateway,
  tabs: RereadTabs,
  changes: ChangeSet,
  seen: SeenRows | null,
  /** The Audit grid's row count now (spreadsheets.get): a start past it would be outside the grid. */
  auditGridRows: number,
  /** The Credits grid's row count now: the last row seen must still be inside it to be re-read narrowly. */
  creditGridRows: number,
): Promise<Reread> {
  const { credits, audit, ledger } = tabs;
  const repairs = (changes.rowRepairs ?? []).length > 0;
  const ledgerWork = !!changes.ledger && changes.ledger.appends.length + changes.ledger.updates.length > 0;
  const auditWork = changes.audit.length > 0;
  const places = seenPlaces(changes, seen, creditGridRows);
  // Located narrowly: the updates' Key cells (one range per run of rows), the Key column from the last row seen
  // down, and the guarded cells of the rows whose update carries an `expect` — all in this one request.
  const keyRuns = places ? rowRuns(places.values()) : [];
  const expectRuns = places
    ? rowRuns(changes.updates.filter((u) => u.expect).map((u) => places.get(u.key)!))
    : [];
  const { status: sc, allocation: ac } = credits.idx;
  const c0 = Math.min(sc, ac);
  const c1 = Math.max(sc, ac) + 1;
  const ranges = [
    a1Row(credits.title, 0),
    places
      ? a1ColumnFrom(credits.title, credits.idx.key, seen!.creditRows)
      : a1Column(credits.title, credits.idx.key),
  ];
  if (places) ranges.push(a1Column(credits.title, sc));
  if (repairs) ranges.push(a1Column(credits.title, credits.idx.creditId));
  // The Ledger's Credit ID column too only when an update names a row by it (core/ledger-placement.ts).
  const ledgerIds = ledgerWork && ledgerUpdatesNameIds(changes.ledger);
  if (ledgerWork)
    ranges.push(a1Column(ledger.title, ledger.idx.key), a1Column(ledger.title, ledger.idx.status));
  if (ledgerIds) ranges.push(a1Column(ledger.title, ledger.idx.creditId));
  // From the last Audit row seen (or the header) down: what was appended since, and a check that it is still
  // there. Rows deleted since may have shrunk the grid below that row: then the column whole, never a range
  // outside the grid.
  const tailFrom = seen?.auditRows ?? 0;
  const tail = auditWork && tailFrom < auditGridRows;
  if (tail) ranges.push(a1ColumnFrom(audit.title, audit.idx.when, tailFrom));
  const fixed = ranges.length;
  for (const [r0, r1] of keyRuns)
    ranges.push(a1Range(credits.title, r0 + 1, credits.idx.key, r1 + 1, credits.idx.key + 1));
  for (const [r0, r1] of expectRuns) ranges.push(a1Range(credits.title, r0 + 1, c0, r1 + 1, c1));
  const got = (
    await gw.batchGet(
      places
        ? 're-reading the header and the Key cells of the rows to write'
        : 're-reading the header and Key column',
      ranges,
      true,
    )
  ).map(rowsOf);
  let i = places ? 3 : 2;
  const idValues = repairs ? got[i++]?.values : undefined;
  const [ledgerKey, ledgerStatus] = ledgerWork ? [got[i++]?.values, got[i++]?.values] : [];
  const ledgerId = ledgerIds ? got[i++]?.values : undefined;
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

  if (places) {
    const located = locatedNarrowly(got, fixed, keyRuns, expectRuns, seen!, places);
    if (located)
      return {
        header: got[0]?.values?.[0] ?? [],
        keyValues: undefined,
        idValues,
        ledgerKey,
        ledgerStatus,
        ledgerId,
        auditRows,
        ...located,
        guarded: (f, row) => located.fresh.get(row)?.[(f === 'status' ? sc : ac) - c0] ?? null,
      };
  }
  // A row moved since the sink saw it (or it cannot tell): the whole Key column, in a request of its own when
  // the first one looked narrowly.
  const keyValues = places
    ? (
        await gw.batchGet(
          're-reading the Key column (a row moved)',
          [a1Column(credits.title, credits.idx.key)],
          true,
        )
      ).map(rowsOf)[0]?.values
    : got[1]?.values;
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
    keys: keys.map((k) => text(k)),
    idValues,
    ledgerKey,
    ledgerStatus,
    ledgerId,
    keyRows,
    auditRows,
  };
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
  const fresh = new Map<number, Cell[]>();
  if (runs.length) {
    const cells = await gw.batchGet(
      're-reading the Status and Allocation of the rows to write',
      runs.map(([r0, r1]) => a1Range(credits.title, r0 + 1, c0, r1 + 1, c1)),
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
 * The narrow re-read checked against what the sink saw: every update's Key cell holds its Key where it was, and
 * the Key column from the last row seen down is that row's Key alone (no row inserted, deleted or sorted into
 * the places the write looks at, nothing with a Key below). Null when one moved: the caller reads the whole column.
 */
function locatedNarrowly(
  got: sheets_v4.Schema$ValueRange[],
  fixed: number,
  keyRuns: readonly [number, number][],
  expectRuns: readonly [number, number][],
  seen: SeenRows,
  places: ReadonlyMap<string, number>,
):
  | (Pick<Reread, 'keys' | 'keyRows' | 'creditRows' | 'statuses'> & {
      fresh: Map<number, Cell[]>;
    })
  | null {
  const tail = (got[1]?.values ?? []).map((r) => text((r?.[0] ?? null) as Cell));
  if (tail.length !== 1 || tail[0] !== seen.keys[seen.creditRows - 1]) return null;
  for (let k = 0; k < keyRuns.length; k++) {
    const [r0, r1] = keyRuns[k];
    const values = got[fixed + k]?.values ?? [];
    for (let r = r0; r < r1; r++)
      if (text((values[r - r0]?.[0] ?? null) as Cell) !== seen.keys[r]) return null;
  }
  const fresh = new Map<number, Cell[]>();
  expectRuns.forEach(([r0, r1], k) => {
    const values = got[fixed + keyRuns.length + k]?.values ?? [];
    for (let r = r0; r < r1; r++) fresh.set(r, (values[r - r0] ?? []) as Cell[]);
  });
  // Every row's Status as it is now (the column read whole), for the protection plan.
  const status = dataCells(got[2]?.values);
  const creditRows = Math.max(seen.creditRows, status.length);
  return {
    keys: Array.from({ length: creditRows }, (_, r) => seen.keys[r] ?? ''),
    keyRows: new Map(places),
    creditRows,
    statuses: Array.from({ length: creditRows }, (_, r) => text(status[r] ?? null)),
    fresh,
  };
}

/**
 * What the sink knows after a write: the Key column re-read, with the Keys it repaired and appended, and every
 * row's Status after the write (`statuses`, in row order, appended rows last).
 */
export function seenAfterWrite(
  keysNow: readonly string[],
  repaired: readonly { repair: { fields: Partial<Record<CreditField, Cell>> }; row: number }[],
  appended: readonly { key: Cell }[],
  statuses: readonly string[],
  auditRows: number,
): SeenRows {
  const keys = Array.from({ length: statuses.length }, (_, i) => keysNow[i] ?? '');
  for (const { repair, row } of repaired) if (repair.fields.key) keys[row] = text(repair.fields.key);
  const firstNew = statuses.length - appended.length;
  appended.forEach((a, i) => (keys[firstNew + i] = text(a.key)));
  const statusByKey = new Map<string, string>();
  keys.forEach((k, i) => {
    if (k) statusByKey.set(k, statuses[i] ?? '');
  });
  return { statusByKey, creditRows: statuses.length, keys, auditRows };
}

/** What read() saw: every credit's Status by Key, and both tabs' row counts. */
export function seenInRead(
  credits: { headers: string[]; rows: Cell[][] },
  idx: ColumnIndex<CreditField>,
  auditRows: number,
): SeenRows {
  const statusByKey = new Map<string, string>();
  const keys: string[] = [];
  for (const row of credits.rows) {
    const k = text(row[idx.key]);
    keys.push(k);
    if (k) statusByKey.set(k, text(row[idx.status]));
  }
  return { statusByKey, creditRows: credits.rows.length, keys, auditRows };
}
