/**
 * A one-credit command's read of the Google Sheet (ReadOptions.scope, sheets-scope.ts, docs/decisions/0026): the
 * Credit ID and Status columns, then whole only the rows the command and the check against the usage record
 * need, every other row blank — and past MAX_SCOPE_RUNS runs of such rows, the deciding columns whole as before.
 */
import fc from 'fast-check';
import { CREDIT_COLUMNS, headersOf, type CreditField } from '../../../../core/sheet-contract';
import { indexColumns, text } from '../../../../core/table';
import { columnLetter } from '../../../../core/sheet-layout';
import type { SheetsServer } from '../../../../emulators/sheets-server';
import {
  auditIds,
  auditWholeIds,
  ledgerCreditIds,
  MAX_SCOPE_RUNS,
  MAX_SCOPE_SHARE,
  MERGE_GAP,
  scopeRuns,
  scopedRows,
  scopeRanges,
  valuesFromScope,
} from '../../../../sync-service/sinks/google/sheets-scope';
import { rowRuns } from '../../../../sync-service/sinks/google/sheets-reread';
import { changesFor, creditRow, makeSink, startServer } from './sheets-helpers';

const idx = indexColumns<CreditField>('credits', headersOf('credits'));
const col = (f: CreditField) => columnLetter(idx[f]);
const DECIDING = CREDIT_COLUMNS.map((c) => c.field).filter((f) => f !== 'notes' && f !== 'lastChange');

describe('which rows a scoped read takes whole', () => {
  const column = (cells: (string | null)[]) => ['header', ...cells];
  const rowsFor = (ids: (string | null)[], statuses: (string | null)[], wanted: string[] = []) =>
    scopedRows({
      creditIds: column(ids),
      statuses: column(statuses),
      wanted: new Set(wanted),
      issued: new Set(['A', 'B', 'C', 'D', 'E']),
    });

  test('the named and collected credits, locked or odd Statuses, IDs never issued, and the last row', () => {
    const got = rowsFor(
      ['A', 'B', 'C', 'X', null, null, 'D', 'E', 'A'],
      ['ASSIGNED', 'PROCESSED', 'processed', null, 'ASSIGNED', null, 'PENDING_ASSIGN', null, null],
      ['E'],
    );
    // A: issued, open → out; B locked; C a Status no one may type; X never issued; row 4 a Status without an
    // ID; row 5 blank → out; D issued, open → out; E named; the last row always.
    expect(got).toEqual({ rows: [1, 2, 3, 4, 7, 8], height: 9 });
  });

  test('its height is the longer of the two columns (Google trims trailing blank cells)', () => {
    expect(rowsFor(['A', 'B'], ['ASSIGNED'])).toEqual({ rows: [1], height: 2 });
    expect(rowsFor([], [])).toEqual({ rows: [], height: 0 });
  });

  test('property: a row is left out exactly when nothing about it can concern money or the command', () => {
    const id = fc.constantFrom<string | null>(null, '', 'A', 'B', 'C', 'Z');
    const status = fc.constantFrom<string | null>(
      null,
      '',
      'PENDING_ASSIGN',
      'ASSIGNED',
      'PROCESSING',
      'PROCESSED',
      'Processed',
    );
    fc.assert(
      fc.property(
        fc.array(fc.tuple(id, status), { maxLength: 30 }),
        fc.subarray(['A', 'B', 'C', 'Z']),
        (rows, wanted) => {
          const issued = new Set(['A', 'B', 'C']);
          const got = scopedRows({
            creditIds: ['Credit ID', ...rows.map((r) => r[0])],
            statuses: ['Status', ...rows.map((r) => r[1])],
            wanted: new Set(wanted),
            issued,
          });
          expect(got.height).toBe(rows.length);
          rows.forEach(([i, s], r) => {
            const open = ['', 'PENDING_ASSIGN', 'ASSIGNED'].includes(text(s));
            const leftOut =
              r !== rows.length - 1 && open && (i ? issued.has(i) && !wanted.includes(i) : !text(s));
            expect(got.rows.includes(r)).toBe(!leftOut);
          });
        },
      ),
    );
  });
});

describe('the Credit IDs the Ledger and the Audit name', () => {
  const ledger = { headers: headersOf('ledger'), rows: [] as string[][] };
  const audit = { headers: headersOf('audit'), rows: [] as string[][] };
  const at = (headers: string[], h: string) => headers.indexOf(h);
  const row = (headers: string[], cells: Record<string, string>) => headers.map((h) => cells[h] ?? '');

  test('every Ledger row (any Status); none to tell when its Credit ID header is gone', () => {
    const rows = [
      row(ledger.headers, { 'Credit ID': 'A', Status: 'PROCESSED' }),
      row(ledger.headers, { 'Credit ID': 'B', Status: 'REOPENED' }),
      row(ledger.headers, { 'Credit ID': '' }),
    ];
    expect([...ledgerCreditIds({ ...ledger, rows })!]).toEqual(['A', 'B']);
    const renamed = ledger.headers.map((h) => (h === 'Credit ID' ? 'Credit' : h));
    expect(at(renamed, 'Credit ID')).toBe(-1);
    expect(ledgerCreditIds({ headers: renamed, rows })).toBeNull();
  });

  test("the Audit's whole rows (and the command's detail); every ID it issued", () => {
    const rows = [
      row(audit.headers, { 'Credit ID': 'A', Action: 'sync-add' }),
      row(audit.headers, { 'Credit ID': 'B', Action: 'collect' }),
      row(audit.headers, { 'Credit ID': 'C', Action: 'drift' }),
      row(audit.headers, { 'Credit ID': 'D', Action: 'assign' }),
    ];
    expect([...auditWholeIds({ ...audit, rows })]).toEqual(['B', 'C']);
    expect([...auditWholeIds({ ...audit, rows }, ['assign'])]).toEqual(['B', 'C', 'D']);
    expect([...auditIds({ ...audit, rows })]).toEqual(['A', 'B', 'C', 'D']);
    expect(auditWholeIds(undefined).size).toBe(0);
  });
});

describe('the runs of rows read', () => {
  test(`runs less than ${MERGE_GAP} rows apart are one; too many runs or rows: none (read the columns)`, () => {
    expect(scopeRuns([0, 1, 2, 9, 20], 100)).toEqual([
      [0, 10],
      [20, 21],
    ]);
    expect(scopeRuns([0, 3, 7, 14], 100)).toEqual([[0, 15]]);
    expect(scopeRuns([0, 50, 76], 100)).toEqual([
      [0, 1],
      [50, 51],
      [76, 77],
    ]);
    expect(scopeRuns([], 0)).toEqual([]);
    // three rows in four is the most read this way; one more, and the columns are read instead
    const first = (n: number) => Array.from({ length: n }, (_, i) => i);
    expect(scopeRuns(first(75), 100)).toEqual([[0, 75]]);
    expect(scopeRuns(first(76), 100)).toBeNull();
    // and past MAX_SCOPE_RUNS runs
    const apart = (n: number) => Array.from({ length: n }, (_, i) => i * (MERGE_GAP + 1));
    expect(scopeRuns(apart(MAX_SCOPE_RUNS), 100_000)).toHaveLength(MAX_SCOPE_RUNS);
    expect(scopeRuns(apart(MAX_SCOPE_RUNS + 1), 100_000)).toBeNull();
  });

  test('property: every row in scope is in a run, runs are apart and ordered, none past the limits', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.nat(3000), { maxLength: 400 }),
        fc.integer({ min: 1, max: 3000 }),
        (picked, h) => {
          const rows = picked.filter((r) => r < h).sort((a, b) => a - b);
          const runs = scopeRuns(rows, h);
          if (!runs) return;
          for (const r of rows) expect(runs.some(([r0, r1]) => r >= r0 && r < r1)).toBe(true);
          runs.forEach(([r0, r1], i) => {
            expect(r1).toBeGreaterThan(r0);
            if (i) expect(r0 - runs[i - 1][1]).toBeGreaterThanOrEqual(MERGE_GAP);
          });
          expect(runs.length).toBeLessThanOrEqual(MAX_SCOPE_RUNS);
          expect(runs.reduce((n, [r0, r1]) => n + r1 - r0, 0)).toBeLessThanOrEqual(h * MAX_SCOPE_SHARE);
        },
      ),
    );
  });
});

describe('the rows put back together', () => {
  test('property: the rows of each run as Google answers them, every other row blank', () => {
    const cell = fc.constantFrom<string | number | null>(null, '', 'x', 7);
    fc.assert(
      fc.property(
        fc.array(fc.array(cell, { minLength: 4, maxLength: 4 }), { minLength: 1, maxLength: 20 }),
        fc.array(fc.nat(19)),
        (grid, picked) => {
          const header = ['a', 'b', 'c', 'd'];
          const runs = rowRuns(picked.filter((r) => r < grid.length));
          // Google trims trailing empty cells of a row and trailing empty rows of a range.
          const trim = <T>(xs: T[], empty: (x: T) => boolean) => {
            const c = [...xs];
            while (c.length && empty(c[c.length - 1])) c.pop();
            return c;
          };
          const answer = runs.map(([r0, r1]) =>
            trim(
              grid.slice(r0, r1).map((row) => trim(row, (v) => v === null || v === '')),
              (row) => row.length === 0,
            ),
          );
          const out = valuesFromScope(header, grid.length, runs, answer);
          expect(out[0]).toEqual(header);
          expect(out).toHaveLength(grid.length + 1);
          grid.forEach((row, r) => {
            const inRun = runs.some(([r0, r1]) => r >= r0 && r < r1);
            for (let c = 0; c < 4; c++) expect(text(out[r + 1][c] as never)).toBe(inRun ? text(row[c]) : '');
          });
        },
      ),
    );
  });

  test('one range per run, every column of the header', () => {
    expect(
      scopeRanges(
        'Credits',
        [
          [0, 1],
          [4, 7],
        ],
        22,
      ),
    ).toEqual([`'Credits'!A2:V2`, `'Credits'!A6:V8`]);
  });
});

describe('the scoped read on the local Sheets server', () => {
  let server: SheetsServer;
  beforeEach(async () => {
    server = await startServer();
  });
  afterEach(() => server.close());

  /** `n` credits, each issued by an Audit row, those `locked` says PROCESSED. */
  async function loaded(n: number, locked: (i: number) => boolean = () => false): Promise<void> {
    const sink = makeSink(server);
    const rows = Array.from({ length: n }, (_, i) => creditRow(i, locked(i) ? { status: 'PROCESSED' } : {}));
    const changes = changesFor(await sink.read(), rows);
    changes.audit = rows.map((r) => ({
      when: '2026-11-01T00:00:00Z',
      who: 'credit-desk sync',
      action: 'sync-add',
      creditId: r.creditId,
      field: '',
      before: '',
      after: '',
    }));
    await sink.write(changes);
    await sink.close();
  }

  const read = (scope?: string[]) =>
    makeSink(server, { readOnly: true }).read({
      creditFields: DECIDING,
      auditColumns: ['creditId', 'action'],
      ...(scope ? { scope: { creditIds: scope } } : {}),
    });

  const asked = () =>
    server.stats.requests
      .filter((r) => r.op === 'values.batchGet')
      .flatMap((r) => r.ranges ?? [])
      .filter((r) => r.startsWith("'Credits'"));
  const down = () =>
    server.stats.requests.filter((r) => r.op === 'values.batchGet').reduce((s, r) => s + r.responseBytes, 0);

  test('the named row and the last one whole, the rest blank, a fraction of the bytes', async () => {
    await loaded(3000);
    server.stats.reset();
    const whole = await read();
    const wholeBytes = down();
    server.stats.reset();
    const scoped = await read(['CR-7']);
    expect(scoped.scoped).toBe(true);
    expect(whole.scoped).toBeUndefined();
    // Whole columns: only Credit ID and Status; then the two rows (sheet rows 9 and 3001).
    expect(asked()).toEqual([
      `'Credits'!1:1`,
      `'Credits'!${col('creditId')}:${col('creditId')}`,
      `'Credits'!${col('status')}:${col('status')}`,
      `'Credits'!A9:${col('key')}9`,
      `'Credits'!A3001:${col('key')}3001`,
    ]);
    // Both reads download the Audit's Credit ID and Action columns (reconciliation's issued IDs); the Credits
    // tab is the difference: 0.34 of the whole read's bytes here.
    expect(down()).toBeLessThan(wholeBytes * 0.4);
    expect(scoped.tabs.credits.rows).toHaveLength(3000);
    scoped.tabs.credits.rows.forEach((row, r) => {
      const inScope = r === 7 || r === 2999;
      for (const f of DECIDING)
        expect(text(row[idx[f]])).toBe(inScope ? text(whole.tabs.credits.rows[r][idx[f]]) : '');
    });
    // Every other tab as the whole read has it.
    expect(scoped.tabs.audit).toEqual(whole.tabs.audit);
    expect(scoped.tabs.ledger).toEqual(whole.tabs.ledger);
  });

  test.each([
    [`more than ${MAX_SCOPE_RUNS} runs of rows (every 10th locked)`, 3000, 10],
    [`more than ${MAX_SCOPE_SHARE * 100} % of the rows (every 4th locked: one run)`, 1000, 4],
  ])('%s: the deciding columns whole, each asked once', async (_what, n, lockEvery) => {
    await loaded(n, (i) => i % lockEvery === 0);
    const whole = await read();
    server.stats.reset();
    const scoped = await read(['CR-7']);
    expect(scoped.scoped).toBeUndefined();
    expect(scoped.tabs.credits).toEqual(whole.tabs.credits);
    const columns = asked().filter((r) => /^'Credits'!([A-Z]+):\1$/.test(r));
    expect(columns).toHaveLength(DECIDING.length);
    expect(new Set(columns).size).toBe(DECIDING.length);
  });

  test('rows in scope a few apart are one range, the rows between them whole too', async () => {
    // Every 3rd of the first 300 rows locked (a collected month with some left out), 3,000 rows in all.
    await loaded(3000, (i) => i < 300 && i % 3 === 0);
    const whole = await read();
    server.stats.reset();
    const scoped = await read(['CR-2000']);
    expect(scoped.scoped).toBe(true);
    expect(asked().filter((r) => /^'Credits'!A\d/.test(r))).toEqual([
      `'Credits'!A2:${col('key')}299`, // rows 0 … 297 (the last locked one)
      `'Credits'!A2002:${col('key')}2002`,
      `'Credits'!A3001:${col('key')}3001`,
    ]);
    scoped.tabs.credits.rows.forEach((row, r) => {
      const inScope = r <= 297 || r === 2000 || r === 2999;
      for (const f of DECIDING)
        expect(text(row[idx[f]])).toBe(inScope ? text(whole.tabs.credits.rows[r][idx[f]]) : '');
    });
  });
});
