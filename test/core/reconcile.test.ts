/**
 * Reconciliation of the Credits tab against the Ledger (core/reconcile.ts), on in-memory sheets: each hand edit
 * the issue lists, then a property — any sequence of person edits followed by a sync leaves every collected
 * credit exactly as the Ledger says, no credit twice in the sheet, and nothing collected twice.
 */
import fc from 'fast-check';
import type { Credit, CurCredit } from '../../core/credit';
import { entryFromRecord, unionLedger, type LedgerEntry } from '../../core/ledger';
import { mergeCredits } from '../../core/merge';
import { applyRepairs, reconcile, type ReconcileInput } from '../../core/reconcile';
import { headersOf, type CreditField } from '../../core/sheet-contract';
import {
  creditFromRow,
  creditToCells,
  indexColumns,
  recordToRow,
  text,
  type Cell,
  type Grid,
} from '../../core/table';
import { applyCollect, planCollect } from '../../core/usage';
import { cur, directory, NOW } from '../helpers/domain';

const DIR = directory([
  { accountId: '222222222222', customerId: 'CUST-1', resellerId: 'RES-1', assetId: 'AS-1' },
  { accountId: '333333333333', customerId: 'CUST-2', resellerId: 'RES-2', assetId: 'AS-2' },
]);
const HEADERS = headersOf('credits');
const IDX = indexColumns<CreditField>('credits', HEADERS);
const LATER = '2026-12-01T09:00:00.000Z';

function gridOf(credits: Credit[]): Grid {
  return {
    headers: [...HEADERS],
    rows: credits.map((c) => recordToRow(creditToCells(c), IDX, HEADERS.length)),
  };
}

function creditsOf(grid: Grid): Credit[] {
  const idx = indexColumns<CreditField>('credits', grid.headers);
  return grid.rows.flatMap((row, i) => {
    const c = creditFromRow(row, idx, i + 2);
    return c ? [c] : [];
  });
}

/** A sheet of `n` credits from the CUR; the first `collected` are assigned and collected into one usage file, `closed` of them closed. */
function world(n = 8, collected = 4, closed = 2) {
  const incoming: CurCredit[] = Array.from({ length: n }, (_, i) =>
    cur({
      description: `Credit ${i}`,
      accountId: i % 2 ? '333333333333' : '222222222222',
      amount: 1000 + i * 37,
    }),
  );
  const taken = new Set<string>();
  const merged = mergeCredits({
    existing: [],
    incoming,
    directory: DIR,
    takenIds: taken,
    recordedDrift: new Set(),
    now: NOW,
    actor: 'sync',
    periods: ['2026-10'],
  });
  let credits = merged.adds.map((c, i) =>
    i < collected + 1
      ? {
          ...c,
          status: 'ASSIGNED' as const,
          allocation: 'customer 60%, reseller 40%',
          distributorKeeps: 0,
          ruleId: 'manual',
        }
      : c,
  );
  const toCollect = credits.slice(0, collected);
  const file = planCollect(toCollect, {
    now: NOW,
    takenFileIds: new Set(),
    directory: DIR,
    deskId: 'CD-T',
  })!;
  const change = applyCollect(file, credits, NOW);
  const after = new Map(change.credits.map((c) => [c.key, c]));
  credits = credits.map((c) => after.get(c.key) ?? c);
  const ledger: LedgerEntry[] = file.records.map((r, i) =>
    entryFromRecord({ ...file, closedAt: LATER }, r, i < closed ? 'PROCESSED' : 'PROCESSING'),
  );
  const closedKeys = new Set(ledger.filter((e) => e.status === 'PROCESSED').map((e) => e.key));
  credits = credits.map((c) => (closedKeys.has(c.key) ? { ...c, status: 'PROCESSED' as const } : c));
  return { incoming, grid: gridOf(credits), ledger, issuedIds: new Set(merged.adds.map((c) => c.creditId)) };
}

type World = ReturnType<typeof world>;

/** reconcile → repairs applied → merge of the same CUR credits (what `sync` does), in memory. */
function syncInMemory(w: World, grid: Grid, extra: Partial<ReconcileInput> = {}) {
  const result = reconcile({ credits: grid, ledger: w.ledger, issuedIds: w.issuedIds, now: LATER, ...extra });
  const repaired = applyRepairs(grid, result.repairs);
  const existing = creditsOf(repaired).map((credit, i) => ({ credit, sheetRow: i + 2 }));
  const taken = new Set([...w.issuedIds, ...w.ledger.map((e) => e.creditId)]);
  const merged = mergeCredits({
    existing,
    incoming: w.incoming,
    directory: DIR,
    takenIds: taken,
    recordedDrift: new Set(),
    now: LATER,
    actor: 'sync',
    periods: ['2026-10'],
  });
  const after = new Map(merged.updates.map((u) => [u.key, u.after]));
  const credits = [...existing.map((e) => after.get(e.credit.key) ?? e.credit), ...merged.adds];
  return { result, repaired, credits, merged };
}

/** What must hold after any edits and a sync. */
function assertInvariants(w: World, credits: Credit[]) {
  const byKey = new Map<string, Credit[]>();
  for (const c of credits) byKey.set(c.key, [...(byKey.get(c.key) ?? []), c]);
  for (const [key, list] of byKey) expect({ key, rows: list.length }).toEqual({ key, rows: 1 });
  const ledgerKeys = new Set(w.ledger.map((e) => e.key));
  for (const e of w.ledger) {
    const c = byKey.get(e.key)![0];
    expect({
      creditId: c.creditId,
      status: c.status,
      allocation: c.allocation,
      distributorKeeps: c.distributorKeeps,
      amount: c.amount,
      usageFileId: c.usageFileId,
      usageRecordId: c.usageRecordId,
      processingDate: c.processingDate,
      description: c.description,
      customerId: c.customerId,
    }).toEqual({
      creditId: e.creditId,
      status: e.status,
      allocation: e.allocation,
      distributorKeeps: e.distributorKeeps,
      amount: e.amount,
      usageFileId: e.usageFileId,
      usageRecordId: e.usageRecordId,
      processingDate: e.processingDate,
      description: e.description,
      customerId: e.customerId,
    });
  }
  // No two credits share a Credit ID (staff name credits by it), but for a row flagged UNMATCHED (another's ID
  // and none of its own to put back).
  const ids = credits.filter((c) => c.creditId && !c.flags.includes('UNMATCHED')).map((c) => c.creditId);
  expect(ids.length - new Set(ids).size).toBe(0);
  // Nothing outside the record is locked, and no other row carries a collected credit's ID unflagged.
  const ledgerIds = new Set(w.ledger.map((e) => e.creditId));
  for (const c of credits) {
    if (ledgerKeys.has(c.key)) continue;
    expect({ key: c.key, status: c.status }).toEqual({
      key: c.key,
      status: expect.stringMatching(/^(PENDING_ASSIGN|ASSIGNED)$/),
    });
    if (ledgerIds.has(c.creditId)) expect(c.flags).toContain('UNMATCHED');
  }
  // The next collection takes nothing already collected: planCollect takes the ASSIGNED rows not flagged
  // UNMATCHED (its allocation checks are its own business, tested in assignment-usage.test.ts).
  const collectable = credits.filter((c) => c.status === 'ASSIGNED' && !c.flags.includes('UNMATCHED'));
  for (const c of collectable) expect(ledgerKeys.has(c.key)).toBe(false);
}

const col = (f: CreditField) => IDX[f];
const rowOf = (grid: Grid, creditId: string) =>
  grid.rows.findIndex((r) => text(r[col('creditId')]) === creditId);
const edit = (grid: Grid, creditId: string, f: CreditField, v: Cell): Grid => {
  const rows = grid.rows.map((r) => [...r]);
  rows[rowOf(grid, creditId)][col(f)] = v;
  return { headers: grid.headers, rows };
};

describe('reconcile: each hand edit the usage record undoes', () => {
  it('changes nothing on a sheet that agrees with the Ledger', () => {
    const w = world();
    const r = reconcile({ credits: w.grid, ledger: w.ledger, issuedIds: w.issuedIds, now: LATER });
    expect(r.repairs).toEqual({ updates: [], rowRepairs: [], appends: [], audit: [] });
  });

  it('puts a deleted PROCESSED row back with its own ID, status, allocation and usage IDs — never imported as new', () => {
    const w = world();
    const gone = w.ledger[0];
    const grid = {
      headers: w.grid.headers,
      rows: w.grid.rows.filter((_, i) => i !== rowOf(w.grid, gone.creditId)),
    };
    const { result, credits, merged } = syncInMemory(w, grid);
    expect(merged.adds).toEqual([]);
    expect(result.repairs.appends).toHaveLength(1);
    const back = credits.find((c) => c.key === gone.key)!;
    expect(back).toMatchObject({
      creditId: gone.creditId,
      status: 'PROCESSED',
      allocation: gone.allocation,
      usageRecordId: gone.usageRecordId,
    });
    expect(back.flags).toContain('RESTORED');
    expect(result.repairs.audit).toEqual([
      expect.objectContaining({ action: 'restore', creditId: gone.creditId, field: 'row' }),
    ]);
    assertInvariants(w, credits);
  });

  it('restores a blanked Key in place (no second row), found by the Credit ID', () => {
    const w = world();
    const e = w.ledger[1];
    const { result, repaired, credits } = syncInMemory(w, edit(w.grid, e.creditId, 'key', ''));
    expect(result.repairs.appends).toEqual([]);
    expect(result.repairs.rowRepairs).toEqual([
      expect.objectContaining({
        creditId: e.creditId,
        readKey: '',
        fields: expect.objectContaining({ key: e.key }),
      }),
    ]);
    expect(repaired.rows).toHaveLength(w.grid.rows.length);
    assertInvariants(w, credits);
  });

  it('restores an edited Key and an edited Credit ID of the same collected row from its cells', () => {
    const w = world();
    const e = w.ledger[2];
    let grid = edit(w.grid, e.creditId, 'key', 'k1-typed-by-hand');
    grid = edit(grid, e.creditId, 'creditId', 'AWSC-202610-9999-9999');
    const { result, credits } = syncInMemory(w, grid);
    expect(result.repairs.appends).toEqual([]);
    expect(result.restored).toEqual([
      expect.objectContaining({ creditId: e.creditId, what: expect.stringContaining('key') }),
    ]);
    assertInvariants(w, credits);
  });

  it("drops NOT_COLLECTED and REJECTED from a collected credit's row, with the row's other repairs or alone", () => {
    const w = world();
    const [a, b] = [w.ledger[0], w.ledger[1]];
    // a: a pending row pasted over it (its Flags cell came along, its status too); b: only the words typed.
    let grid = edit(w.grid, a.creditId, 'flags', 'NOT_COLLECTED ORIGINAL_HOLD');
    grid = edit(grid, a.creditId, 'status', 'ASSIGNED');
    grid = edit(grid, b.creditId, 'flags', 'rejected');
    const { result, credits } = syncInMemory(w, grid);
    expect(credits.find((c) => c.key === a.key)).toMatchObject({
      status: a.status,
      flags: 'ORIGINAL_HOLD RESTORED',
    });
    expect(credits.find((c) => c.key === b.key)).toMatchObject({ flags: 'RESTORED' });
    expect(result.repairs.audit.map((x) => [x.creditId, x.field, x.before, x.after])).toEqual(
      expect.arrayContaining([
        [a.creditId, 'flags', 'NOT_COLLECTED ORIGINAL_HOLD', 'ORIGINAL_HOLD RESTORED'],
        [b.creditId, 'flags', 'rejected', 'RESTORED'],
      ]),
    );
    expect(result.restored.map((r) => [r.creditId, r.what])).toEqual(
      expect.arrayContaining([
        [a.creditId, 'status, flags'],
        [b.creditId, 'flags'],
      ]),
    );
    assertInvariants(w, credits);
    // Once dropped, a second sync finds nothing to do.
    const again = syncInMemory(w, gridOf(credits));
    expect(again.result.repairs.audit).toEqual([]);
  });

  it('sends a Status typed PROCESSED on a pending or assigned row back to what its allocation says', () => {
    const w = world();
    const pending = creditsOf(w.grid).find((c) => c.status === 'PENDING_ASSIGN')!;
    const assigned = creditsOf(w.grid).find((c) => c.status === 'ASSIGNED')!;
    let grid = edit(w.grid, pending.creditId, 'status', 'PROCESSED');
    grid = edit(grid, assigned.creditId, 'status', 'PROCESSING');
    grid = edit(grid, assigned.creditId, 'usageFileId', 'UF-2026-11-0000-0000');
    const { result, credits } = syncInMemory(w, grid);
    expect(credits.find((c) => c.key === pending.key)).toMatchObject({
      status: 'PENDING_ASSIGN',
      flags: 'RESTORED',
    });
    expect(credits.find((c) => c.key === assigned.key)).toMatchObject({
      status: 'ASSIGNED',
      usageFileId: '',
    });
    expect(result.repairs.audit.map((a) => [a.creditId, a.field, a.before, a.after])).toEqual(
      expect.arrayContaining([
        [pending.creditId, 'status', 'PROCESSED', 'PENDING_ASSIGN'],
        [assigned.creditId, 'status', 'PROCESSING', 'ASSIGNED'],
        [assigned.creditId, 'usageFileId', 'UF-2026-11-0000-0000', ''],
      ]),
    );
    assertInvariants(w, credits);
  });

  it('clears usage IDs pasted onto a row that is not collected (a collection writes them only with the Status that locks it)', () => {
    const w = world();
    const assigned = creditsOf(w.grid).find((c) => c.status === 'ASSIGNED')!;
    const collected = creditsOf(w.grid).find((c) => c.status === 'PROCESSING')!;
    let grid = edit(w.grid, assigned.creditId, 'usageFileId', collected.usageFileId);
    grid = edit(grid, assigned.creditId, 'usageRecordId', collected.usageRecordId);
    const { result, credits } = syncInMemory(w, grid);
    expect(credits.find((c) => c.key === assigned.key)).toMatchObject({
      status: 'ASSIGNED',
      usageFileId: '',
      usageRecordId: '',
      flags: 'RESTORED',
    });
    expect(credits.find((c) => c.key === collected.key)).toMatchObject({
      usageFileId: collected.usageFileId,
    });
    expect(result.restored).toEqual([
      expect.objectContaining({
        creditId: assigned.creditId,
        what: 'usage IDs cleared, in no usage record',
      }),
    ]);
    expect(result.repairs.audit.map((a) => [a.creditId, a.field, a.before, a.after])).toEqual([
      [assigned.creditId, 'usageFileId', collected.usageFileId, ''],
      [assigned.creditId, 'usageRecordId', collected.usageRecordId, ''],
    ]);
    assertInvariants(w, credits);
  });

  it('restores the Allocation, Amount and usage columns of a collected credit edited by hand', () => {
    const w = world();
    const e = w.ledger[0];
    let grid = edit(w.grid, e.creditId, 'allocation', 'customer 100%');
    grid = edit(grid, e.creditId, 'amount', 1);
    grid = edit(grid, e.creditId, 'usageRecordId', '');
    grid = edit(grid, e.creditId, 'status', 'ASSIGNED');
    const { result, credits } = syncInMemory(w, grid);
    expect(result.repairs.updates).toEqual([
      expect.objectContaining({
        key: e.key,
        fields: expect.objectContaining({
          allocation: e.allocation,
          status: 'PROCESSED',
          usageRecordId: e.usageRecordId,
        }),
      }),
    ]);
    const fields = result.repairs.audit.map((a) => `${a.field}:${a.before}→${a.after}`);
    expect(fields).toEqual(
      expect.arrayContaining([`allocation:customer 100%→${e.allocation}`, 'status:ASSIGNED→PROCESSED']),
    );
    assertInvariants(w, credits);
  });

  it('restores a Credit ID edited by hand on a credit not yet collected, from the IDs the Audit tab shows issued', () => {
    const w = world();
    const c = creditsOf(w.grid).find((x) => x.status === 'PENDING_ASSIGN')!;
    const { result, credits } = syncInMemory(
      w,
      edit(w.grid, c.creditId, 'creditId', 'AWSC-202610-1111-2222'),
    );
    expect(credits.find((x) => x.key === c.key)!.creditId).toBe(c.creditId);
    expect(result.repairs.audit).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ field: 'creditId', before: 'AWSC-202610-1111-2222', after: c.creditId }),
      ]),
    );
  });

  it("gives a credit its own ID back when another credit's ID was copied onto it, whichever row comes first", () => {
    const w = world();
    const [a, b] = creditsOf(w.grid).filter((x) => x.status === 'PENDING_ASSIGN');
    const copied = edit(w.grid, b.creditId, 'creditId', a.creditId);
    const reversed = { headers: copied.headers, rows: [...copied.rows].reverse() };
    for (const grid of [copied, reversed]) {
      const { result, credits } = syncInMemory(w, grid);
      expect(credits.find((x) => x.key === a.key)!.creditId).toBe(a.creditId);
      expect(credits.find((x) => x.key === b.key)!.creditId).toBe(b.creditId);
      expect(result.repairs.audit).toEqual([
        expect.objectContaining({
          creditId: b.creditId,
          field: 'creditId',
          before: a.creditId,
          after: b.creditId,
        }),
      ]);
    }
  });

  it('keeps and flags a row that matches no credit, and never collects it', () => {
    const w = world();
    const stray = new Array(HEADERS.length).fill('');
    stray[col('creditId')] = 'AWSC-209901-0000-0000';
    stray[col('description')] = 'typed by hand';
    stray[col('status')] = 'ASSIGNED';
    const grid = { headers: w.grid.headers, rows: [...w.grid.rows, stray] };
    const { result, repaired } = syncInMemory(w, grid);
    expect(result.unmatched).toEqual([expect.objectContaining({ creditId: 'AWSC-209901-0000-0000' })]);
    expect(repaired.rows).toHaveLength(grid.rows.length);
    expect(text(repaired.rows[repaired.rows.length - 1][col('flags')])).toBe('UNMATCHED');
  });

  it('a Credits tab that disappeared: the collected credits come back, and it says so', () => {
    const w = world();
    const { result, credits } = syncInMemory(
      w,
      { headers: [...HEADERS], rows: [] },
      { creditsTabCreated: true },
    );
    expect(result.creditsTabMissing).toBe(true);
    expect(result.repairs.appends).toHaveLength(w.ledger.length);
    assertInvariants(w, credits);
  });
});

describe('reconcile: any person edits, then sync (property)', () => {
  type Op =
    | { kind: 'delete'; at: number }
    | { kind: 'status'; at: number; value: string }
    | { kind: 'cell'; at: number; field: CreditField; value: Cell }
    | { kind: 'blankKey'; at: number }
    | { kind: 'editKey'; at: number; value: string }
    | { kind: 'blankId'; at: number }
    | { kind: 'editId'; at: number; other: number }
    | { kind: 'renameTab' }
    | { kind: 'sort'; seed: number }
    | { kind: 'insert'; at: number };

  const at = fc.nat(40);
  const op: fc.Arbitrary<Op> = fc.oneof(
    fc.record({ kind: fc.constant('delete' as const), at }),
    fc.record({
      kind: fc.constant('status' as const),
      at,
      value: fc.constantFrom('PENDING_ASSIGN', 'ASSIGNED', 'PROCESSING', 'PROCESSED'),
    }),
    fc.record({
      kind: fc.constant('cell' as const),
      at,
      field: fc.constantFrom<CreditField>(
        'allocation',
        'amount',
        'distributorKeeps',
        'usageFileId',
        'usageRecordId',
        'processingDate',
        'customerId',
        'ruleId',
        'description',
      ),
      value: fc.oneof(
        fc.constantFrom<Cell>('', 'customer 100%', 'none', 'UF-2026-11-9999-9999'),
        fc.integer({ min: 0, max: 99999 }),
      ),
    }),
    fc.record({ kind: fc.constant('blankKey' as const), at }),
    fc.record({
      kind: fc.constant('editKey' as const),
      at,
      value: fc.string({ minLength: 1, maxLength: 6 }).map((s) => `typed-${s}`),
    }),
    fc.record({ kind: fc.constant('blankId' as const), at }),
    fc.record({ kind: fc.constant('editId' as const), at, other: at }),
    fc.record({ kind: fc.constant('renameTab' as const) }),
    fc.record({ kind: fc.constant('sort' as const), seed: fc.integer() }),
    fc.record({ kind: fc.constant('insert' as const), at }),
  );

  function applyOp(grid: Grid, o: Op, state: { created: boolean }): Grid {
    const rows = grid.rows.map((r) => [...r]);
    const n = rows.length;
    const pick = (i: number) => (n ? i % n : -1);
    switch (o.kind) {
      case 'delete':
        if (n) rows.splice(pick(o.at), 1);
        break;
      case 'status':
        if (n) rows[pick(o.at)][col('status')] = o.value;
        break;
      case 'cell':
        if (n)
          rows[pick(o.at)][col(o.field)] = // text in a money cell of an uncollected row is refused with its own message (core/table.ts); not a case here
            (o.field === 'amount' || o.field === 'distributorKeeps') && typeof o.value !== 'number'
              ? 0
              : o.value;
        break;
      case 'blankKey':
        if (n) rows[pick(o.at)][col('key')] = '';
        break;
      case 'editKey':
        if (n) rows[pick(o.at)][col('key')] = o.value;
        break;
      case 'blankId':
        if (n) rows[pick(o.at)][col('creditId')] = '';
        break;
      case 'editId':
        if (n) rows[pick(o.at)][col('creditId')] = rows[pick(o.other)][col('creditId')];
        break;
      case 'renameTab':
        state.created = true;
        return { headers: grid.headers, rows: [] };
      case 'sort': {
        let s = o.seed;
        const keyed = rows.map((r) => ({ r, k: (s = (s * 1103515245 + 12345) | 0) }));
        keyed.sort((a, b) => a.k - b.k);
        return { headers: grid.headers, rows: keyed.map((x) => x.r) };
      }
      case 'insert':
        rows.splice(n ? pick(o.at) : 0, 0, new Array(grid.headers.length).fill(''));
        break;
    }
    return { headers: grid.headers, rows };
  }

  it('leaves every collected credit exactly as the Ledger says, no credit twice, nothing collected twice', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 12 }), fc.integer({ min: 1, max: 6 }), (ops, collected) => {
        const w = world(10, collected, Math.floor(collected / 2));
        const state = { created: false };
        let grid = w.grid;
        for (const o of ops) grid = applyOp(grid, o, state);
        // A key typed to collide with another row's is refused by both sinks (duplicate Keys); not a case here.
        const keys = grid.rows.map((r) => text(r[col('key')])).filter(Boolean);
        fc.pre(new Set(keys).size === keys.length);
        const first = syncInMemory(w, grid, { creditsTabCreated: state.created });
        assertInvariants(w, first.credits);
        // A second run over the result repairs nothing more.
        // (the Audit tab now also lists the IDs the sync issued to credits it imported again)
        const issued = new Set([...w.issuedIds, ...first.merged.adds.map((c) => c.creditId)]);
        const again = reconcile({
          credits: gridOf(first.credits),
          ledger: w.ledger,
          issuedIds: issued,
          now: LATER,
        });
        expect(again.repairs.appends).toEqual([]);
        expect(again.restored).toEqual([]);
      }),
      {
        numRuns: 200,
        // Found by CI: a blank row given a credit's ID, that credit given a collected one's. The first run must
        // give the credit its own ID back, not leave it to the next (the blank row held no credit).
        examples: [
          // Found by random runs: usage cells typed onto a row that is then flagged (a collected credit's ID copied
          // onto it) must be cleared in the run that flags it, not the next.
          [
            [
              { kind: 'editId', at: 0, other: 24 },
              { kind: 'editKey', at: 34, value: 'typed-x' },
              { kind: 'cell', at: 24, field: 'processingDate', value: 0 },
            ],
            1,
          ],
          // Found by random runs: a blank row given a typed Key and a credit's ID, that credit given a collected
          // one's. The blank row loses the typed Key (it holds no credit), so it must not keep the credit's own ID
          // "in use" in the same run, or the credit gets it back only on the next.
          [
            [
              { kind: 'insert', at: 4 },
              { kind: 'editKey', at: 4, value: 'typed-x' },
              { kind: 'editId', at: 4, other: 25 },
              { kind: 'editId', at: 3, other: 0 },
            ],
            1,
          ],
          // Found by random runs: a row wearing a copied ID kept another credit's own ID "in use", so that credit
          // got it back only on the second run. One run must settle it.
          [
            [
              { kind: 'editId', at: 0, other: 29 },
              { kind: 'editId', at: 9, other: 12 },
              { kind: 'editId', at: 1, other: 0 },
            ],
            1,
          ],
          [
            [
              { kind: 'editId', at: 6, other: 5 },
              { kind: 'delete', at: 0 },
              { kind: 'sort', seed: -1413275166 },
              { kind: 'insert', at: 0 },
              { kind: 'sort', seed: 1229390380 },
              { kind: 'editId', at: 0, other: 31 },
              { kind: 'blankId', at: 2 },
            ],
            1,
          ],
          [
            [
              { kind: 'insert', at: 16 },
              { kind: 'editId', at: 28, other: 9 },
              { kind: 'editId', at: 20, other: 0 },
            ],
            1,
          ],
        ],
      },
    );
  });
});

describe('reconcile: Ledger rows typed over where no usage file proves them (decision 0031, property)', () => {
  /** A person's edit of the unhidden Ledger tab: a row's Key typed over with another credit's, or a made-up copy. */
  type LedgerOp = { kind: 'typeKey' | 'copyUnder'; row: number; credit: number };
  const ledgerOp: fc.Arbitrary<LedgerOp> = fc.record({
    kind: fc.constantFrom('typeKey' as const, 'copyUnder' as const),
    row: fc.nat(20),
    credit: fc.nat(20),
  });

  it('every collected credit stays locked as collected, no other credit is locked, one run settles it', () => {
    fc.assert(
      fc.property(
        fc.array(ledgerOp, { minLength: 1, maxLength: 3 }),
        fc.integer({ min: 1, max: 6 }),
        fc.boolean(),
        (ops, collected, sorted) => {
          const w = world(10, collected, Math.floor(collected / 2));
          const keys = creditsOf(w.grid).map((c) => c.key);
          let tab: LedgerEntry[] = w.ledger.map((e) => ({ ...e }));
          for (const o of ops) {
            const row = o.row % tab.length;
            // Another credit's Key, collected or not. Each credit's row typed or copied once: a row typed after it
            // was copied, or a copy of a typed row, leaves two rows that say the same credit and nothing to tell
            // the real one by (both under a Key not their own, or one under its own with a made-up record ID).
            const key = keys.filter((k) => k !== tab[row].key)[o.credit % (keys.length - 1)];
            if (tab.filter((e) => e.creditId === tab[row].creditId).length > 1) continue;
            if (
              o.kind === 'copyUnder' &&
              !w.ledger.some((e) => e.key === tab[row].key && e.creditId === tab[row].creditId)
            )
              continue;
            if (o.kind === 'typeKey') tab[row] = { ...tab[row], key };
            else tab = [...tab, { ...tab[row], key, usageRecordId: 'UR-made-up' }];
          }
          if (sorted) tab = [...tab].reverse();
          const union = unionLedger(tab, []);
          const first = syncInMemory({ ...w, ledger: union.entries }, w.grid);
          assertInvariants(w, first.credits);
          // What the run hands on as the record is the Ledger as collected.
          const record = [...first.result.ledgerKeys.ledger].sort((a, b) => a.key.localeCompare(b.key));
          const truth = [...w.ledger].sort((a, b) => a.key.localeCompare(b.key));
          expect(record.map((e) => `${e.key} ${e.creditId}`)).toEqual(
            truth.map((e) => `${e.key} ${e.creditId}`),
          );
          const again = reconcile({
            credits: gridOf(first.credits),
            ledger: record,
            issuedIds: w.issuedIds,
            now: LATER,
          });
          expect(again.restored).toEqual([]);
          expect(again.ledgerKeys.keysPutBack).toEqual([]);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('a correction credit (core/correction.ts) whose Key was blanked', () => {
  it('gets its correction key back from its Description, so the sync neither flags it nor corrects twice', () => {
    const w = world();
    const original = w.ledger.find((e) => e.status === 'PROCESSED')!;
    // AWS amends the invoiced credit: the sync adds its correction.
    const amended = {
      ...w,
      incoming: w.incoming.map((c) =>
        c.description === original.description ? { ...c, amount: c.amount + 500 } : c,
      ),
    };
    const first = syncInMemory(amended, w.grid);
    const correction = first.merged.corrections[0].credit;
    expect(correction.amount).toBe(500);
    const issued = new Set([...w.issuedIds, correction.creditId]);
    const blanked = gridOf(first.credits.map((c) => (c.key === correction.key ? { ...c, key: '' } : c)));
    const again = syncInMemory({ ...amended, issuedIds: issued }, blanked);
    expect(again.result.repairs.rowRepairs).toEqual([
      expect.objectContaining({
        creditId: correction.creditId,
        fields: expect.objectContaining({ key: correction.key }),
      }),
    ]);
    expect(again.result.unmatched).toEqual([]);
    expect(again.merged.adds).toEqual([]);
    expect(again.merged.notInCur).toEqual([]);
    expect(again.credits.filter((c) => c.key === correction.key)).toHaveLength(1);
  });
});
