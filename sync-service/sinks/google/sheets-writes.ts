/**
 * Turns a ChangeSet into value ranges: each update writes only the cells of its named fields (contiguous
 * cells of one row grouped into one range, never whole rows), found by KEY in the key column as re-read just
 * before writing; appends and audit rows go to explicit ranges after the last row seen. Explicit ranges make
 * every write idempotent, so a retried request (even one the server had already applied) rewrites the same
 * cells instead of adding rows. Then the ranges are packed into requests under a byte budget.
 *
 * Pure: no I/O.
 */
import type { sheets_v4 } from '@googleapis/sheets';
import type { CreditField } from '../../../core/sheet-contract';
import { indexKeys } from '../../../core/sheet-layout';
import { type Cell, type ColumnIndex } from '../../../core/table';
import type { CellUpdate, SkippedChange } from '../../../core/sheet-changes';
import { a1Range } from './sheets-a1';
import { skippedAsGone } from '../../../core/write-contract';

type ValueRange = sheets_v4.Schema$ValueRange;

/** Sheets treats null as "leave the cell alone"; an explicit empty string clears it. */
function out(v: Cell | undefined): string | number | boolean {
  return v === null || v === undefined ? '' : v;
}

/** Consecutive column indexes as [start, end) runs. */
function columnRuns(cols: number[]): [number, number][] {
  const sorted = [...new Set(cols)].sort((a, b) => a - b);
  const runs: [number, number][] = [];
  for (const c of sorted) {
    const last = runs[runs.length - 1];
    if (last && last[1] === c) last[1] = c + 1;
    else runs.push([c, c + 1]);
  }
  return runs;
}

export interface UpdatePlan {
  ranges: ValueRange[];
  /** Data rows (0-based) written, after relocation by key. */
  rows: Map<string, number>;
  skipped: SkippedChange[];
}

/** Relocates updates by key (`keyRows`: key → current 0-based data row) and builds per-row cell ranges. */
export function planUpdates(
  title: string,
  updates: readonly CellUpdate[],
  keyRows: ReadonlyMap<string, number>,
  idx: ColumnIndex<CreditField>,
): UpdatePlan {
  const ranges: ValueRange[] = [];
  const rows = new Map<string, number>();
  const skipped: UpdatePlan['skipped'] = [];
  for (const u of updates) {
    const row = keyRows.get(u.key);
    if (row === undefined) {
      skipped.push(skippedAsGone(u.key, u.creditId ?? ''));
      continue;
    }
    const fields = Object.keys(u.fields) as CreditField[];
    if (!fields.length) continue;
    const byCol = new Map(fields.map((f) => [idx[f], u.fields[f]]));
    for (const [c0, c1] of columnRuns([...byCol.keys()])) {
      const values = [];
      for (let c = c0; c < c1; c++) values.push(out(byCol.get(c)));
      ranges.push({ range: a1Range(title, row + 1, c0, row + 2, c1), values: [values] });
    }
    rows.set(u.key, row);
  }
  return { ranges, rows, skipped };
}

/**
 * New rows written as blocks starting at data row `firstRow`: one range per run of contiguous contract
 * columns (staff columns in between stay untouched), split so no block has more than `maxRows` rows.
 */
export function planAppends<F extends string>(
  title: string,
  records: readonly Partial<Record<F, Cell>>[],
  firstRow: number,
  idx: ColumnIndex<F>,
  maxRows: number,
): ValueRange[] {
  if (!records.length) return [];
  const cols = Object.entries(idx) as [F, number][];
  const fieldAt = new Map(cols.map(([f, c]) => [c, f]));
  const runs = columnRuns(cols.map(([, c]) => c));
  const ranges: ValueRange[] = [];
  for (let start = 0; start < records.length; start += maxRows) {
    const block = records.slice(start, start + maxRows);
    const row0 = firstRow + start + 1; // sheet row index (header is 0)
    for (const [c0, c1] of runs) {
      const values = block.map((rec) => {
        const v = [];
        for (let c = c0; c < c1; c++) v.push(out(rec[fieldAt.get(c)!]));
        return v;
      });
      ranges.push({ range: a1Range(title, row0, c0, row0 + block.length, c1), values });
    }
  }
  return ranges;
}

/** Full replacement of a small tab: header + rows from A1, padded with blanks over what was there before. */
export function planReplace(
  title: string,
  headers: readonly string[],
  rows: readonly (readonly Cell[])[],
  oldHeight: number,
  oldWidth: number,
): ValueRange {
  const width = Math.max(headers.length, oldWidth, ...rows.map((r) => r.length), 1);
  const height = Math.max(rows.length + 1, oldHeight);
  const values: (string | number | boolean)[][] = [];
  for (let r = 0; r < height; r++) {
    const src = r === 0 ? headers : (rows[r - 1] ?? []);
    values.push(Array.from({ length: width }, (_, c) => out(src[c] as Cell)));
  }
  return { range: a1Range(title, 0, 0, height, width), values };
}

/** Approximate JSON size of a value range, for packing requests. */
export function rangeBytes(vr: ValueRange): number {
  return JSON.stringify(vr).length + 2;
}

/**
 * Packs items into request bodies of at most `maxBytes` each, in order (a single oversized item gets its own):
 * `sizeOf` is an item's share of the body, `envelope` what the body holds besides them.
 */
export function chunkBySize<T>(
  items: readonly T[],
  maxBytes: number,
  sizeOf: (item: T) => number,
  envelope = 200,
): T[][] {
  const chunks: T[][] = [];
  let current: T[] = [];
  let size = envelope;
  for (const item of items) {
    const b = sizeOf(item);
    if (current.length && size + b > maxBytes) {
      chunks.push(current);
      current = [];
      size = envelope;
    }
    current.push(item);
    size += b;
  }
  if (current.length) chunks.push(current);
  return chunks;
}

/** Packs value ranges into request bodies of at most `maxBytes` each (a single oversized range gets its own). */
export function chunkRanges(ranges: readonly ValueRange[], maxBytes: number): ValueRange[][] {
  return chunkBySize(ranges, maxBytes, rangeBytes); // envelope: valueInputOption, data: [...]
}

/** How many append rows fit comfortably in one request, from a sample row's size. */
export function rowsPerBlock(sample: Partial<Record<string, Cell>> | undefined, maxBytes: number): number {
  if (!sample) return 1;
  const bytes = JSON.stringify(Object.values(sample).map(out)).length + 8;
  return Math.max(1, Math.floor((maxBytes * 0.8) / bytes));
}

/** key → 0-based data row from a re-read Key column (first cell is the header); a key twice is an error naming the rows. */
export function keyRowsFrom(
  values: readonly (readonly unknown[])[] | undefined,
  tabName: string,
): Map<string, number> {
  return indexKeys(
    (values ?? []).slice(1).map((r) => r[0] as Cell),
    tabName,
  );
}
