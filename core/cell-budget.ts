/**
 * The cell budget: a Google spreadsheet holds at most 10 million cells, counted over every tab's grid (empty
 * cells of a grid count too). Every sync prints the cells in use against that limit and, from 70 %, the
 * archive command that frees them, well before Google refuses writes.
 */
export const GOOGLE_CELL_LIMIT = 10_000_000;
export const CELL_WARN_RATIO = 0.7;

export interface TabSize {
  name: string;
  rows: number;
  cols: number;
}

export interface CellBudget {
  used: number;
  limit: number;
  /** used / limit, 0..1+ */
  ratio: number;
  warn: boolean;
  /** Largest tabs first. */
  tabs: (TabSize & { cells: number })[];
}

export function cellBudget(tabs: readonly TabSize[], limit = GOOGLE_CELL_LIMIT): CellBudget {
  const sized = tabs
    .map((t) => ({ ...t, cells: Math.max(0, t.rows) * Math.max(0, t.cols) }))
    .sort((a, b) => b.cells - a.cells || a.name.localeCompare(b.name));
  const used = sized.reduce((n, t) => n + t.cells, 0);
  const ratio = used / limit;
  return { used, limit, ratio, warn: ratio >= CELL_WARN_RATIO, tabs: sized };
}

/**
 * The period to pass to `archive --before`: the one before the most recent closed period, so the last two
 * periods (the one being worked and late credits of the one before) stay in the live sheet.
 */
export function suggestedArchiveBefore(currentPeriod: string): string {
  const [y, m] = currentPeriod.split('-').map(Number);
  const d = new Date(Date.UTC(y, m - 3, 1));
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}

export function cellBudgetLines(b: CellBudget, currentPeriod: string): string[] {
  const pct = (b.ratio * 100).toFixed(1);
  const top = b.tabs
    .slice(0, 3)
    .map((t) => `${t.name} ${t.cells.toLocaleString('en-US')}`)
    .join(', ');
  const lines = [
    `Cells: ${b.used.toLocaleString('en-US')} of Google's ${b.limit.toLocaleString('en-US')} (${pct} %)${top ? ` — ${top}` : ''}`,
  ];
  if (b.warn)
    lines.push(
      `warning: the sheet is over ${Math.round(CELL_WARN_RATIO * 100)} % of Google's cell limit. Move processed credits of closed periods out: credit-desk archive --before ${suggestedArchiveBefore(currentPeriod)}`,
    );
  return lines;
}
