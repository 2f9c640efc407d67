/**
 * How long a request may be. Many ranges in one read: Google documents no URL limit and its front ends refuse
 * long URLs, so the local server refuses one past MAX_URL_CHARS (414), and answers values.batchGetByDataFilter —
 * the same read with the ranges in the body — as it answers values.batchGet. The sink's gateway sends the body
 * form past its URL budget (sheets-gateway.ts URL_BUDGET): a narrow Audit read with 150 drift rows scattered asked
 * for 755 ranges in a 25 KB URL, which failed every command. And a body over 10 MiB is refused as Google refuses
 * it (MAX_BODY_BYTES); the sink keeps its bodies under its own budget (maxRequestBytes, 1.9 MB).
 */
import fc from 'fast-check';
import { sheets as sheetsApi, type sheets_v4 } from '@googleapis/sheets';
import {
  MAX_BODY_BYTES,
  MAX_URL_CHARS,
  startSheetsServer,
  type SheetsServer,
} from '../../emulators/sheets-server';
import { matchedInOrder, URL_BUDGET, urlLength } from '../../sync-service/sinks/google/sheets-gateway';
import { a1Range } from '../../sync-service/sinks/google/sheets-a1';
import { fakeAuth } from '../sync-service/sinks/google/sheets-helpers';

const ID = 'long-urls';
let server: SheetsServer;
let api: sheets_v4.Sheets;
beforeAll(async () => {
  server = await startSheetsServer({ spreadsheetId: ID, sheetTitles: ["Q1 'Audit'"] });
  api = sheetsApi({ version: 'v4', rootUrl: server.rootUrl, auth: fakeAuth(), fetchImplementation: fetch });
  const values = Array.from({ length: 400 }, (_, r) =>
    Array.from({ length: 6 }, (_, c) => ((r * c) % 7 === 3 ? '' : `r${r}c${c}`)),
  );
  await api.spreadsheets.values.update({
    spreadsheetId: ID,
    range: `'Q1 ''Audit'''!A1`,
    valueInputOption: 'RAW',
    requestBody: { values },
  });
});
afterAll(() => server.close());

const TITLE = "Q1 'Audit'";
const rangeArb = fc
  .tuple(fc.nat(399), fc.nat(5), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 3 }))
  .map(([r, c, h, w]) => a1Range(TITLE, r, c, r + h, Math.min(c + w, 6)));

test(`a URL past ${MAX_URL_CHARS} characters is refused (414)`, async () => {
  const ranges = Array.from({ length: 120 }, (_, i) => a1Range(TITLE, i, 0, i + 1, 1));
  expect(urlLength(ID, ranges)).toBeGreaterThan(MAX_URL_CHARS);
  await expect(api.spreadsheets.values.batchGet({ spreadsheetId: ID, ranges })).rejects.toMatchObject({
    status: 414,
  });
});

test('property: batchGetByDataFilter answers each a1Range as batchGet does, by rows and by columns', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(rangeArb, { minLength: 1, maxLength: 8 }),
      fc.boolean(),
      async (ranges, byColumns) => {
        const how = {
          majorDimension: byColumns ? 'COLUMNS' : 'ROWS',
          valueRenderOption: 'UNFORMATTED_VALUE',
        };
        const plain = await api.spreadsheets.values.batchGet({ spreadsheetId: ID, ranges, ...how });
        const byFilter = await api.spreadsheets.values.batchGetByDataFilter({
          spreadsheetId: ID,
          requestBody: { dataFilters: ranges.map((a1Range) => ({ a1Range })), ...how },
        });
        const values = (v: sheets_v4.Schema$ValueRange[]) => v.map((x) => x.values ?? []);
        expect(values(matchedInOrder(ranges, byFilter.data.valueRanges ?? []))).toEqual(
          values(plain.data.valueRanges ?? []),
        );
      },
    ),
    { numRuns: 30 },
  );
});

test('property: the URL budget is an upper bound of the URL googleapis sends, inside what the server takes', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(rangeArb, { minLength: 1, maxLength: 60 }), async (ranges) => {
      const estimate = urlLength(ID, ranges);
      fc.pre(estimate <= URL_BUDGET);
      server.stats.reset();
      await api.spreadsheets.values.batchGet({
        spreadsheetId: ID,
        ranges,
        majorDimension: 'COLUMNS',
        valueRenderOption: 'UNFORMATTED_VALUE',
        dateTimeRenderOption: 'SERIAL_NUMBER',
      });
      const sent = server.stats.requests[0].urlChars;
      expect(sent).toBeLessThanOrEqual(estimate);
      expect(sent).toBeLessThanOrEqual(MAX_URL_CHARS);
    }),
    { numRuns: 40 },
  );
});

test('matched ranges are put back in the order asked, by their own filter', () => {
  const m = (a1Range: string, v: string) => ({ valueRange: { values: [[v]] }, dataFilters: [{ a1Range }] });
  expect(matchedInOrder(['A', 'B', 'A'], [m('B', 'b'), m('A', 'a1'), m('A', 'a2')])).toEqual([
    { values: [['a1']] },
    { values: [['b']] },
    { values: [['a2']] },
  ]);
  // without their filters, or with filters written back in another form: by position
  expect(matchedInOrder(['A', 'B'], [{ valueRange: { values: [['x']] } }, {}])).toEqual([
    { values: [['x']] },
    {},
  ]);
  expect(matchedInOrder(["'T'!A1", "'T'!B1"], [m('T!A1', 'a'), m('T!B1', 'b')])).toEqual([
    { values: [['a']] },
    { values: [['b']] },
  ]);
});

test(`a request body over ${MAX_BODY_BYTES} bytes is refused as Google refuses it (400)`, async () => {
  const big = 'x'.repeat(40_000);
  const values = Array.from({ length: 270 }, () => [big]); // ~10.8 MB of JSON
  await expect(
    api.spreadsheets.values.update({
      spreadsheetId: ID,
      range: `'Q1 ''Audit'''!H1`,
      valueInputOption: 'RAW',
      requestBody: { values },
    }),
  ).rejects.toMatchObject({
    status: 400,
    message: expect.stringMatching(/payload size exceeds the limit: 10485760/),
  });
});
