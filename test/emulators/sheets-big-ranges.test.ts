/**
 * A year's sheet holds columns of more than 120,000 rows (the Audit), which the Sheets API reads and writes like any
 * other; the local server must too. It used to take a range's width with Math.max(...rows), which overflows V8's
 * stack past about 120,000 rows: the Google sink's `usage close` on the year bench's second month failed on it.
 */
import { sheets as sheetsApi, type sheets_v4 } from '@googleapis/sheets';
import { startSheetsServer, type SheetsServer } from '../../emulators/sheets-server';
import { fakeAuth } from '../sync-service/sinks/google/sheets-helpers';

const ID = 'big-ranges';
const ROWS = 150_000;

let server: SheetsServer;
let api: sheets_v4.Sheets;
beforeEach(async () => {
  server = await startSheetsServer({ spreadsheetId: ID, sheetTitles: ['Audit'] });
  api = sheetsApi({ version: 'v4', rootUrl: server.rootUrl, auth: fakeAuth(), fetchImplementation: fetch });
});
afterEach(() => server.close());

test(`appends, rewrites and reads by columns a column of ${ROWS.toLocaleString('en')} rows`, async () => {
  const column = Array.from({ length: ROWS }, (_, i) => [`AWSC-${i}`]);
  await api.spreadsheets.values.append({
    spreadsheetId: ID,
    range: 'Audit!A1',
    valueInputOption: 'RAW',
    insertDataOption: 'INSERT_ROWS',
    requestBody: { values: column },
  });
  await api.spreadsheets.values.update({
    spreadsheetId: ID,
    range: 'Audit!A1',
    valueInputOption: 'RAW',
    requestBody: { values: column.map(([v]) => [`${v}!`]) },
  });
  const got = await api.spreadsheets.values.get({
    spreadsheetId: ID,
    range: 'Audit!A:A',
    majorDimension: 'COLUMNS',
  });
  expect(got.data.values?.[0]).toHaveLength(ROWS);
  expect(got.data.values?.[0][ROWS - 1]).toBe(`AWSC-${ROWS - 1}!`);
});
