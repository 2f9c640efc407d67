/**
 * The Credits rows a one-credit command reads whole on a Google Sheet (ReadOptions.scope; issue #25: one `assign`
 * ≤ 1 MB down at 50,000 credits, docs/decisions/0026).
 *
 * The sink first downloads the Credit ID and Status columns (0.27 MB and 3 KB on the wire at 50,000 credits,
 * decision 0019's table), then whole only the rows that the command or the check against the usage record can
 * need: every row holding a Credit ID the command names, the Ledger tab holds, or the Audit's whole rows name
 * (collections, closes, reopenings, drift); every row whose Credit ID the Audit never issued (edited by hand, or
 * blank beside a Status); every row whose Status is not PENDING_ASSIGN or ASSIGNED (a locked row must be in a
 * usage record); and the tab's last row (where a write looks for rows added since). The other rows come blank:
 * to reconciliation a blank row is staff's and is left alone (core/reconcile.ts), so what it checks is exactly
 * these rows. Pure: the Credit IDs the Ledger and the Audit name, which rows, their ranges, and the grid put back
 * together.
 */
import type { AuditAction } from '../../../core/audit';
import { columnAt, text, type Cell, type Grid } from '../../../core/table';
import { AUDIT_WHOLE_ROWS } from '../sink';
import { a1Range } from './sheets-a1';

/** Past this many runs of rows, the deciding columns are read whole instead (the sheet is mostly in scope). */
export const MAX_SCOPE_RUNS = 200;

/**
 * Two runs of rows closer than this are read as one, the rows between them whole too: a month's collected
 * credits with the few left uncollected among them (one in nine at the big bench's month) is then one range,
 * not one per collected stretch. A row read whole is only checked more, never less.
 */
export const MERGE_GAP = 8;

/** Past this share of the tab's rows in scope, the deciding columns are read whole instead: as cheap, one step. */
export const MAX_SCOPE_SHARE = 0.75;

/**
 * The runs of rows to read whole, from the rows in scope: consecutive rows, runs less than MERGE_GAP rows apart
 * merged. Null when the read should take the deciding columns whole instead: more than MAX_SCOPE_RUNS runs, or
 * more than MAX_SCOPE_SHARE of the rows.
 */
export function scopeRuns(rows: readonly number[], height: number): [number, number][] | null {
  const runs: [number, number][] = [];
  for (const r of rows) {
    const last = runs[runs.length - 1];
    if (last && r - last[1] < MERGE_GAP) last[1] = r + 1;
    else runs.push([r, r + 1]);
  }
  const covered = runs.reduce((n, [r0, r1]) => n + r1 - r0, 0);
  return runs.length > MAX_SCOPE_RUNS || covered > height * MAX_SCOPE_SHARE ? null : runs;
}

/** Statuses a row outside every usage record may hold; any other Status puts the row in scope. */
const OPEN_STATUSES = new Set(['', 'PENDING_ASSIGN', 'ASSIGNED']);

export interface ScopeInput {
  /** The Credit ID column as read by columns, header cell first. */
  creditIds: readonly unknown[];
  /** The Status column, the same way. */
  statuses: readonly unknown[];
  /** Credit IDs whose rows come whole: the command's, the Ledger's, the Audit whole rows'. */
  wanted: ReadonlySet<string>;
  /** Every Credit ID the Audit tab shows issued. */
  issued: ReadonlySet<string>;
}

/** The data rows (0-based, ascending) to read whole, and the tab's data row count as these columns show it. */
export function scopedRows(input: ScopeInput): { rows: number[]; height: number } {
  const height = Math.max(input.creditIds.length, input.statuses.length, 1) - 1;
  const rows: number[] = [];
  for (let r = 0; r < height; r++) {
    const id = text((input.creditIds[r + 1] ?? null) as Cell);
    const status = text((input.statuses[r + 1] ?? null) as Cell);
    if (
      r === height - 1 ||
      !OPEN_STATUSES.has(status) ||
      (id ? input.wanted.has(id) || !input.issued.has(id) : status !== '')
    )
      rows.push(r);
  }
  return { rows, height };
}

/** One A1 range per run of consecutive data rows (0-based), every column of the header. */
export function scopeRanges(title: string, runs: readonly [number, number][], width: number): string[] {
  return runs.map(([r0, r1]) => a1Range(title, r0 + 1, 0, r1 + 1, Math.max(width, 1)));
}

/**
 * The tab as values (header row first, `height` data rows): the rows of each run from its range as Google
 * answers it (trailing empty rows and cells trimmed), every other row blank.
 */
export function valuesFromScope(
  header: readonly unknown[],
  height: number,
  runs: readonly [number, number][],
  ranges: readonly (readonly (readonly unknown[] | undefined)[] | null | undefined)[],
): unknown[][] {
  const width = header.length;
  const out: unknown[][] = [[...header]];
  for (let r = 0; r < height; r++) out.push(new Array<unknown>(width).fill(null));
  runs.forEach(([r0, r1], k) => {
    const got = ranges[k] ?? [];
    for (let r = r0; r < r1; r++) {
      const row = got[r - r0] ?? [];
      for (let c = 0; c < width; c++) out[r + 1][c] = row[c] ?? null;
    }
  });
  return out;
}

/** Every Credit ID of the Ledger tab's rows (any Status), or null when its Credit ID header is missing. */
export function ledgerCreditIds(grid: Grid): Set<string> | null {
  const at = columnAt('ledger', grid.headers, 'creditId');
  if (at < 0) return null;
  const out = new Set<string>();
  for (const row of grid.rows) {
    const id = text(row[at]);
    if (id) out.add(id);
  }
  return out;
}

/** The Credit IDs of the Audit rows a narrow read gives whole (AUDIT_WHOLE_ROWS and the command's auditDetail). */
export function auditWholeIds(grid: Grid | undefined, detail: readonly AuditAction[] = []): Set<string> {
  const out = new Set<string>();
  if (!grid) return out;
  const actions = new Set<string>([...AUDIT_WHOLE_ROWS, ...detail]);
  const id = columnAt('audit', grid.headers, 'creditId');
  const action = columnAt('audit', grid.headers, 'action');
  if (id < 0 || action < 0) return out;
  for (const row of grid.rows) if (actions.has(text(row[action]))) out.add(text(row[id]));
  return out;
}

/** Every Credit ID the Audit tab shows. */
export function auditIds(grid: Grid | undefined): Set<string> {
  const out = new Set<string>();
  const id = grid ? columnAt('audit', grid.headers, 'creditId') : -1;
  if (grid && id >= 0) for (const row of grid.rows) out.add(text(row[id]));
  return out;
}
