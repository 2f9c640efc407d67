import fc from 'fast-check';
import { dateToText, toCell } from '../../addon/services/cells';
import { planRects, rectValues, rowSpans, runs } from '../../addon/server/write-plan';

describe('write plan', () => {
  test('runs groups adjacent numbers', () => {
    expect(runs([5, 3, 4, 9, 10, 12])).toEqual([
      [3, 5],
      [9, 10],
      [12, 12],
    ]);
  });

  test('spans stop at fenced rows only', () => {
    expect(rowSpans([2, 3, 7, 9, 20], new Set([8, 15]))).toEqual([
      [2, 7],
      [9, 9],
      [20, 20],
    ]);
  });

  test('property: every changed cell is covered once, no fenced row is touched, and rects are few', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 2, max: 200 }), { minLength: 1, maxLength: 80 }),
        fc.uniqueArray(fc.integer({ min: 2, max: 200 }), { maxLength: 20 }),
        fc.uniqueArray(fc.integer({ min: 1, max: 25 }), { minLength: 1, maxLength: 6 }),
        (rowsIn, fencedIn, columns) => {
          const fenced = new Set(fencedIn.filter((r) => !rowsIn.includes(r)));
          const rects = planRects(rowsIn, columns, fenced);
          const covered = new Map<string, number>();
          for (const r of rects) {
            for (let y = r.row; y < r.row + r.numRows; y++) {
              expect(fenced.has(y)).toBe(false);
              for (let x = r.col; x < r.col + r.numCols; x++)
                covered.set(`${y}:${x}`, (covered.get(`${y}:${x}`) ?? 0) + 1);
            }
          }
          for (const y of rowsIn) for (const x of columns) expect(covered.get(`${y}:${x}`)).toBe(1);
          expect(rects.length).toBeLessThanOrEqual(runs(columns).length * (fenced.size + 1));
        },
      ),
    );
  });

  test('rectValues lays changes over what was read', () => {
    const raw = [
      ['h1', 'h2'],
      ['a', 'b'],
      ['c', 'd'],
    ];
    const patch = new Map([[3, new Map([[2, 'X']])]]);
    expect(rectValues({ row: 2, col: 1, numRows: 2, numCols: 2 }, raw, patch)).toEqual([
      ['a', 'b'],
      ['c', 'X'],
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
