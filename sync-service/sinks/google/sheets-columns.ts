/**
 * The Credits tab read column by column (issue #25): a command that names the Credits fields it decides from
 * (ReadOptions.creditFields) gets only those columns downloaded, found by header text in the header row read
 * first (staff may rename, move or add columns). Other cells of the grid are blank, like the Audit columns
 * the sink never reads. Pure: ranges and the grid put back together, no I/O.
 *
 * Google's values.batchGet takes any number of A1 ranges and answers them in order, each trimmed of trailing
 * empty rows (https://developers.google.com/sheets/api/reference/rest/v4/spreadsheets.values/batchGet).
 */
import { CREDIT_COLUMNS, type CreditField } from '../../../core/sheet-contract';
import { headerKey, type Cell } from '../../../core/table';
import { a1Column } from './sheets-a1';

/** The columns (0-based) of `fields` in `headers`, or null when one is missing (the whole tab is read then). */
export function creditColumns(headers: readonly Cell[], fields: readonly CreditField[]): number[] | null {
  const at = new Map<string, number>();
  headers.forEach((h, i) => {
    const k = headerKey(h);
    if (k && !at.has(k)) at.set(k, i);
  });
  const cols: number[] = [];
  // Key and Status always: rows are found by Key, and the write's protection plan starts from every Status.
  const wanted = new Set<CreditField>([...fields, 'key', 'status']);
  for (const c of CREDIT_COLUMNS) {
    if (!wanted.has(c.field)) continue;
    const col = at.get(headerKey(c.header));
    if (col === undefined) return null;
    cols.push(col);
  }
  return cols;
}

export function creditColumnRanges(title: string, cols: readonly number[]): string[] {
  return cols.map((c) => a1Column(title, c));
}

/**
 * The tab as values (header row first), from its header row and one column per entry of `cols` as Google sends
 * a column read by columns (header cell first), as a whole-tab read would give it but for the columns left out.
 */
export function valuesFromColumns(
  header: readonly unknown[],
  cols: readonly number[],
  columns: readonly (readonly unknown[] | null | undefined)[],
): unknown[][] {
  const height = columns.reduce<number>((h, v) => Math.max(h, v?.length ?? 0), 1);
  const out: unknown[][] = [[...header]];
  for (let r = 1; r < height; r++) out.push(new Array<unknown>(header.length).fill(null));
  cols.forEach((c, k) => {
    const v = columns[k] ?? [];
    for (let r = 1; r < v.length; r++) out[r][c] = v[r] ?? null;
  });
  return out;
}
