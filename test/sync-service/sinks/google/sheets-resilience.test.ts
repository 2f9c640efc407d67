import { headersOf } from '../../../../core/sheet-contract';
import { indexColumns } from '../../../../core/table';
import { shiftDimension, sortRows } from '../../../../emulators/sheets-model';
import type { SheetsServer } from '../../../../emulators/sheets-server';
import { LOCK_KEY } from '../../../../sync-service/sinks/google/sheets-lock';
import {
  changesFor,
  comparable,
  creditRow,
  creditsByKey,
  lockRanges,
  makeSink,
  SHEET_ID,
  startServer,
  tab,
} from './sheets-helpers';

const idx = indexColumns('credits', headersOf('credits'));
const first = Array.from({ length: 40 }, (_, i) =>
  creditRow(i, { status: i % 4 === 0 ? 'PROCESSED' : 'PENDING_ASSIGN' }),
);
const second = [
  ...first.map((r, i) =>
    i % 5 === 0 ? { ...r, description: `changed ${i}`, status: i % 10 === 0 ? 'PROCESSING' : r.status } : r,
  ),
  ...Array.from({ length: 15 }, (_, i) => creditRow(100 + i, { status: 'PROCESSED' })),
];

/** Two syncs (create, then update + append) with a fixed clock, returning the final state. */
async function twoSyncs(server: SheetsServer): Promise<unknown> {
  const sink = makeSink(server, {
    now: () => new Date('2024-06-01T00:00:00Z'),
    retry: { maxAttempts: 12, baseMs: 1, maxMs: 4 },
  });
  await sink.write(changesFor(await sink.read(), first));
  await sink.write(changesFor(await sink.read(), second));
  return comparable(server.state.sheet(SHEET_ID));
}

describe('Google Sheets sink under faults', () => {
  test('25% of requests failing with 429/5xx/resets (some after applying) gives the same sheet as a clean run', async () => {
    const clean = await startServer();
    const want = await twoSyncs(clean);
    await clean.close();
    for (const seed of [1, 2, 3]) {
      const flaky = await startServer();
      flaky.chaos({ rate: 0.25, seed });
      const got = await twoSyncs(flaky);
      expect(flaky.stats.requests.filter((r) => r.fault).length).toBeGreaterThan(2);
      expect(got).toEqual(want);
      await flaky.close();
    }
  });

  test('an append applied by the server whose reply was lost is retried without duplicating rows', async () => {
    const server = await startServer();
    server.inject({ match: { op: 'values.batchUpdate' }, fault: { reset: 'after' } });
    const sink = makeSink(server);
    await sink.write(changesFor(await sink.read(), first));
    expect(server.stats.requests.filter((r) => r.op === 'values.batchUpdate')).toHaveLength(2);
    expect(creditsByKey(server.state.sheet(SHEET_ID)).size).toBe(first.length);
    expect(
      tab(server.state.sheet(SHEET_ID), 'Credits')
        .cells.slice(1)
        .filter((r) => r[idx.key]).length,
    ).toBe(first.length);
    await server.close();
  });

  test('gives up after bounded attempts with a message that says what to do', async () => {
    const server = await startServer();
    server.inject({ match: { op: 'get' }, fault: { status: 429 }, times: Infinity });
    await expect(makeSink(server, { retry: { maxAttempts: 3, baseMs: 1, maxMs: 2 } }).read()).rejects.toThrow(
      /quota is exhausted \(still 429 after 3 attempts\)[\s\S]*Wait a minute/,
    );
    expect(server.stats.count('get')).toBe(3);
    await server.close();
  });

  test('a sync killed between two write requests: the next run converges without duplicates', async () => {
    const server = await startServer();
    const crashing = makeSink(server, {
      maxRequestBytes: 3000,
      afterWriteRequest: (n) => {
        if (n === 2) throw new Error('killed');
      },
    });
    await expect(crashing.write(changesFor(await crashing.read(), first))).rejects.toThrow('killed');
    const partial = creditsByKey(server.state.sheet(SHEET_ID)).size;
    expect(partial).toBeGreaterThan(0);
    expect(partial).toBeLessThan(first.length);
    const sink = makeSink(server);
    await sink.write(changesFor(await sink.read(), first)); // the lock was released, the next run proceeds
    expect(creditsByKey(server.state.sheet(SHEET_ID)).size).toBe(first.length);
    expect(
      tab(server.state.sheet(SHEET_ID), 'Credits')
        .cells.slice(1)
        .filter((r) => r[idx.key]).length,
    ).toBe(first.length);
    expect(lockRanges(server.state.sheet(SHEET_ID))).toHaveLength(10);
    await server.close();
  });
});

describe('A person editing between read and write', () => {
  let server: SheetsServer;
  beforeEach(async () => {
    server = await startServer();
    const sink = makeSink(server);
    await sink.write(changesFor(await sink.read(), first));
  });
  afterEach(() => server.close());

  async function syncWith(person: (s: ReturnType<SheetsServer['state']['sheet']>) => void) {
    const sink = makeSink(server);
    const snap = await sink.read();
    // The person acts just before the write's first request (the lock read).
    server.onBetween({ match: { op: 'get' }, run: (state) => person(state.sheet(SHEET_ID)) });
    return sink.write(changesFor(snap, second));
  }

  test('sorting the rows: updates land on the right rows and protection follows the statuses', async () => {
    await syncWith((ss) => sortRows(tab(ss, 'Credits'), 1, idx.description, true));
    const rows = creditsByKey(server.state.sheet(SHEET_ID));
    for (const d of second)
      expect(rows.get(String(d.key))).toMatchObject({ Description: d.description, Status: d.status });
    const cells = tab(server.state.sheet(SHEET_ID), 'Credits').cells;
    const lockedRows = cells
      .map((r, i) => (i > 0 && (r[idx.status] === 'PROCESSED' || r[idx.status] === 'PROCESSING') ? i : -1))
      .filter((i) => i > 0);
    const covered = lockRanges(server.state.sheet(SHEET_ID)).flatMap((r) => {
      const [a, b] = r.split(':')[0].split('-').map(Number);
      return Array.from({ length: b - a }, (_, k) => a + k);
    });
    expect(covered.sort((x, y) => x - y)).toEqual(lockedRows);
  });

  test("editing a cell: the person's edit survives", async () => {
    await syncWith((ss) => {
      const credits = tab(ss, 'Credits');
      const row = credits.cells.findIndex((r) => r[idx.key] === 'K000005');
      credits.cells[row][idx.notes] = 'typed by Ann';
      credits.cells[row][idx.allocation] = 'customer 100%';
    });
    expect(creditsByKey(server.state.sheet(SHEET_ID)).get('K000005')).toMatchObject({
      Notes: 'typed by Ann',
      Allocation: 'customer 100%',
      Description: 'changed 5',
    });
  });

  test('inserting and deleting rows: updates follow the keys, appends go after the last row, nothing overwritten', async () => {
    await syncWith((ss) => {
      const credits = tab(ss, 'Credits');
      shiftDimension(credits, 'ROWS', 3, 2); // two blank rows inserted at sheet rows 4-5
      credits.cells[3][idx.notes] = 'a staff row';
      shiftDimension(credits, 'ROWS', 20, -1); // a row deleted
    });
    const rows = creditsByKey(server.state.sheet(SHEET_ID));
    const deletedKey = first
      .map((r) => String(r.key))
      .find(
        (k) =>
          !rows.has(k) &&
          !second.some((d) => d.key === k && d.description !== first.find((f) => f.key === k)!.description),
      );
    for (const d of second) {
      if (String(d.key) === deletedKey) continue;
      if (rows.has(String(d.key)))
        expect(rows.get(String(d.key))).toMatchObject({ Description: d.description });
    }
    expect(tab(server.state.sheet(SHEET_ID), 'Credits').cells[3][idx.notes]).toBe('a staff row');
    expect(rows.size).toBe(first.length - 1 + 15);
  });
});

describe('The sync lock', () => {
  test('blocks a second writer while held, names the holder, and expires', async () => {
    const server = await startServer();
    await makeSink(server, { readOnly: true }).read(); // the tabs exist
    const sink = makeSink(server);
    const ss = server.state.sheet(SHEET_ID);
    const expiresAt = new Date(Date.now() + 60_000).toISOString();
    ss.developerMetadata.push({
      metadataId: 1_430_771_001,
      metadataKey: LOCK_KEY,
      metadataValue: JSON.stringify({
        owner: 'other-run',
        host: 'ci-box',
        since: '2024-06-01T00:00:00.000Z',
        expiresAt,
      }),
      location: { spreadsheet: true },
      visibility: 'DOCUMENT',
    });
    // The lock is taken before the read, so the read → plan → write of another run never interleaves.
    await expect(sink.read()).rejects.toMatchObject({
      code: 'LOCKED',
      message: expect.stringMatching(
        new RegExp(
          `being changed by another run: other-run on ci-box, since 2024-06-01 00:00 UTC[\\s\\S]*its lock expires at ${expiresAt}`,
        ),
      ),
    });
    expect(creditsByKey(ss).size).toBe(0);
    const later = makeSink(server, { now: () => new Date(Date.now() + 120_000) });
    await later.read();
    await later.write({ updates: [], appends: [creditRow(1)], audit: [] });
    expect(creditsByKey(server.state.sheet(SHEET_ID)).size).toBe(1);
    expect(server.state.sheet(SHEET_ID).developerMetadata).toEqual([]); // released
    await server.close();
  });

  test('two concurrent writers: one waits for the other, no rows lost or duplicated', async () => {
    const server = await startServer();
    const a = makeSink(server, { lockWait: { attempts: 500, ms: 20 } });
    const b = makeSink(server, { lockWait: { attempts: 500, ms: 20 } });
    await Promise.all([
      a.read().then(() => a.write({ updates: [], appends: [creditRow(1), creditRow(2)], audit: [] })),
      b.read().then(() => b.write({ updates: [], appends: [creditRow(3), creditRow(4)], audit: [] })),
    ]);
    expect([...creditsByKey(server.state.sheet(SHEET_ID)).keys()].sort()).toEqual([
      'K000001',
      'K000002',
      'K000003',
      'K000004',
    ]);
    await server.close();
  });
});
