import fc from 'fast-check';
import { literalText, toCell } from '../../addon/services/cells';
import { dateToText } from '../../core/sheet-dates';
import { cellRects, runs } from '../../addon/server/write-plan';

describe('write plan', () => {
  test('runs groups adjacent numbers', () => {
    expect(runs([5, 3, 4, 9, 10, 12])).toEqual([
      [3, 5],
      [9, 10],
      [12, 12],
    ]);
  });

  test('property: cellRects covers exactly the changed cells, once, and merges rows with the same columns', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.tuple(fc.integer({ min: 2, max: 60 }), fc.integer({ min: 1, max: 12 })), {
          minLength: 1,
          maxLength: 120,
          selector: ([r, c]) => `${r}:${c}`,
        }),
        (pairs) => {
          const cells = pairs.map(([row, col]) => ({
            row,
            col,
            value: `${row}:${col}`,
            creditId: String(row),
          }));
          const rects = cellRects(cells);
          const covered = new Map<string, unknown>();
          for (const r of rects)
            r.values.forEach((line, i) =>
              line.forEach((v, j) => {
                const k = `${r.row + i}:${r.col + j}`;
                expect(covered.has(k)).toBe(false);
                covered.set(k, v);
              }),
            );
          expect(covered).toEqual(new Map(cells.map((c) => [c.value, c.value])));
          // Never more rectangles than (row, column run) pairs.
          const byRow = new Map<number, number[]>();
          for (const c of cells) byRow.set(c.row, [...(byRow.get(c.row) ?? []), c.col]);
          const bound = [...byRow.values()].reduce((n, cols) => n + runs(cols).length, 0);
          expect(rects.length).toBeLessThanOrEqual(bound);
        },
      ),
    );
  });

  test('cellRects: the same column run in adjacent rows is one rectangle', () => {
    const cells = [2, 3, 4].flatMap((row) =>
      [13, 14].map((col) => ({ row, col, value: row * 100 + col, creditId: '' })),
    );
    expect(cellRects(cells)).toEqual([
      {
        row: 2,
        col: 13,
        values: [
          [213, 214],
          [313, 314],
          [413, 414],
        ],
      },
    ]);
  });
});

describe('cells at the adapter', () => {
  test("a date cell becomes its date in the SPREADSHEET's time zone", () => {
    // Midnight 2026-03-01 in Berlin is 23:00 the day before in UTC.
    expect(dateToText(new Date('2026-02-28T23:00:00Z'), 'Europe/Berlin')).toBe('2026-03-01');
    expect(dateToText(new Date('2026-03-01T00:00:00Z'), 'Etc/UTC')).toBe('2026-03-01');
    expect(dateToText(new Date('2026-03-01T10:30:00Z'), 'Etc/UTC')).toBe('2026-03-01T10:30:00.000Z');
  });

  test('other values pass through; empty becomes ""', () => {
    expect([
      toCell(1.5, 'Etc/UTC'),
      toCell(true, 'Etc/UTC'),
      toCell(null, 'Etc/UTC'),
      toCell('x', 'Etc/UTC'),
    ]).toEqual([1.5, true, '', 'x']);
  });
});

describe('literalText: what SpreadsheetApp would parse is written with an apostrophe', () => {
  test.each([
    ['0012', "'0012"],
    ['2026-01', "'2026-01"],
    ['2026-12-01T20:00:00.000Z', "'2026-12-01T20:00:00.000Z"],
    ['TRUE', "'TRUE"],
    ['5%', "'5%"],
    ['=SUM(A1)', "'=SUM(A1)"],
    ['customer 60%, reseller 40%', 'customer 60%, reseller 40%'],
    ['AWSC-202610-0001-0002', 'AWSC-202610-0001-0002'],
    ['manual', 'manual'],
    [12.5, 12.5],
  ])('%p → %p', (value, written) => {
    expect(literalText(value)).toBe(written);
  });
});
