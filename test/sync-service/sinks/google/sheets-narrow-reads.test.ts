/**
 * What the Google Sheets sink downloads (issue #25): a write re-reads the header, the Key cells of the rows it
 * writes and of the last row (the whole Key column only when a row moved or it appends: decision 0022), the
 * Status column and the guarded cells of the rows it compare-and-sets; a read that names the Credits fields the
 * command decides from asks for those columns only. The counts come from the local server (emulators/sheets-server.ts: each request's ranges and
 * response bytes).
 */
import fc from 'fast-check';
import { CREDIT_COLUMNS, headersOf, type CreditField } from '../../../../core/sheet-contract';
import { indexColumns, text } from '../../../../core/table';
import { columnLetter } from '../../../../core/sheet-layout';
import { sortRows } from '../../../../emulators/sheets-model';
import type { SheetsServer } from '../../../../emulators/sheets-server';
import { asRows } from '../../../../sync-service/sinks/google/sheets-gateway';
import { MAX_ROW_RUNS, rowRuns } from '../../../../sync-service/sinks/google/sheets-reread';
import { changesFor, creditRow, lockRanges, makeSink, SHEET_ID, startServer, tab } from './sheets-helpers';

let server: SheetsServer;
beforeEach(async () => {
  server = await startServer();
});
afterEach(() => server.close());

const idx = indexColumns<CreditField>('credits', headersOf('credits'));
const col = (f: CreditField) => columnLetter(idx[f]);

/** A sheet of `n` credits (every 4th PROCESSED unless `unlocked`), written through the sink. */
async function loaded(n: number, unlocked = false): Promise<void> {
  const sink = makeSink(server);
  const rows = Array.from({ length: n }, (_, i) =>
    creditRow(i, i % 4 || unlocked ? {} : { status: 'PROCESSED' }),
  );
  await sink.write(changesFor(await sink.read(), rows));
}

/** Values downloaded (bytes) and ranges asked by the values requests since the last reset. */
function downloaded(): { bytes: number; ranges: string[] } {
  const reqs = server.stats.requests.filter((r) => r.op === 'values.batchGet');
  return {
    bytes: reqs.reduce((s, r) => s + r.responseBytes, 0),
    ranges: reqs.flatMap((r) => (r.op === 'values.batchGet' ? (r.ranges ?? []) : [])),
  };
}

/** The write of one assignment (with its compare-and-set and Audit row), after a read; what it downloaded. */
async function assignOne(
  n: number,
  unlocked = false,
): Promise<{ bytes: number; ranges: string[]; keyBytes: number; statusBytes: number }> {
  await loaded(n, unlocked);
  const sink = makeSink(server);
  await sink.read();
  server.stats.reset();
  const key = creditRow(5).key as string;
  const report = await sink.write({
    updates: [
      {
        key,
        creditId: 'CR-5',
        fields: { status: 'ASSIGNED', allocation: 'customer 100%' },
        expect: { status: 'PENDING_ASSIGN', allocation: '' },
      },
    ],
    appends: [],
    audit: [{ when: 'now', who: 'me', action: 'assign', creditId: 'CR-5', field: '', before: '', after: '' }],
  });
  expect(report.updatedRows).toBe(1);
  const got = downloaded();
  // The Key and Status columns alone, asked as the sink asks for a column: what each costs.
  const column = async (f: CreditField) =>
    (
      await (
        await fetch(
          `${server.rootUrl}v4/spreadsheets/${SHEET_ID}/values:batchGet?majorDimension=COLUMNS&ranges=${encodeURIComponent(`'Credits'!${col(f)}:${col(f)}`)}`,
        )
      ).text()
    ).length;
  return { ...got, keyBytes: await column('key'), statusBytes: await column('status') };
}

describe('Google Sheets sink: a write re-reads only what it writes against', () => {
  test('one assignment: the header, the Key cells of its row and the last row, the Status column, its Status and Allocation, the Audit from its last row', async () => {
    const { ranges } = await assignOne(400);
    const credits = ranges.filter((r) => r.startsWith("'Credits'"));
    const [lo, hi] = [Math.min(idx.status, idx.allocation), Math.max(idx.status, idx.allocation)];
    expect(credits.sort()).toEqual(
      [
        `'Credits'!1:1`,
        // data row 5 is sheet row 7 (header, then rows 0…5); the last of 400 rows is sheet row 401
        `'Credits'!${col('key')}7:${col('key')}7`,
        `'Credits'!${col('key')}401:${col('key')}`,
        `'Credits'!${col('status')}:${col('status')}`, // protection follows the Status column (decision 0022)
        `'Credits'!${columnLetter(lo)}7:${columnLetter(hi)}7`,
      ].sort(),
    );
    expect(credits).not.toContain(`'Credits'!${col('key')}:${col('key')}`);
    expect(ranges.filter((r) => r.startsWith("'Audit'"))).toEqual([`'Audit'!A1:A`]); // no Audit rows yet: from the header
    expect(ranges.some((r) => r.startsWith("'Ledger'"))).toBe(false); // no Ledger change
  });

  test('what it downloads beside the Status column does not grow with the sheet: no Key column', async () => {
    const small = await assignOne(300, true);
    await server.close();
    server = await startServer();
    const big = await assignOne(3000, true);
    // The sheet grows ten times; of what the write downloads, only the Status column grows (the other values:
    // the header, two Key cells, one row's two cells, the Audit's last row). The Key column, which grew as much,
    // is not downloaded. (Values only: spreadsheets.get lists every protected range, one per run of locked rows.)
    expect(big.keyBytes).toBeGreaterThan(8 * small.keyBytes);
    const rest = (d: { bytes: number; statusBytes: number }) => d.bytes - d.statusBytes;
    expect(Math.abs(rest(big) - rest(small))).toBeLessThan(100);
    expect(rest(big)).toBeLessThan(2_000);
    // (As JSON the Status column is no smaller than the Key column; on the wire it is a few KB where the Key
    // column is 0.95 MB at 50,000 credits: decision 0019's table. The bench measures both.)
    expect(big.ranges).not.toContain(`'Credits'!${col('key')}:${col('key')}`);
  });

  test('a sort between the read and the write: the rows it did not re-read keep their protection by Key', async () => {
    await loaded(40);
    const sink = makeSink(server);
    const snap = await sink.read();
    const before = lockRanges(server.state.sheet(SHEET_ID));
    expect(before.length).toBeGreaterThan(0);
    // Staff sort the tab by Credit ID, descending: every PROCESSED row moves.
    sortRows(tab(server.state.sheet(SHEET_ID), 'Credits'), 1, idx.creditId, true);
    const report = await sink.write(
      changesFor(snap, [creditRow(5, { description: 'revised' })], ['description']),
    );
    expect(report.updatedRows).toBe(1);
    const t = tab(server.state.sheet(SHEET_ID), 'Credits');
    const processed = t.cells
      .map((r, i) => (text((r[idx.status] ?? null) as string) === 'PROCESSED' ? i : -1))
      .filter((i) => i > 0);
    const locked = new Set<number>();
    for (const p of t.protectedRanges.filter((x) => x.description === 'credit-desk:locked'))
      for (let r = p.range!.startRowIndex!; r < p.range!.endRowIndex!; r++) locked.add(r);
    expect([...locked].sort((a, b) => a - b)).toEqual(processed);
    expect(t.cells.find((r) => r[idx.key] === creditRow(5).key)?.[idx.description]).toBe('revised');
  });

  test('a staff edit of the Status of the row it writes, between the read and the write, is still caught', async () => {
    await loaded(20);
    const sink = makeSink(server);
    await sink.read();
    const t = tab(server.state.sheet(SHEET_ID), 'Credits');
    t.cells.find((r) => r[idx.key] === creditRow(5).key)![idx.status] = 'ASSIGNED';
    const report = await sink.write({
      updates: [
        {
          key: creditRow(5).key as string,
          creditId: 'CR-5',
          fields: { allocation: 'reseller 100%' },
          expect: { status: 'PENDING_ASSIGN', allocation: '' },
        },
      ],
      appends: [],
      audit: [],
    });
    expect(report.skipped.map((s) => s.why)).toEqual(['changed']);
    expect(t.cells.find((r) => r[idx.key] === creditRow(5).key)![idx.allocation]).toBeFalsy();
  });

  test('Audit rows deleted since the read (the grid shrunk below the last row seen): the next row goes right after the rest', async () => {
    await loaded(5, true);
    const auditRow = (n: number) => ({
      when: `2026-12-0${n}`,
      who: 'me',
      action: 'note',
      creditId: `CR-${n}`,
      field: '',
      before: '',
      after: '',
    });
    const first = makeSink(server);
    await first.read();
    await first.write({ updates: [], appends: [], audit: [1, 2, 3, 4, 5, 6].map(auditRow) });
    const sink = makeSink(server);
    await sink.read();
    const audit = tab(server.state.sheet(SHEET_ID), 'Audit');
    audit.cells.splice(4); // staff delete the last three rows: header + three left
    audit.properties.gridProperties.rowCount = 4;
    await sink.write({ updates: [], appends: [], audit: [auditRow(7)] });
    const now = tab(server.state.sheet(SHEET_ID), 'Audit');
    expect(now.cells.slice(1).map((r) => r[3])).toEqual(['CR-1', 'CR-2', 'CR-3', 'CR-7']);
  });

  test('past MAX_ROW_RUNS scattered rows, Status and Allocation come whole (two ranges, not one per row)', async () => {
    const n = 2 * (MAX_ROW_RUNS + 5);
    await loaded(n);
    const sink = makeSink(server);
    await sink.read();
    server.stats.reset();
    const updates = Array.from({ length: MAX_ROW_RUNS + 5 }, (_, k) => 2 * k + 1).map((i) => ({
      key: creditRow(i).key as string,
      fields: { allocation: 'customer 100%' },
      expect: { allocation: '' },
    }));
    const report = await sink.write({ updates, appends: [], audit: [] });
    expect(report.updatedRows).toBe(updates.length);
    const credits = downloaded().ranges.filter((r) => r.startsWith("'Credits'"));
    expect(credits).toEqual(
      expect.arrayContaining([
        `'Credits'!${col('status')}:${col('status')}`,
        `'Credits'!${col('allocation')}:${col('allocation')}`,
      ]),
    );
    expect(credits).toHaveLength(4);
  });
});

describe('Google Sheets sink: a read that names its Credits fields', () => {
  test('downloads those columns (and Key and Status), never Notes, Last Change or a staff column', async () => {
    await loaded(30);
    const t = tab(server.state.sheet(SHEET_ID), 'Credits');
    const staffCol = t.cells[0].length;
    t.cells[0][staffCol] = 'Staff Column';
    for (let r = 1; r <= 30; r++) {
      t.cells[r][idx.notes] = `note ${r}`;
      t.cells[r][staffCol] = `mine ${r}`;
    }
    const whole = await makeSink(server, { readOnly: true }).read();
    server.stats.reset();
    const fields = CREDIT_COLUMNS.map((c) => c.field).filter((f) => f !== 'notes' && f !== 'lastChange');
    const narrow = await makeSink(server, { readOnly: true }).read({ creditFields: fields });
    const credits = downloaded().ranges.filter((r) => r.startsWith("'Credits'"));
    expect(credits).toContain(`'Credits'!1:1`);
    for (const f of fields) expect(credits).toContain(`'Credits'!${col(f)}:${col(f)}`);
    expect(credits).toHaveLength(fields.length + 1);
    expect(server.stats.count()).toBe(3); // get + tabs with the headers + the Audit's and Credits' columns together
    // Every cell of the fields read is as a whole read has it; the others are blank.
    expect(narrow.tabs.credits.headers).toEqual(whole.tabs.credits.headers);
    expect(narrow.tabs.credits.rows).toHaveLength(whole.tabs.credits.rows.length);
    whole.tabs.credits.rows.forEach((row, r) => {
      // (A blank cell inside a row reads "" by rows and null by columns; the domain reads both as blank.)
      for (const f of fields) expect(text(narrow.tabs.credits.rows[r][idx[f]])).toEqual(text(row[idx[f]]));
      expect(narrow.tabs.credits.rows[r][idx.notes] ?? null).toBeNull();
      expect(narrow.tabs.credits.rows[r][staffCol] ?? null).toBeNull();
      expect(row[idx.notes]).toBe(`note ${r + 1}`);
    });
  });

  test('a contract column renamed by staff: the whole tab is read, so the layout check still sees it', async () => {
    await loaded(5);
    const t = tab(server.state.sheet(SHEET_ID), 'Credits');
    t.cells[0][idx.description] = 'Descr.';
    server.stats.reset();
    await makeSink(server, { readOnly: true })
      .read({ creditFields: ['description'] })
      .catch(() => undefined); // the layout may add the column back or refuse; either way it saw the header
    expect(downloaded().ranges).toContain(`'Credits'`);
  });
});

describe('values asked by columns, turned back into rows', () => {
  /** What Google answers by ROWS for a grid, and by COLUMNS (as the emulator models both). */
  const byRows = (grid: string[][]) => {
    const rows = grid.map((r) => {
      const c = [...r];
      while (c.length && c[c.length - 1] === '') c.pop();
      return c;
    });
    while (rows.length && !rows[rows.length - 1].length) rows.pop();
    return rows;
  };
  const byColumns = (grid: string[][]) => {
    const width = Math.max(0, ...grid.map((r) => r.length));
    return Array.from({ length: width }, (_, c) => {
      const col = grid.map((r) => r[c] ?? '');
      while (col.length && col[col.length - 1] === '') col.pop();
      return col;
    });
  };

  test('asRows(by columns) is the answer by rows, for any grid', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.constantFrom('', 'a', 'b', '0'), { maxLength: 5 }), { maxLength: 8 }),
        (grid) => {
          expect(asRows(byColumns(grid))).toEqual(byRows(grid));
        },
      ),
    );
  });

  test('rowRuns: consecutive rows as [start, end) runs covering each row once', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(50), { maxLength: 40 }), (rows) => {
        const runs = rowRuns(rows);
        const covered = runs.flatMap(([a, b]) => Array.from({ length: b - a }, (_, i) => a + i));
        expect(covered).toEqual([...new Set(rows)].sort((a, b) => a - b));
        runs.slice(1).forEach(([a], i) => expect(a).toBeGreaterThan(runs[i][1]));
      }),
    );
  });
});
