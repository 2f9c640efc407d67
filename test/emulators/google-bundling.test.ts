/**
 * The emulator's models of what Google documents about SpreadsheetApp bundling, spreadsheets.batchUpdate vs
 * values.batchUpdate, request payloads, 429s, metadata visibility and filter condition formulas (each cited in
 * emulators/spreadsheet-app.ts and sheets-advanced.ts).
 */
import { createSheetsAdvancedService } from '../../emulators/sheets-advanced';
import { FakeFilterCriteriaBuilder, FakeSpreadsheet } from '../../emulators/spreadsheet-app';

function setUp(rows = 3) {
  const ss = new FakeSpreadsheet();
  const raw = ss._addSheet(
    'Data',
    Array.from({ length: rows }, (_x, i) => [`r${i + 1}`, i + 1]),
  );
  raw._maxRows = rows;
  const api = createSheetsAdvancedService(ss);
  return { ss, raw, doc: ss._wrapped(), sheet: raw._wrapped(), api };
}
const apiKeys = (api: ReturnType<typeof setUp>['api'], ss: FakeSpreadsheet) =>
  (api.Spreadsheets.get(ss.getId()).developerMetadata ?? []).map((m) => m.metadataKey);

describe('SpreadsheetApp operations land on flush() or at the end of the execution (SpreadsheetApp.flush)', () => {
  test('metadata added with SpreadsheetApp is not seen by the Sheets API until flush(); the script sees it at once', () => {
    const { ss, doc, api } = setUp();
    doc.addDeveloperMetadata('marker', 'x', 'DOCUMENT');
    expect(doc.createDeveloperMetadataFinder().withKey('marker').find()).toHaveLength(1);
    expect(apiKeys(api, ss)).not.toContain('marker');
    expect(ss._pending()).toBe(true);
    ss._log.around?.('SpreadsheetApp.flush', () => undefined);
    expect(apiKeys(api, ss)).toContain('marker');
  });

  test('rows inserted with SpreadsheetApp are not there for a values write until they land', () => {
    const { ss, sheet, api, raw } = setUp(3);
    sheet.insertRowsAfter(3, 2);
    const write = () =>
      api.Spreadsheets.Values.batchUpdate(
        { valueInputOption: 'RAW', data: [{ range: "'Data'!A5", values: [['new']] }] },
        ss.getId(),
      );
    expect(write).toThrow(/exceeds grid limits/);
    ss._land();
    write();
    expect(raw._get(5, 1)).toBe('new');
  });

  test('the end of the execution (control back to the event loop) lands the bundle', async () => {
    const { ss, doc, api } = setUp();
    doc.addDeveloperMetadata('marker', 'x', 'DOCUMENT');
    expect(apiKeys(api, ss)).not.toContain('marker');
    await Promise.resolve();
    expect(ss._pending()).toBe(false);
    expect(apiKeys(api, ss)).toContain('marker');
  });

  test('an API write made while a bundle is pending is kept when the bundle lands', () => {
    const { ss, sheet, api, raw } = setUp(3);
    sheet.getRange(1, 2).setValue('by script');
    api.Spreadsheets.Values.batchUpdate(
      { valueInputOption: 'RAW', data: [{ range: "'Data'!A2", values: [['by api']] }] },
      ss.getId(),
    );
    ss._land();
    expect([raw._get(1, 2), raw._get(2, 1)]).toEqual(['by script', 'by api']);
  });
});

describe('developer metadata visibility (DeveloperMetadataVisibility)', () => {
  test('without a visibility it is PROJECT: kept from the store other programs read', () => {
    const { ss, doc, api } = setUp();
    doc
      .addDeveloperMetadata('a', 'v')
      .addDeveloperMetadata('b', 'v', 'DOCUMENT')
      .addDeveloperMetadata('c', 'PROJECT');
    ss._land();
    expect(ss._state().developerMetadata.map((m) => m.metadataKey)).toEqual(['b']);
    expect(ss._metadata.map((m) => [m.key, m.value])).toEqual([
      ['b', 'v'],
      ['a', 'v'],
      ['c', ''],
    ]);
    expect(() => doc.addDeveloperMetadata('d', 'v', 'EVERYONE')).toThrow(/DeveloperMetadataVisibility/);
    // The same project's Sheets API sees and deletes its PROJECT metadata.
    expect(apiKeys(api, ss)).toEqual(['b', 'a', 'c']);
    api.Spreadsheets.batchUpdate(
      {
        requests: [
          { deleteDeveloperMetadata: { dataFilter: { developerMetadataLookup: { metadataKey: 'a' } } } },
        ],
      },
      ss.getId(),
    );
    expect(ss._metadata.map((m) => m.key)).toEqual(['b', 'c']);
  });
});

describe('spreadsheets.batchUpdate: atomic updateCells and appendDimension', () => {
  test('a protected cell anywhere in the batch refuses all of it; text is stored unparsed', () => {
    const { ss, raw, api } = setUp(3);
    const p = raw.getRange(3, 1, 1, 2).protect();
    p._editors = ['sync@svc.example'];
    const cells = (row: number, v: string) => ({
      updateCells: {
        start: { sheetId: raw._id, rowIndex: row - 1, columnIndex: 0 },
        rows: [{ values: [{ userEnteredValue: { stringValue: v } }] }],
        fields: 'userEnteredValue',
      },
    });
    expect(() =>
      api.Spreadsheets.batchUpdate({ requests: [cells(1, 'x'), cells(3, 'y')] }, ss.getId()),
    ).toThrow(/protected cell/);
    expect(raw._get(1, 1)).toBe('r1');
    api.Spreadsheets.batchUpdate(
      {
        requests: [
          { appendDimension: { sheetId: raw._id, dimension: 'ROWS', length: 1 } },
          cells(4, '=1+1'),
          cells(1, '0012'),
        ],
      },
      ss.getId(),
    );
    expect([raw._get(4, 1), raw._get(1, 1), raw._maxRows]).toEqual(['=1+1', '0012', 4]);
  });

  test('a request body over 2,000,000 bytes is refused with 413; 429s come when asked', () => {
    const { ss, api } = setUp();
    const data = [{ range: "'Data'!A1", values: [['é'.repeat(1_000_000)]] }]; // 2 bytes each in UTF-8
    expect(() => api.Spreadsheets.Values.batchUpdate({ valueInputOption: 'RAW', data }, ss.getId())).toThrow(
      /payload of 20000\d\d bytes is over the recommended 2000000/,
    );
    api._failNext(1);
    let error: unknown;
    try {
      api.Spreadsheets.get(ss.getId());
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ details: { code: 429 } });
    expect(api.Spreadsheets.get(ss.getId()).spreadsheetId).toBe(ss.getId());
  });
});

describe('filter condition values that are formulas (ConditionValue.userEnteredValue)', () => {
  test('a cell reference is evaluated, any other formula is refused loudly', () => {
    const { raw } = setUp(4);
    raw._set(1, 4, 2); // D1: the threshold the condition points at (rows 2-4 hold 2, 3, 4)
    const filter = raw.getRange(1, 1, 4, 2).createFilter();
    filter.setColumnFilterCriteria(
      2,
      new FakeFilterCriteriaBuilder().whenNumberGreaterThan('=$D$1' as never).build(),
    );
    expect([2, 3, 4].map((r) => raw.isRowHiddenByFilter(r))).toEqual([true, false, false]);
    raw._set(1, 4, 3.5);
    expect([2, 3, 4].map((r) => raw.isRowHiddenByFilter(r))).toEqual([true, true, false]);
    filter.setColumnFilterCriteria(
      2,
      new FakeFilterCriteriaBuilder().whenNumberGreaterThan('=D1*2' as never).build(),
    );
    expect(() => raw.isRowHiddenByFilter(2)).toThrow(/cannot evaluate the filter condition formula =D1\*2/);
  });
});
