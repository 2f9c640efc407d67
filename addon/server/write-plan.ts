/**
 * Which rectangles to write so that an action's setValues calls do not grow with the number of rows.
 *
 * Changed rows are covered by row spans that run from one changed row to the next, rewriting the rows in
 * between with the values just read (under the document lock, so they are current). A span never crosses
 * a fenced row: PROCESSING/PROCESSED rows are protected by the sync's account, and a write that touches a
 * protected cell fails as a whole even when the value is unchanged. Columns are grouped into runs of
 * adjacent columns. Calls = column runs × spans, where spans = 1 + the locked stretches that separate
 * changed rows: bounded by the sheet's shape, not by how many rows change.
 */

export interface Rect {
  row: number;
  col: number;
  numRows: number;
  numCols: number;
}

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

/** Row spans covering every changed row and no fenced row. */
export function rowSpans(changedRows: Iterable<number>, fenced: ReadonlySet<number>): [number, number][] {
  const rows = [...new Set(changedRows)].sort((a, b) => a - b);
  const fences = [...fenced].sort((a, b) => a - b);
  const out: [number, number][] = [];
  let f = 0;
  for (const row of rows) {
    if (fenced.has(row)) throw new Error(`row ${row} is both changed and fenced`);
    const last = out[out.length - 1];
    // Skip fences at or above the span's end; a fence between the span's end and this row breaks the span.
    while (f < fences.length && last && fences[f] <= last[1]) f++;
    if (last && !(f < fences.length && fences[f] < row)) last[1] = row;
    else out.push([row, row]);
  }
  return out;
}

/** The rectangles to write: every (row span × column run). */
export function planRects(
  changedRows: Iterable<number>,
  columns: Iterable<number>,
  fenced: ReadonlySet<number>,
): Rect[] {
  const spans = rowSpans(changedRows, fenced);
  const colRuns = runs(columns);
  const out: Rect[] = [];
  for (const [c1, c2] of colRuns) {
    for (const [r1, r2] of spans) out.push({ row: r1, col: c1, numRows: r2 - r1 + 1, numCols: c2 - c1 + 1 });
  }
  return out;
}

/**
 * The values of a rectangle: what was read (`raw`, sheet row r at raw[r - 1]), with the changed cells
 * (`patch`: sheet row → column → value) laid over it.
 */
export function rectValues(
  rect: Rect,
  raw: unknown[][],
  patch: ReadonlyMap<number, ReadonlyMap<number, unknown>>,
): unknown[][] {
  const out: unknown[][] = [];
  for (let r = rect.row; r < rect.row + rect.numRows; r++) {
    const line: unknown[] = [];
    const changes = patch.get(r);
    for (let c = rect.col; c < rect.col + rect.numCols; c++) {
      line.push(changes?.has(c) ? changes.get(c) : (raw[r - 1]?.[c - 1] ?? ''));
    }
    out.push(line);
  }
  return out;
}
