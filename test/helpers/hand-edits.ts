/**
 * Hand edits the property tests make on a spreadsheet's cells, as a person would leave them.
 */

/**
 * The data rows (every row but the header) in another order, as a sort by some column leaves them: a shuffle
 * drawn from `seed` (a linear congruential generator), so a failing sequence replays.
 */
export function sortByHand<T>(cells: T[], seed: number): void {
  const body = cells.slice(1);
  let s = seed;
  const rand = () => (s = (s * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  for (let i = body.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [body[i], body[j]] = [body[j], body[i]];
  }
  for (let i = 0; i < body.length; i++) cells[i + 1] = body[i];
}

/**
 * The column headed `header` cut and pasted at position `to` (modulo the header's width), every row with it, as
 * a person drags a column; rows shorter than the header are padded with blanks first. No such column: nothing.
 */
export function moveColumnByHand<T>(cells: (T | null)[][], header: T, to: number): void {
  const c = cells[0].indexOf(header);
  if (c < 0) return;
  const at = to % cells[0].length;
  for (const r of cells) {
    while (r.length < cells[0].length) r.push(null);
    const [v] = r.splice(c, 1);
    r.splice(at, 0, v);
  }
}
