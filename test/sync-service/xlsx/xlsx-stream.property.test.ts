/**
 * The streaming .xlsx writer (sync-service/xlsx/xlsx-stream.ts), over any tabs, headers and rows: what ExcelJS
 * reads back is exactly what was written (text with escapes, CR, ampersands and spaces included; numbers to the
 * last digit), and xlsxMatches says "same" for exactly the rows written — one cell different, one row more or
 * less, or the same values saved by another writer, is "not the same".
 */
import ExcelJS from 'exceljs';
import fc from 'fast-check';
import { cellFromExcel } from '../../../sync-service/xlsx/workbook-cells';
import {
  xlsxMatches,
  xlsxPieces,
  type XlsxSheet,
  type XlsxValue,
} from '../../../sync-service/xlsx/xlsx-stream';

const text = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.string({
    unit: fc.constantFrom('_', 'x', '0', '4', '1', 'F', 'a', ' ', '\r', '\n', '&', '<', '"', '\u0001', 'é'),
    maxLength: 16,
  }),
);
const value: fc.Arbitrary<XlsxValue> = fc.oneof(
  text,
  fc.integer({ min: -1e12, max: 1e12 }).map((n) => n / 100),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
  fc.constant(null),
);
const sheets = fc
  .uniqueArray(fc.stringMatching(/^[a-z][a-z_]{0,12}$/), { minLength: 1, maxLength: 3 })
  .chain((names) =>
    fc.tuple(
      ...names.map((name) =>
        fc.integer({ min: 1, max: 30 }).chain((width) =>
          fc.record({
            name: fc.constant(name),
            header: fc.array(fc.stringMatching(/^[a-z_]{1,10}$/), { minLength: width, maxLength: width }),
            rows: fc.array(fc.array(value, { minLength: width, maxLength: width }), { maxLength: 40 }),
          }),
        ),
      ),
    ),
  );

async function bytesOf(tabs: readonly XlsxSheet[]): Promise<Buffer> {
  return Buffer.concat(await xlsxPieces(tabs));
}

/** What a reader of the cell gets back: empty text and null are no cell; -0 is 0 in a spreadsheet. */
const expected = (v: XlsxValue) => (v === null || v === undefined ? '' : Object.is(v, -0) ? 0 : v);

describe('the streaming .xlsx writer', () => {
  it('writes tabs ExcelJS reads back exactly, header bold and frozen (property)', async () => {
    await fc.assert(
      fc.asyncProperty(sheets, async (tabs) => {
        const wb = new ExcelJS.Workbook();
        await wb.xlsx.load((await bytesOf(tabs)) as unknown as ArrayBuffer);
        expect(wb.worksheets.map((w) => w.name)).toEqual(tabs.map((t) => t.name));
        for (const t of tabs) {
          const ws = wb.getWorksheet(t.name)!;
          const read = (r: number, width: number) =>
            Array.from({ length: width }, (_, c) => cellFromExcel(ws.getCell(r, c + 1).value));
          expect(read(1, t.header.length)).toEqual(t.header);
          expect(ws.getCell(1, 1).font?.bold).toBe(true);
          expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
          t.rows.forEach((row, i) => expect(read(i + 2, row.length)).toEqual(row.map(expected)));
          expect(ws.rowCount).toBeLessThanOrEqual(t.rows.length + 1);
        }
      }),
      { numRuns: 60, seed: 25 },
    );
  });

  it('matches exactly the rows it wrote (property)', async () => {
    await fc.assert(
      fc.asyncProperty(sheets, fc.nat(), fc.nat(), value, async (tabs, which, at, other) => {
        const bytes = await bytesOf(tabs);
        expect(await xlsxMatches(bytes, tabs)).toBe(true);
        const t = tabs[which % tabs.length];
        const others = (rows: XlsxValue[][]) => tabs.map((x) => (x === t ? { ...x, rows } : x));
        // One row fewer, one more.
        if (t.rows.length) expect(await xlsxMatches(bytes, others(t.rows.slice(1)))).toBe(false);
        expect(await xlsxMatches(bytes, others([...t.rows, t.header.map(() => 'x')]))).toBe(false);
        // One cell changed to something that reads differently.
        if (t.rows.length) {
          const r = at % t.rows.length;
          const c = at % t.header.length;
          if (expected(other) !== expected(t.rows[r][c])) {
            const rows = t.rows.map((row, i) => (i === r ? row.map((v, j) => (j === c ? other : v)) : row));
            expect(await xlsxMatches(bytes, others(rows))).toBe(false);
          }
        }
      }),
      { numRuns: 60, seed: 2525 },
    );
  });

  it('says "not the same" for another writer\'s file of the same values, and for what is not a zip', async () => {
    const tabs: XlsxSheet[] = [{ name: 'records', header: ['a', 'b'], rows: [['x', 1]] }];
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await bytesOf(tabs)) as unknown as ArrayBuffer);
    const again = Buffer.from(await wb.xlsx.writeBuffer());
    expect(await xlsxMatches(again, tabs)).toBe(false);
    const bytes = await bytesOf(tabs);
    expect(await xlsxMatches(bytes.subarray(0, bytes.length - 30), tabs)).toBe(false); // cut short
    expect(await xlsxMatches(Buffer.from('not a zip'), tabs)).toBe(false);
  });

  it('takes its rows from a generator, read once: 30,000 rows', async () => {
    let made = 0;
    function* rows() {
      for (let i = 0; i < 30_000; i++) {
        made++;
        yield [`UR-${i}-1`, `a note for record ${i} & more`, -i / 100];
      }
    }
    const pieces = await xlsxPieces([{ name: 'records', header: ['id', 'note', 'amount'], rows: rows() }]);
    expect(made).toBe(30_000);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.concat(pieces) as unknown as ArrayBuffer);
    const ws = wb.getWorksheet('records')!;
    expect(ws.rowCount).toBe(30_001);
    expect(ws.getRow(30_001).values).toEqual([
      undefined,
      'UR-29999-1',
      'a note for record 29999 & more',
      -299.99,
    ]);
  });
});
