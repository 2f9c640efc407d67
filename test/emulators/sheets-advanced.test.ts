/**
 * The Sheets advanced service emulator answers reads the way the Sheets API v4 reference documents, from the
 * same store the SpreadsheetApp front uses.
 */
import { createSheetsAdvancedService } from '../../emulators/sheets-advanced';
import { FakeSpreadsheet } from '../../emulators/spreadsheet-app';
import { createFakeAppsScript } from '../fakes/apps-script';

function setUp(timeZone = 'Etc/UTC') {
  const ss = new FakeSpreadsheet();
  ss._timeZone = timeZone;
  ss._addSheet('My tab', [
    ['Name', 'Amount', 'Paid', 'When'],
    ['a', 1.5, true, new Date('2026-01-05T00:00:00Z')],
    ['b', 2, false, ''],
    ['', '', '', ''],
  ]);
  const api = createSheetsAdvancedService(ss);
  const app = createFakeAppsScript(ss, { userEmail: 'me@example.com' }).globals
    .SpreadsheetApp as typeof SpreadsheetApp;
  return { ss, api, app, sheet: app.getActiveSpreadsheet().getSheetByName('My tab')! };
}

describe('values.batchGet', () => {
  test('UNFORMATTED_VALUE: numbers, booleans and text as stored; a date as its serial number (SERIAL_NUMBER)', () => {
    const { ss, api } = setUp();
    const res = api.Spreadsheets.Values.batchGet(ss.getId(), {
      ranges: ["'My tab'"],
      valueRenderOption: 'UNFORMATTED_VALUE',
    });
    // 2026-01-05 is 46,027 days after 1899-12-30; trailing empty row and cells are omitted (ValueRange).
    expect(res.valueRanges[0].values).toEqual([
      ['Name', 'Amount', 'Paid', 'When'],
      ['a', 1.5, true, 46027],
      ['b', 2, false],
    ]);
  });

  test("the serial number is the wall-clock time in the spreadsheet's zone", () => {
    const { ss, api } = setUp('Asia/Tokyo');
    const res = api.Spreadsheets.Values.batchGet(ss.getId(), {
      ranges: ["'My tab'!D2"],
      valueRenderOption: 'UNFORMATTED_VALUE',
      dateTimeRenderOption: 'SERIAL_NUMBER',
    });
    expect(res.valueRanges[0].values).toEqual([[46027 + 9 / 24]]); // 09:00 in Tokyo
  });

  test('FORMATTED_STRING dates and FORMATTED_VALUE cells are the text getDisplayValues gives', () => {
    const { ss, api, sheet } = setUp();
    const dates = api.Spreadsheets.Values.batchGet(ss.getId(), {
      ranges: ["'My tab'!D2"],
      valueRenderOption: 'UNFORMATTED_VALUE',
      dateTimeRenderOption: 'FORMATTED_STRING',
    });
    expect(dates.valueRanges[0].values).toEqual([[sheet.getRange('D2').getDisplayValues()[0][0]]]);
    const shown = api.Spreadsheets.Values.batchGet(ss.getId(), { ranges: ["'My tab'!A1:D3"] });
    const display = sheet.getRange('A1:D3').getDisplayValues();
    expect(shown.valueRanges[0].values).toEqual([display[0], display[1], display[2].slice(0, 3)]);
  });

  test('several ranges come back in order; an unknown sheet fails the whole request', () => {
    const { ss, api } = setUp();
    const res = api.Spreadsheets.Values.batchGet(ss.getId(), {
      ranges: ["'My tab'!B2:B3", "'My tab'!A1:A1"],
      valueRenderOption: 'UNFORMATTED_VALUE',
    });
    expect(res.valueRanges.map((v) => v.values)).toEqual([[[1.5], [2]], [['Name']]]);
    expect(() =>
      api.Spreadsheets.Values.batchGet(ss.getId(), {
        ranges: ["'Nope'!A1"],
        valueRenderOption: 'UNFORMATTED_VALUE',
      }),
    ).toThrow(/Unable to parse range/);
  });
});

describe('spreadsheets.get', () => {
  test("the spreadsheet's time zone and the basic filter in the API's own names", () => {
    const { ss, api, app, sheet } = setUp('America/Los_Angeles');
    const filter = sheet.getRange('A1:D3').createFilter();
    filter.setColumnFilterCriteria(2, app.newFilterCriteria().whenNumberGreaterThan(1).build());
    filter.setColumnFilterCriteria(1, app.newFilterCriteria().setHiddenValues(['b']).build());
    const res = api.Spreadsheets.get(ss.getId(), { fields: 'properties(timeZone),sheets(basicFilter)' });
    expect(res.properties.timeZone).toBe('America/Los_Angeles');
    expect(res.sheets[0].basicFilter).toEqual({
      range: {
        sheetId: expect.any(Number),
        startRowIndex: 0,
        endRowIndex: 3,
        startColumnIndex: 0,
        endColumnIndex: 4,
      },
      filterSpecs: [
        { columnIndex: 0, filterCriteria: { hiddenValues: ['b'] } },
        {
          columnIndex: 1,
          filterCriteria: { condition: { type: 'NUMBER_GREATER', values: [{ userEnteredValue: '1' }] } },
        },
      ],
    });
  });
});
