/**
 * One store, two fronts: what the sync does through the Sheets v4 HTTP API (its real client) and what a person
 * or the add-on does through SpreadsheetApp land in the same spreadsheet.
 */
import { sheets as sheetsApi, type sheets_v4 } from '@googleapis/sheets';
import { spreadsheetAppFront } from '../../emulators/shared-spreadsheet';
import { startSheetsServer, type SheetsServer } from '../../emulators/sheets-server';
import { fakeAuth } from '../sync-service/sinks/google/sheets-helpers';

const ID = 'two-fronts-sheet';
const SYNC = 'sync@project.iam.gserviceaccount.com';
const PROTECTED = /You are trying to edit a protected cell/;

let server: SheetsServer;
let api: sheets_v4.Sheets;
beforeEach(async () => {
  server = await startSheetsServer({ spreadsheetId: ID, sheetTitles: ['Credits'] });
  api = sheetsApi({ version: 'v4', rootUrl: server.rootUrl, auth: fakeAuth(), fetchImplementation: fetch });
});
afterEach(() => server.close());

async function apiValues(range: string): Promise<unknown[][]> {
  const res = await api.spreadsheets.values.get({ spreadsheetId: ID, range });
  return res.data.values ?? [];
}

test('values written by either front are read by the other', async () => {
  await api.spreadsheets.values.update({
    spreadsheetId: ID,
    range: 'Credits!A1:B2',
    valueInputOption: 'RAW',
    requestBody: {
      values: [
        ['Key', 'Status'],
        ['0012', 'PENDING_ASSIGN'],
      ],
    },
  });
  const ss = spreadsheetAppFront(server, ID);
  const credits = ss.getSheetByName('Credits')!;
  // RAW keeps "0012" as text; SpreadsheetApp gives the stored value.
  expect(credits.getRange('A1:B2').getValues()).toEqual([
    ['Key', 'Status'],
    ['0012', 'PENDING_ASSIGN'],
  ]);
  credits.getRange('B2').setValue('ASSIGNED');
  credits.getRange('C2').setValue('2026-01-15'); // parsed like typing: a date cell
  expect(await apiValues('Credits!A2:C2')).toEqual([['0012', 'ASSIGNED', '2026-01-15']]);
  const unformatted = await api.spreadsheets.values.get({
    spreadsheetId: ID,
    range: 'Credits!C2',
    valueRenderOption: 'UNFORMATTED_VALUE',
  });
  expect(unformatted.data.values).toEqual([[46037]]); // the serial number (DateTimeRenderOption SERIAL_NUMBER)
});

test('a range the sync protects through the API stops a person who is not an editor, never the owner, and moves with a row delete', async () => {
  const ss = spreadsheetAppFront(server, ID);
  const credits = ss.getSheetByName('Credits')!;
  credits.getRange('A1:A5').setValues([['Key'], ['k1'], ['k2'], ['k3'], ['k4']]);
  const sheetId = server.state.sheet(ID).sheets[0].properties.sheetId;
  await api.spreadsheets.batchUpdate({
    spreadsheetId: ID,
    requestBody: {
      requests: [
        {
          addProtectedRange: {
            protectedRange: {
              range: { sheetId, startRowIndex: 3, endRowIndex: 4 }, // row 4: k3
              description: 'credit-desk:locked',
              editors: { users: [SYNC] },
            },
          },
        },
      ],
    },
  });
  ss._activeUser = 'ana@distributor.example';
  expect(() => credits.getRange('A4').setValue('x')).toThrow(PROTECTED);
  expect(
    ss
      .getSheetByName('Credits')!
      .getProtections('RANGE' as never)[0]
      .canEdit(),
  ).toBe(false);
  credits.getRange('A2').setValue('k1 edited'); // outside it
  // "The spreadsheet owner is always able to edit protected ranges and sheets" (Protection.canEdit reference).
  ss._activeUser = ss._owner;
  credits.deleteRow(2);
  const got = await api.spreadsheets.get({ spreadsheetId: ID });
  const range = got.data.sheets![0].protectedRanges![0].range!;
  expect([range.startRowIndex, range.endRowIndex]).toEqual([2, 3]); // still on k3, now row 3
  expect(await apiValues('Credits!A1:A4')).toEqual([['Key'], ['k2'], ['k3'], ['k4']]);
});

test("the sync's lock written as developer metadata through the API is what DeveloperMetadataFinder finds", async () => {
  await api.spreadsheets.batchUpdate({
    spreadsheetId: ID,
    requestBody: {
      requests: [
        {
          createDeveloperMetadata: {
            developerMetadata: {
              metadataKey: 'credit-desk.lock',
              metadataValue: '{"owner":"sync"}',
              location: { spreadsheet: true },
              visibility: 'DOCUMENT',
            },
          },
        },
      ],
    },
  });
  const ss = spreadsheetAppFront(server, ID);
  const found = ss.createDeveloperMetadataFinder().withKey('credit-desk.lock').find();
  expect(found.map((m) => m.getValue())).toEqual(['{"owner":"sync"}']);
  found[0].remove();
  const got = await api.spreadsheets.get({ spreadsheetId: ID });
  expect(got.data.developerMetadata ?? []).toEqual([]);
});
