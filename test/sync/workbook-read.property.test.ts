/**
 * The fast workbook read (workbook-read.ts) gives exactly the grids ExcelJS's load + readGrid gives, on
 * workbooks the sink wrote and staff then edited in ExcelJS; and it is really used for the plain ones (it
 * must not quietly fall back every time), while formulas and rich text send it back to ExcelJS.
 */
import fc from 'fast-check';
import { join } from 'node:path';
import { TABS, type TabId } from '../../core/sheet-contract';
import type { Grid } from '../../core/table';
import { createWorkbookSink } from '../../sync-service/sinks/workbook';
import { TAB_ORDER } from '../../core/sheet-layout';
import { readGrid } from '../../sync-service/sinks/workbook-layout';
import { readPlainWorkbook } from '../../sync-service/sinks/workbook-read';
import { changes, col, credit, creditsSheet, loadWorkbook } from './workbook-helpers';
import { withTempDir } from '../helpers/fixtures-io';

async function excelGrids(path: string): Promise<Record<TabId, Grid>> {
  const wb = await loadWorkbook(path);
  const out = {} as Record<TabId, Grid>;
  for (const tab of TAB_ORDER) out[tab] = readGrid(wb.getWorksheet(TABS[tab].name)!, TABS[tab].columns);
  return out;
}

// Text that stresses XML and the `_xHHHH_` escapes: entities, spaces at the ends, line breaks, control
// characters, astral characters, a literal escape sequence, leading = and '.
const textArb = fc
  .array(
    fc.constantFrom(
      'a',
      'Z',
      ' ',
      '&',
      '<',
      '>',
      '"',
      "'",
      '\n',
      '\t',
      '\u0001',
      '😀',
      'é',
      '_x0041_',
      '_x00e9_',
      '=',
      '0',
    ),
    { maxLength: 8 },
  )
  .map((cs) => cs.join(''));

/** Values staff type into their own column (Notes) in Excel: text, numbers, booleans, dates. */
const staffValueArb = fc.oneof(
  textArb,
  fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e9, max: 1e9 }),
  fc.integer(),
  fc.boolean(),
  fc.date({ min: new Date('1990-01-01'), max: new Date('2090-01-01'), noInvalidDate: true }),
);

describe('readPlainWorkbook', () => {
  it('equals ExcelJS + readGrid on every tab, and is used for plain workbooks', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({ description: textArb, notes: textArb, amount: fc.integer({ min: 1, max: 1e9 }) }),
          {
            minLength: 1,
            maxLength: 6,
          },
        ),
        fc.array(staffValueArb, { maxLength: 4 }),
        async (rows, staffValues) =>
          withTempDir(async (dir) => {
            const path = join(dir, 'credits.xlsx');
            const sink = createWorkbookSink({ path });
            await sink.read();
            await sink.write(
              changes({
                appends: rows.map((r, i) =>
                  credit(i, {
                    description: r.description,
                    notes: r.notes,
                    amount: r.amount / 100,
                    processingDate: i % 2 ? '2026-11-03' : '',
                    status: i % 3 === 0 ? 'PROCESSED' : 'ASSIGNED',
                  }),
                ),
              }),
            );
            if (staffValues.length) {
              const wb = await loadWorkbook(path);
              const ws = creditsSheet(wb);
              const notes = col(ws, 'Notes');
              staffValues.forEach((v, i) => (ws.getRow(2 + (i % rows.length)).getCell(notes).value = v));
              await wb.xlsx.writeFile(path);
            }
            const fast = await readPlainWorkbook(path);
            expect(fast).not.toBeNull();
            expect(fast).toEqual(await excelGrids(path));
          }),
      ),
      { numRuns: 25 },
    );
  }, 120_000);

  it('leaves formulas and rich text to ExcelJS (returns null), and the sink still reads them', async () => {
    await withTempDir(async (dir) => {
      const path = join(dir, 'credits.xlsx');
      const sink = createWorkbookSink({ path });
      await sink.read();
      await sink.write(changes({ appends: [credit(1), credit(2)] }));
      expect(await readPlainWorkbook(path)).not.toBeNull();
      for (const value of [
        { formula: 'A1&"x"', result: 'Credit IDx' },
        { richText: [{ text: 'bold', font: { bold: true } }, { text: ' plain' }] },
      ]) {
        const wb = await loadWorkbook(path);
        const ws = creditsSheet(wb);
        ws.getRow(2).getCell(col(ws, 'Notes')).value = value as never;
        await wb.xlsx.writeFile(path);
        expect(await readPlainWorkbook(path)).toBeNull();
        const snapshot = await createWorkbookSink({ path }).read();
        expect(snapshot.tabs).toEqual(await excelGrids(path));
      }
    });
  });
});
