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
 * these rows. Pure: which rows, their ranges, and the grid put back together.
 */
import { CREDIT_COLUMNS, type CreditField } from '../../../core/sheet-contract';
import { headerKey, text, type Cell } from '../../../core/table';
import { a1Range } from './sheets-a1';

/** Past this many runs of rows, the deciding columns are read whole instead (the sheet is mostly in scope). */
export const MAX_SCOPE_RUNS = 200;

/** Statuses a row outside every usage record may hold; any other Status puts the row in scope. */
const OPEN_STATUSES = new Set(['', 'PENDING_ASSIGN', 'ASSIGNED']);

/** The column (0-based) of a Credits field in the header row as read, or -1. */
export function columnOf(headers: readonly unknown[], field: CreditField): number {
  const want = headerKey(CREDIT_COLUMNS.find((c) => c.field === field)!.header);
  return headers.findIndex((h) => headerKey(h as Cell) === want);
}

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
