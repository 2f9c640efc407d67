/**
 * Grouping numbers into runs, for writes and reads that must not grow with the number of rows. (Writes no
 * longer span from one changed row to the next: that rewrote the rows in between with values read earlier;
 * guarded-write.ts writes only the changed cells.)
 */
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
