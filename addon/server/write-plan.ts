/**
 * Grouping numbers into runs, and changed cells into rectangles, for writes and reads that must not grow with the
 * number of rows. (Writes no longer span from one changed row to the next: that rewrote the rows in between with
 * values read earlier; guarded-write.ts writes only the changed cells.) Apart from guarded-write.ts and
 * api-batch.ts, which both write rectangles, so neither imports the other's insides.
 */
import type { Cell } from '../../core/table';

/** Sorted runs of adjacent numbers: [3,4,5,9,10] → [[3,5],[9,10]] as [first, last]. */
export function runs(numbers: Iterable<number>): [number, number][] {
  const sorted = [...new Set(numbers)].sort((a, b) => a - b);
  const out: [number, number][] = [];
  for (const n of sorted) {
    const last = out[out.length - 1];
    if (last && n === last[1] + 1) last[1] = n;
    else out.push([n, n]);
  }
  return out;
}

export interface CellWrite {
  row: number;
  col: number;
  value: Cell;
  creditId: string;
}

/** Groups cells into rectangles: runs of adjacent columns in a row, merged down while rows have the same runs. */
export function cellRects(cells: CellWrite[]): { row: number; col: number; values: Cell[][] }[] {
  const byRow = new Map<number, Map<number, Cell>>();
  for (const c of cells) {
    let m = byRow.get(c.row);
    if (!m) byRow.set(c.row, (m = new Map()));
    m.set(c.col, c.value);
  }
  const rowRects: { row: number; col: number; width: number; values: Cell[] }[] = [];
  for (const row of [...byRow.keys()].sort((a, b) => a - b)) {
    const m = byRow.get(row) as Map<number, Cell>;
    for (const [c1, c2] of runs(m.keys())) {
      const values: Cell[] = [];
      for (let c = c1; c <= c2; c++) values.push(m.get(c) as Cell);
      rowRects.push({ row, col: c1, width: c2 - c1 + 1, values });
    }
  }
  const out: { row: number; col: number; width: number; values: Cell[][] }[] = [];
  const open = new Map<string, (typeof out)[number]>();
  for (const r of rowRects) {
    const k = `${r.col}:${r.width}`;
    const prev = open.get(k);
    if (prev && prev.row + prev.values.length === r.row) prev.values.push(r.values);
    else {
      const rect = { row: r.row, col: r.col, width: r.width, values: [r.values] };
      out.push(rect);
      open.set(k, rect);
    }
  }
  return out.map(({ row, col, values }) => ({ row, col, values }));
}
