import {
  cellBudget,
  cellBudgetLines,
  GOOGLE_CELL_LIMIT,
  suggestedArchiveBefore,
} from '../../core/cell-budget';

describe('cell budget', () => {
  test('counts every grid cell and warns from 70 % with the archive command', () => {
    const under = cellBudget([
      { name: 'Credits', rows: 300_000, cols: 22 }, // 6.6M
      { name: 'Audit', rows: 50_000, cols: 7 }, // 0.35M
    ]);
    expect(under.used).toBe(6_950_000);
    expect(under.warn).toBe(false);
    expect(cellBudgetLines(under, '2026-12')).toEqual([
      "Cells: 6,950,000 of Google's 10,000,000 (69.5 %) — Credits 6,600,000, Audit 350,000",
    ]);
    const over = cellBudget([
      { name: 'Credits', rows: 300_000, cols: 22 },
      { name: 'Audit', rows: 57_143, cols: 7 },
    ]);
    expect(over.ratio).toBeGreaterThanOrEqual(0.7);
    expect(over.warn).toBe(true);
    expect(cellBudgetLines(over, '2026-12')[1]).toBe(
      "warning: the sheet is over 70 % of Google's cell limit. Move processed credits of closed periods out: credit-desk archive --before 2026-10",
    );
    expect(cellBudget([]).used).toBe(0);
    expect(GOOGLE_CELL_LIMIT).toBe(10_000_000);
    expect(suggestedArchiveBefore('2026-02')).toBe('2025-12');
  });
});
