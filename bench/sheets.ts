/**
 * Google Sheets sink speed against the local Sheets v4 server: 50,000 new credits into an empty sheet (one
 * read + one write through the sink), then a re-sync with 1 % of the rows changed. Then the same upsert by key
 * with the `google-spreadsheet` library (getRows, row.save() per changed row, addRows for new ones) on the
 * same server, and the ratios of requests and seconds. The local server answers instantly, so seconds here
 * are client + JSON cost; against Google every request adds latency and counts against the 60/min quota.
 */
import { CREDIT_COLUMNS, type CreditField } from '../core/sheet-contract';
import { indexColumns, text, type Cell } from '../core/table';
import { createGoogleSheetsSink } from '../sync-service/sinks/google/google-sheets';
import type { ChangeSet, Snapshot } from '../core/sheet-changes';
import { startSheetsServer, type SheetsServer } from '../emulators/sheets-server';
import { seconds, type Figure } from './figures';

const ROWS = 50_000;
const SPREADSHEET = 'bench-sheet';
const STATUSES = ['PENDING_ASSIGN', 'ASSIGNED', 'PROCESSING', 'PROCESSED'];

function credit(i: number, changed = false): Record<CreditField, Cell> {
  const row = {} as Record<CreditField, Cell>;
  for (const c of CREDIT_COLUMNS) row[c.field] = '';
  return Object.assign(row, {
    key: `2024-05|${String(100000000000 + (i % 2000))}|${i}`,
    creditId: `CR-2024-05-${String(i).padStart(6, '0')}`,
    period: '2024-05',
    accountId: String(100000000000 + (i % 2000)),
    payerAccountId: '000123456789',
    service: i % 3 ? 'AmazonEC2' : 'AmazonS3',
    description: changed ? `AWS Activate credit ${i % 97} (revised)` : `AWS Activate credit ${i % 97}`,
    amount: ((i * 7919) % 100000) / 100,
    currency: 'USD',
    status: STATUSES[i % 4],
  });
}

const desired = (changedEvery: number) =>
  Array.from({ length: ROWS }, (_, i) => credit(i, changedEvery > 0 && i % changedEvery === 0));

/** What the merge would hand the sink: the differing sync fields of known keys, the rest appended. */
function changesFor(snapshot: Snapshot, rows: Record<CreditField, Cell>[]): ChangeSet {
  const grid = snapshot.tabs.credits;
  const idx = indexColumns<CreditField>('credits', grid.headers);
  const at = new Map(grid.rows.map((r, i) => [text(r[idx.key]), i]));
  const changes: ChangeSet = { updates: [], appends: [], audit: [] };
  for (const d of rows) {
    const row = at.get(String(d.key));
    if (row === undefined) changes.appends.push(d);
    else if (text(grid.rows[row][idx.description]) !== text(d.description)) {
      changes.updates.push({ key: String(d.key), fields: { description: d.description } });
    }
  }
  return changes;
}

async function measure(
  server: SheetsServer,
  run: () => Promise<void>,
): Promise<{ requests: number; bytes: number; down: number; wire: number; secs: number }> {
  server.stats.reset();
  const t0 = performance.now();
  await run();
  const reqs = server.stats.requests;
  return {
    requests: server.stats.count(),
    bytes: server.stats.bytes(),
    // Down as JSON and as sent (gzip when the client asks as Google's guide says: emulators/sheets-server.ts).
    down: reqs.reduce((s, r) => s + r.responseBytes, 0),
    wire: reqs.reduce((s, r) => s + r.wireBytes, 0),
    secs: seconds(t0),
  };
}

function figures(
  label: string,
  m: { requests: number; bytes: number; down: number; wire: number; secs: number },
): Figure[] {
  return [
    { name: `${label}: requests`, value: m.requests, unit: 'requests' },
    { name: `${label}: bytes`, value: m.bytes, unit: 'bytes (up + down, JSON)' },
    { name: `${label}: bytes down`, value: m.down, unit: `bytes JSON, ${m.wire} on the wire` },
    { name: `${label}: time`, value: m.secs, unit: 's' },
  ];
}

async function withServer<T>(run: (server: SheetsServer) => Promise<T>): Promise<T> {
  const server = await startSheetsServer({ callerEmail: 'credit-sync@bench.iam.gserviceaccount.com' });
  server.createSpreadsheet(SPREADSHEET, ['Sheet1']);
  try {
    return await run(server);
  } finally {
    await server.close();
  }
}

function sinkOn(server: SheetsServer) {
  return createGoogleSheetsSink({
    spreadsheetId: SPREADSHEET,
    rootUrl: server.rootUrl,
    syncIdentity: 'credit-sync@bench.iam.gserviceaccount.com',
    maxWriteRequestsPerMinute: 1_000_000,
  });
}

async function benchSink(): Promise<{
  first: Awaited<ReturnType<typeof measure>>;
  resync: Awaited<ReturnType<typeof measure>>;
}> {
  return withServer(async (server) => {
    const first = await measure(server, async () => {
      const sink = sinkOn(server);
      await sink.write(changesFor(await sink.read(), desired(0)));
    });
    const resync = await measure(server, async () => {
      const sink = sinkOn(server);
      await sink.write(changesFor(await sink.read(), desired(100)));
    });
    return { first, resync };
  });
}

/** The same upsert by key with google-spreadsheet's row API (row numbers, one PUT per changed row). */
async function upsertWithGoogleSpreadsheet(
  server: SheetsServer,
  rows: Record<CreditField, Cell>[],
): Promise<void> {
  const { GoogleSpreadsheet } = await import('google-spreadsheet'); // an ES module
  const doc = new GoogleSpreadsheet(SPREADSHEET, { token: 'bench-token' });
  // The library has Google's URL built in; point its HTTP client (ky) at the local server instead.
  const local = doc.sheetsApi.extend({ prefixUrl: `${server.rootUrl}v4/spreadsheets/${SPREADSHEET}` });
  (doc as unknown as { sheetsApi: typeof local }).sheetsApi = local;
  await doc.loadInfo();
  const sheet = doc.sheetsByTitle.Credits;
  const existing = await sheet.getRows<Record<string, string>>();
  const byKey = new Map(existing.map((r) => [r.get('Key'), r]));
  const header = Object.fromEntries(CREDIT_COLUMNS.map((c) => [c.field, c.header]));
  const fresh: Record<string, string | number | boolean>[] = [];
  for (const d of rows) {
    const asRow = Object.fromEntries(Object.entries(d).map(([f, v]) => [header[f], v ?? '']));
    const row = byKey.get(String(d.key));
    if (!row) fresh.push(asRow);
    else if (row.get('Description') !== d.description) {
      row.assign({ Description: String(d.description) });
      await row.save({ raw: true });
    }
  }
  if (fresh.length) await sheet.addRows(fresh, { raw: true, insert: true });
}

async function benchGoogleSpreadsheet(): Promise<{
  first: Awaited<ReturnType<typeof measure>>;
  resync: Awaited<ReturnType<typeof measure>>;
}> {
  return withServer(async (server) => {
    await sinkOn(server).read(); // the same tabs and headers as the sink's run (not measured)
    const first = await measure(server, () => upsertWithGoogleSpreadsheet(server, desired(0)));
    const resync = await measure(server, () => upsertWithGoogleSpreadsheet(server, desired(100)));
    return { first, resync };
  });
}

export async function benchSheets(): Promise<Figure[]> {
  const sink = await benchSink();
  const lib = await benchGoogleSpreadsheet();
  const ratio = (a: number, b: number) => Math.round((a / Math.max(b, 1e-9)) * 10) / 10;
  return [
    ...figures(`Sheets sink, ${ROWS} new credits (read + write)`, sink.first),
    ...figures(`Sheets sink, re-sync with 1 % changed`, sink.resync),
    ...figures(`google-spreadsheet, ${ROWS} new credits`, lib.first),
    ...figures(`google-spreadsheet, re-sync with 1 % changed`, lib.resync),
    {
      name: 're-sync requests, google-spreadsheet ÷ sink',
      value: ratio(lib.resync.requests, sink.resync.requests),
      unit: '×',
    },
    {
      name: 're-sync time, google-spreadsheet ÷ sink',
      value: ratio(lib.resync.secs, sink.resync.secs),
      unit: '×',
    },
    // The local server answers at once; against Google the per-user quota (60 requests a minute) sets the floor.
    {
      name: 're-sync at the 60/min quota, sink (at least)',
      value: ratio(sink.resync.requests, 60),
      unit: 'min',
    },
    {
      name: 're-sync at the 60/min quota, google-spreadsheet (at least)',
      value: ratio(lib.resync.requests, 60),
      unit: 'min',
    },
  ];
}
