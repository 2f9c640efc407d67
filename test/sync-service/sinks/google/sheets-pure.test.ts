import fc from 'fast-check';
import { ARCHIVED_STATUS } from '../../../../core/archived-ledger';
import { headersOf, type LedgerField } from '../../../../core/sheet-contract';
import { columnLetter } from '../../../../core/sheet-layout';
import { indexColumns } from '../../../../core/table';
import { planLedgerWrites } from '../../../../sync-service/sinks/google/sheets-ledger';
import { a1Column, a1Range } from '../../../../sync-service/sinks/google/sheets-a1';
import {
  lockedRuns,
  planProtection,
  LOCK_TAG,
} from '../../../../sync-service/sinks/google/sheets-protection';
import { tokenBucket } from '../../../../sync-service/sinks/google/sheets-rate-limit';
import { backoffMs, isRetryable } from '../../../../sync-service/sinks/google/sheets-retry';
import { chunkRanges, planUpdates } from '../../../../sync-service/sinks/google/sheets-writes';
import { applyRequest, newSpreadsheet } from '../../../../emulators/sheets-model';

describe('protection plan', () => {
  const editor = 'sync@p.iam.gserviceaccount.com';
  const covered = (ss: ReturnType<typeof newSpreadsheet>) =>
    ss.sheets[0].protectedRanges
      .filter((p) => p.description === LOCK_TAG)
      .flatMap((p) =>
        Array.from(
          { length: p.range!.endRowIndex! - p.range!.startRowIndex! },
          (_, k) => p.range!.startRowIndex! + k - 1,
        ),
      )
      .sort((a, b) => a - b);

  test('converges to exactly the locked rows from any previous state, then plans nothing; staff ranges survive', () => {
    fc.assert(
      fc.property(
        fc.array(fc.boolean(), { maxLength: 60 }),
        fc.array(fc.boolean(), { maxLength: 60 }),
        (before, after) => {
          const ss = newSpreadsheet('x', ['Credits']);
          let id = 1;
          const newId = () => id++;
          applyRequest(ss, {
            addProtectedRange: {
              protectedRange: {
                protectedRangeId: 99_999,
                description: 'staff',
                range: { sheetId: 0, startRowIndex: 0, endRowIndex: 1 },
              },
            },
          });
          for (const locked of [before, after]) {
            for (const r of planProtection({
              sheetId: 0,
              locked,
              existing: ss.sheets[0].protectedRanges,
              editor,
              newId,
            }))
              applyRequest(ss, r);
            expect(covered(ss)).toEqual(locked.flatMap((l, i) => (l ? [i] : [])));
            expect(ss.sheets[0].protectedRanges.filter((p) => p.description === LOCK_TAG)).toHaveLength(
              lockedRuns(locked).length,
            );
            expect(
              planProtection({ sheetId: 0, locked, existing: ss.sheets[0].protectedRanges, editor, newId }),
            ).toEqual([]);
          }
          expect(ss.sheets[0].protectedRanges.some((p) => p.protectedRangeId === 99_999)).toBe(true);
        },
      ),
    );
  });

  test('a range whose editors were widened by someone is put back to the sync identity only', () => {
    const existing = [
      {
        protectedRangeId: 5,
        description: LOCK_TAG,
        range: { sheetId: 0, startRowIndex: 1, endRowIndex: 2 },
        editors: { users: [editor, 'ann@example.com'] },
      },
    ];
    const plan = planProtection({ sheetId: 0, locked: [true], existing, editor, newId: () => 1 });
    expect(plan).toEqual([
      {
        updateProtectedRange: expect.objectContaining({
          protectedRange: expect.objectContaining({ protectedRangeId: 5, editors: { users: [editor] } }),
        }),
      },
    ]);
  });
});

describe('retry policy', () => {
  test('backoff doubles, jitter stays within one base, the cap holds', () => {
    const p = { maxAttempts: 6, baseMs: 1000, maxMs: 32_000 };
    expect(backoffMs(0, p, () => 0)).toBe(1000);
    expect(backoffMs(3, p, () => 0.999)).toBeCloseTo(8999, 0);
    expect(backoffMs(10, p, () => 0.5)).toBe(32_000);
  });

  test('retries throttling, server errors and dropped connections; not client errors', () => {
    for (const s of [429, 500, 502, 503, 504]) expect(isRetryable({ response: { status: s } })).toBe(true);
    for (const s of [400, 401, 403, 404]) expect(isRetryable({ response: { status: s } })).toBe(false);
    expect(isRetryable(Object.assign(new Error('fetch failed'), { cause: { code: 'UND_ERR_SOCKET' } }))).toBe(
      true,
    );
    expect(isRetryable({ code: 'ETIMEDOUT' })).toBe(true);
    expect(isRetryable(new Error('boom'))).toBe(false);
  });

  test('the token bucket lets a burst through, then spaces requests at the rate', async () => {
    let t = 0;
    const waits: number[] = [];
    const bucket = tokenBucket(60, { now: () => t, sleep: async (ms) => void (waits.push(ms), (t += ms)) });
    for (let i = 0; i < 62; i++) await bucket.take();
    expect(waits.length).toBe(2);
    expect(t).toBeGreaterThanOrEqual(2000);
  });
});

describe('writes', () => {
  test('A1 ranges quote the tab name and use 1-based rows', () => {
    expect(columnLetter(0)).toBe('A');
    expect(columnLetter(27)).toBe('AB');
    expect(a1Range("Ann's tab", 1, 2, 3, 4)).toBe("'Ann''s tab'!C2:D3");
    expect(a1Column('Credits', 21)).toBe("'Credits'!V:V");
  });

  test('an update writes one range per run of adjacent fields, at the row the key is at now', () => {
    const idx = { description: 8, amount: 9, status: 11 } as never;
    const plan = planUpdates(
      'Credits',
      [{ key: 'k', fields: { description: 'd', amount: 1, status: 'ASSIGNED' } }],
      new Map([['k', 6]]),
      idx,
    );
    expect(plan.ranges).toEqual([
      { range: "'Credits'!I8:J8", values: [['d', 1]] },
      { range: "'Credits'!L8:L8", values: [['ASSIGNED']] },
    ]);
  });

  test('chunks stay under the budget and keep every range exactly once, in order', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ maxLength: 200 }), { maxLength: 100 }),
        fc.integer({ min: 300, max: 5000 }),
        (texts, max) => {
          const ranges = texts.map((t, i) => ({ range: `'T'!A${i + 1}:A${i + 1}`, values: [[t]] }));
          const chunks = chunkRanges(ranges, max);
          expect(chunks.flat()).toEqual(ranges);
          for (const c of chunks)
            if (c.length > 1)
              expect(JSON.stringify({ valueInputOption: 'RAW', data: c }).length).toBeLessThanOrEqual(max);
        },
      ),
    );
  });

  test('the Ledger: a close lands on the live row of its key, never on a packed row of archived credits', () => {
    const idx = indexColumns<LedgerField>('ledger', headersOf('ledger'));
    const column = (name: string, cells: string[]) => [[name], ...cells.map((c) => [c])];
    const keys = column('Key', ['k1', 'k2', 'k1']);
    const statuses = column('Status', [ARCHIVED_STATUS, 'PROCESSING', 'PROCESSING']);
    const ranges = planLedgerWrites(
      'Ledger',
      { updates: [{ key: 'k1', fields: { status: 'PROCESSED' } }], appends: [] },
      { key: keys, status: statuses },
      idx,
      100_000,
    );
    // Row 4 of the sheet: the header, the packed row, k2, then k1's own row.
    expect(ranges).toEqual([
      {
        range: `'Ledger'!${columnLetter(idx.status)}4:${columnLetter(idx.status)}4`,
        values: [['PROCESSED']],
      },
    ]);
    // When the packed row is the only row with the key, the close is refused and nothing is written.
    expect(() =>
      planLedgerWrites(
        'Ledger',
        { updates: [{ key: 'k1', fields: { status: 'PROCESSED' } }], appends: [] },
        { key: column('Key', ['k1']), status: column('Status', [ARCHIVED_STATUS]) },
        idx,
        100_000,
      ),
    ).toThrow(/no row for 1 collected credit/);
  });
});
