/**
 * Two writers on one Google Sheet, against the local Sheets server with latency and "applied, then the reply
 * was lost" faults: two syncs at once, a sync while a person edits, a sync while the add-on writes. No row is
 * doubled, no edit is lost, and every run completes or says why.
 */
import { ADDON_WRITE_KEY, SYNC_LOCK_KEY } from '../../../../core/locks';
import { TABS, type CreditField } from '../../../../core/sheet-contract';
import type { Cell } from '../../../../core/table';
import { columnLetters } from '../../../../emulators/sheets-model';
import type { SheetsServer } from '../../../../emulators/sheets-server';
import type { ChangeSet, Snapshot } from '../../../../core/sheet-changes';
import { SHEET_ID, changesFor, creditRow, creditsByKey, makeSink, startServer, tab } from './sheets-helpers';

/** Waiting for another writer: up to 20 s, looking every 10 ms. */
const WAIT = { lockWait: { attempts: 2000, ms: 10 } };

const desired = Array.from({ length: 214 }, (_, i) => creditRow(i + 1));

async function syncOnce(server: SheetsServer, delayMs = 0) {
  await new Promise((done) => setTimeout(done, delayMs));
  const sink = makeSink(server, WAIT);
  try {
    const snapshot = await sink.read();
    const changes = changesFor(snapshot, desired);
    changes.audit = changes.appends.map((a) => auditRow(String(a.creditId), 'sync-add'));
    return await sink.write(changes);
  } finally {
    await sink.close();
  }
}

function auditRow(creditId: string, action: string) {
  return {
    when: '2026-12-01T10:00:00.000Z',
    who: 'test',
    action,
    creditId,
    field: 'status',
    before: '',
    after: '',
  };
}

function auditIds(server: SheetsServer): string[] {
  const cells = tab(server.state.sheet(SHEET_ID), 'Audit').cells;
  const at = (cells[0] ?? []).indexOf('Credit ID');
  return cells
    .slice(1)
    .map((r) => String(r[at] ?? ''))
    .filter(Boolean);
}

function metadataKeys(server: SheetsServer): string[] {
  return server.state.sheet(SHEET_ID).developerMetadata.map((m) => String(m.metadataKey));
}

/** A person typing into the grid: a plain values.update, as the Sheets UI (or any other client) would. */
async function personWrites(server: SheetsServer, key: string, values: Partial<Record<string, Cell>>) {
  const credits = tab(server.state.sheet(SHEET_ID), 'Credits');
  const headers = (credits.cells[0] ?? []).map((h) => String(h ?? ''));
  const row = credits.cells.findIndex((r) => r[headers.indexOf('Key')] === key);
  for (const [header, value] of Object.entries(values)) {
    const a1 = `Credits!${columnLetters(headers.indexOf(header))}${row + 1}`;
    const res = await fetch(
      `${server.rootUrl}v4/spreadsheets/${SHEET_ID}/values/${encodeURIComponent(a1)}?valueInputOption=RAW`,
      {
        method: 'PUT',
        body: JSON.stringify({ values: [[value]] }),
        headers: { 'content-type': 'application/json' },
      },
    );
    expect(res.status).toBe(200);
  }
}

describe('two syncs at once on a slow Google Sheet that loses replies', () => {
  test.each([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])(
    'trial %i: 214 credits, none doubled, both runs complete',
    async (trial) => {
      const server = await startServer();
      try {
        server.latency(5 + trial * 2);
        // The structural requests and a value write are applied but their replies are lost, once each.
        server.inject({
          match: { op: 'batchUpdate', body: /"createDeveloperMetadata"/ },
          fault: { failAfterApply: true },
        });
        server.inject({ match: { op: 'batchUpdate', body: /"addSheet"/ }, fault: { failAfterApply: true } });
        server.inject({
          match: { op: 'batchUpdate', body: /"addProtectedRange"|"releasing/ },
          fault: { failAfterApply: true },
        });
        server.inject({ match: { op: 'values.batchUpdate' }, fault: { failAfterApply: true } });
        const [a, b] = await Promise.all([
          syncOnce(server),
          syncOnce(server, Math.floor(Math.random() * 60)),
        ]);
        expect(a.appendedRows + b.appendedRows).toBe(desired.length);
        const rows = creditsByKey(server.state.sheet(SHEET_ID)); // throws on a duplicated key
        expect(rows.size).toBe(desired.length);
        expect(
          tab(server.state.sheet(SHEET_ID), 'Credits')
            .cells.slice(1)
            .filter((r) => r.some((c) => c !== null && c !== '')).length,
        ).toBe(desired.length);
        // One sync-add audit row per credit, not two.
        expect(auditIds(server).sort()).toEqual(desired.map((d) => String(d.creditId)).sort());
        expect(
          server.state
            .sheet(SHEET_ID)
            .sheets.map((s) => s.properties.title)
            .filter((t) => t === 'Credits'),
        ).toHaveLength(1);
        expect(metadataKeys(server)).toEqual([]); // the lock was released
      } finally {
        await server.close();
      }
    },
  );

  test('"add the Credits tab" applied but its reply lost: the retry does not fail with "already exists"', async () => {
    const server = await startServer();
    try {
      server.inject({ match: { op: 'batchUpdate', body: /"addSheet"/ }, fault: { failAfterApply: true } });
      const sink = makeSink(server);
      const snapshot = await sink.read();
      expect(snapshot.tabs.credits.headers).toContain('Key');
      expect(server.stats.requests.some((r) => r.fault?.includes('failAfterApply'))).toBe(true);
      await sink.write(changesFor(snapshot, desired.slice(0, 3)));
      // Each contract tab exactly once: the refused retry did not add a second copy of any.
      expect(server.state.sheet(SHEET_ID).sheets.map((s) => s.properties.title)).toEqual([
        'Sheet1',
        ...Object.values(TABS).map((t) => t.name),
      ]);
      expect(creditsByKey(server.state.sheet(SHEET_ID)).size).toBe(3);
    } finally {
      await server.close();
    }
  });
});

describe('a person edits between the sync read and its write', () => {
  let server: SheetsServer;
  beforeEach(async () => {
    server = await startServer();
    const sink = makeSink(server);
    await sink.write(changesFor(await sink.read(), desired.slice(0, 5)));
  });
  afterEach(() => server.close());

  /** What apply-rules would plan from this snapshot: every PENDING_ASSIGN credit gets "customer 100%". */
  function assignAll(snapshot: Snapshot): ChangeSet {
    const idx = snapshot.tabs.credits.headers;
    const at = (h: string) => idx.indexOf(h);
    const out: ChangeSet = { updates: [], appends: [], audit: [] };
    snapshot.tabs.credits.rows.forEach((r) => {
      const creditId = String(r[at('Credit ID')]);
      out.updates.push({
        key: String(r[at('Key')]),
        creditId,
        fields: { status: 'ASSIGNED', allocation: 'customer 100%', ruleId: 'default' } as Partial<
          Record<CreditField, Cell>
        >,
        expect: { status: r[at('Status')], allocation: r[at('Allocation')] ?? '' },
      });
      out.audit.push(auditRow(creditId, 'rule-applied'));
    });
    return out;
  }

  test("the person's assignment is kept, the sync skips that credit and says so, and the others are written", async () => {
    const sink = makeSink(server);
    const snapshot = await sink.read();
    await personWrites(server, 'K000003', { Status: 'ASSIGNED', Allocation: 'reseller 100%' });
    await personWrites(server, 'K000004', { Allocation: 'customer 50%' });
    const report = await sink.write(assignAll(snapshot));
    expect(report.skipped.map((s) => [s.creditId, s.reason.split(' by ')[0]])).toEqual([
      ['CR-3', 'its Status was changed to "ASSIGNED"'],
      ['CR-4', 'its Allocation was changed to "customer 50%"'],
    ]);
    const rows = creditsByKey(server.state.sheet(SHEET_ID));
    expect(rows.get('K000003')).toMatchObject({ Status: 'ASSIGNED', Allocation: 'reseller 100%' });
    expect(rows.get('K000004')).toMatchObject({ Status: 'PENDING_ASSIGN', Allocation: 'customer 50%' });
    for (const k of ['K000001', 'K000002', 'K000005'])
      expect(rows.get(k)).toMatchObject({ Status: 'ASSIGNED', Allocation: 'customer 100%' });
    // No audit row claims a change that did not happen.
    expect(auditIds(server).filter((id) => id === 'CR-3' || id === 'CR-4')).toEqual([]);
    expect(report.updatedRows).toBe(3);
  });

  test('a credit collected (PROCESSING) meanwhile is never changed by a plan made before', async () => {
    const sink = makeSink(server);
    const snapshot = await sink.read();
    await personWrites(server, 'K000002', { Status: 'PROCESSING', Allocation: 'customer 100%' });
    const report = await sink.write(assignAll(snapshot));
    expect(report.skipped.map((s) => s.creditId)).toEqual(['CR-2']);
    expect(creditsByKey(server.state.sheet(SHEET_ID)).get('K000002')).toMatchObject({
      Status: 'PROCESSING',
      Rule: null,
    });
  });
});

describe('the sync and the add-on exclude each other', () => {
  let server: SheetsServer;
  beforeEach(async () => {
    server = await startServer();
  });
  afterEach(() => server.close());

  function addonMarker(expiresInMs: number, metadataId = 77) {
    const since = new Date(Date.now() - 1000).toISOString();
    server.state.sheet(SHEET_ID).developerMetadata.push({
      metadataId,
      metadataKey: ADDON_WRITE_KEY,
      metadataValue: JSON.stringify({
        owner: 'alice@example.com',
        since,
        expiresAt: new Date(Date.now() + expiresInMs).toISOString(),
      }),
      location: { spreadsheet: true, locationType: 'SPREADSHEET' },
      visibility: 'DOCUMENT',
    });
    return since;
  }

  test('a live add-on write marker: the sync waits, then refuses naming who and since when, and leaves no lock', async () => {
    const since = addonMarker(60_000);
    const waits: string[] = [];
    const sink = makeSink(server, { lockWait: { attempts: 10, ms: 20 }, onLockWait: (m) => waits.push(m) });
    await expect(sink.read()).rejects.toMatchObject({
      code: 'LOCKED',
      message: expect.stringMatching(
        new RegExp(
          `add-on by alice@example\\.com, since ${since.slice(0, 10)} [\\d:]+ UTC; gave up after waiting`,
        ),
      ),
    });
    expect(waits).toEqual([expect.stringContaining('being changed by the add-on (alice@example.com')]);
    expect(metadataKeys(server)).toEqual([ADDON_WRITE_KEY]); // ours was removed, theirs untouched
    // Nothing was written: not even the tabs.
    expect(server.state.sheet(SHEET_ID).sheets.map((s) => s.properties.title)).toEqual(['Sheet1']);
  });

  test('the add-on finishes while the sync waits: the sync then proceeds', async () => {
    addonMarker(60_000);
    setTimeout(() => {
      const ss = server.state.sheet(SHEET_ID);
      ss.developerMetadata = ss.developerMetadata.filter((m) => m.metadataKey !== ADDON_WRITE_KEY);
    }, 150);
    const sink = makeSink(server, WAIT);
    await sink.write(changesFor(await sink.read(), desired.slice(0, 4)));
    expect(creditsByKey(server.state.sheet(SHEET_ID)).size).toBe(4);
    expect(metadataKeys(server)).toEqual([]);
  });

  test('an expired add-on marker (an interrupted add-on) is ignored', async () => {
    addonMarker(-1000);
    const sink = makeSink(server, { lockWait: { attempts: 1, ms: 1 } });
    await sink.write(changesFor(await sink.read(), desired.slice(0, 2)));
    expect(creditsByKey(server.state.sheet(SHEET_ID)).size).toBe(2);
  });

  test('an expired add-on marker listed first (an execution killed at its limit) does not hide a live one', async () => {
    addonMarker(-1000, 77);
    addonMarker(60_000, 78);
    const sink = makeSink(server, { lockWait: { attempts: 2, ms: 5 } });
    await expect(sink.read()).rejects.toMatchObject({
      code: 'LOCKED',
      message: expect.stringMatching(/changed in the add-on by alice@example\.com/),
    });
  });

  test('while the sync holds its lock, the add-on sees the shared marker (same key, readable format)', async () => {
    const sink = makeSink(server, { lockOwner: 'credit-desk sync (bob)' });
    await sink.read();
    const marker = server.state
      .sheet(SHEET_ID)
      .developerMetadata.find((m) => m.metadataKey === SYNC_LOCK_KEY);
    expect(JSON.parse(String(marker?.metadataValue))).toMatchObject({
      owner: 'credit-desk sync (bob)',
      since: expect.any(String),
      expiresAt: expect.any(String),
    });
    await sink.close();
    expect(metadataKeys(server)).toEqual([]);
  });
});
