import fc from 'fast-check';
import type { Credit, CurCredit } from '../../core/credit';
import { creditKey } from '../../core/ids';
import { isHeld } from '../../core/flags';
import { mergeCredits, type ExistingCredit, type MergeResult } from '../../core/merge';
import { directory, NOW, cur, credit } from '../helpers/domain';

const dir = directory([
  { accountId: '222222222222', customerId: 'CUST-1', resellerId: 'RES-1', assetId: 'AS-1' },
  { accountId: '333333333333', customerId: 'CUST-2', resellerId: 'RES-1', assetId: 'AS-2' },
]);

/** `periods`: the periods the sync read; by default those of the incoming credits. */
function merge(
  existing: ExistingCredit[],
  incoming: CurCredit[],
  recorded = new Set<string>(),
  periods = [...new Set(incoming.map((c) => c.period))],
): MergeResult {
  const taken = new Set(existing.map((e) => e.credit.creditId));
  return mergeCredits({
    existing,
    incoming,
    directory: dir,
    takenIds: taken,
    recordedDrift: recorded,
    now: NOW,
    actor: 'test',
    periods,
  });
}

/** What the sheet holds after writing a merge result (rows kept in place, adds appended). */
function applyResult(existing: ExistingCredit[], r: MergeResult): ExistingCredit[] {
  const byKey = new Map(r.updates.map((u) => [u.key, u.after]));
  const rows = existing.map((e) => ({ sheetRow: e.sheetRow, credit: byKey.get(e.credit.key) ?? e.credit }));
  r.adds.forEach((c, i) => rows.push({ sheetRow: existing.length + i + 2, credit: c }));
  return rows;
}

describe('merge', () => {
  it('adds new credits as PENDING_ASSIGN with an ID and the account mapping', () => {
    const r = merge([], [cur()]);
    expect(r.adds).toHaveLength(1);
    expect(r.adds[0]).toMatchObject({
      status: 'PENDING_ASSIGN',
      customerId: 'CUST-1',
      assetId: 'AS-1',
      resellerId: 'RES-1',
      flags: '',
    });
    expect(r.adds[0].creditId).toMatch(/^AWSC-202610-\d{4}-\d{4}$/);
    expect(r.audit.map((a) => a.action)).toEqual(['sync-add']);
  });

  it('imports and flags a credit whose account is not in Accounts', () => {
    const r = merge([], [cur({ accountId: '999999999999' })]);
    expect(r.adds[0].flags).toBe('UNKNOWN_ACCOUNT');
    expect(r.flagged).toHaveLength(1);
  });

  it('keeps staff columns and only updates sync-owned fields that differ', () => {
    const existing = [
      {
        sheetRow: 2,
        credit: credit({
          status: 'ASSIGNED',
          allocation: 'customer 60%, reseller 40%',
          ruleId: 'manual',
          notes: 'agreed with Anna',
          customerId: 'OLD',
          distributorKeeps: 0,
        }),
      },
    ];
    const r = merge(existing, [cur()]);
    expect(r.updates).toHaveLength(1);
    const after = r.updates[0].after;
    expect(after.customerId).toBe('CUST-1');
    expect(after).toMatchObject({
      status: 'ASSIGNED',
      allocation: 'customer 60%, reseller 40%',
      ruleId: 'manual',
      notes: 'agreed with Anna',
    });
    expect(r.updates[0].fields).toEqual(['customerId', 'lastChange']);
  });

  it('never modifies PROCESSING/PROCESSED rows and reports drift once', () => {
    const locked = credit({ status: 'PROCESSING', amount: 5000, usageFileId: 'UF-2026-11-0000-0001' });
    const r1 = merge([{ sheetRow: 2, credit: locked }], [cur({ amount: 7000 })]);
    expect(r1.updates).toHaveLength(0);
    expect(r1.locked).toBe(1);
    expect(r1.drift).toEqual([
      expect.objectContaining({
        creditId: locked.creditId,
        field: 'amount',
        sheet: '50.00',
        source: '70.00',
      }),
    ]);
    expect(r1.audit.filter((a) => a.action === 'drift')).toHaveLength(1);
    const recorded = new Set([`${locked.creditId}|amount|70.00`]);
    const r2 = merge([{ sheetRow: 2, credit: locked }], [cur({ amount: 7000 })], recorded);
    expect(r2.drift).toHaveLength(1);
    expect(r2.audit).toHaveLength(0);
    expect(r1.totals).toEqual([{ period: '2026-10', currency: 'USD', source: 7000, credits: 1 }]);
  });

  it('recomputes what the distributor keeps when an assigned credit grows, and sends it for review when a fixed amount no longer fits', () => {
    const assigned = credit({
      status: 'ASSIGNED',
      allocation: 'customer 50%',
      distributorKeeps: 5000,
      ruleId: 'R1',
    });
    const grown = merge([{ sheetRow: 2, credit: assigned }], [cur({ amount: 20000 })]);
    expect(grown.updates[0].after).toMatchObject({
      status: 'ASSIGNED',
      amount: 20000,
      distributorKeeps: 10000,
    });
    const fixed = credit({
      status: 'ASSIGNED',
      allocation: 'customer CUST-1 90.00',
      distributorKeeps: 1000,
      ruleId: 'manual',
    });
    const shrunk = merge([{ sheetRow: 2, credit: fixed }], [cur({ amount: 5000 })]);
    expect(shrunk.updates[0].after).toMatchObject({
      status: 'PENDING_ASSIGN',
      flags: 'REVIEW_AMOUNT_CHANGED',
    });
    // and the review flag survives the next sync (the sync owns only its own flag)
    const again = merge([{ sheetRow: 2, credit: shrunk.updates[0].after }], [cur({ amount: 5000 })]);
    expect(again.updates).toHaveLength(0);
  });

  it('keeps rows the CUR no longer returns (last month’s unassigned credits stay listed)', () => {
    const old = credit({ period: '2026-09' });
    const r = merge([{ sheetRow: 2, credit: old }], [cur()]);
    expect(r.adds).toHaveLength(1);
    expect(r.updates).toHaveLength(0);
  });

  it('flags an unlocked row of a period read that the CUR no longer returns, and unflags it when it is back', () => {
    const gone = credit({
      status: 'ASSIGNED',
      allocation: 'customer 100%',
      distributorKeeps: 0,
      ruleId: 'R1',
    });
    const other = cur({ description: 'Still there' });
    const r1 = merge([{ sheetRow: 2, credit: gone }], [other]);
    expect(r1.updates).toEqual([expect.objectContaining({ key: gone.key, fields: ['flags', 'lastChange'] })]);
    const flagged = r1.updates[0].after;
    expect(flagged).toMatchObject({ status: 'ASSIGNED', amount: gone.amount, flags: 'REVIEW_NOT_IN_CUR' });
    expect(isHeld(flagged)).toBe(true);
    expect(r1.notInCur).toEqual([flagged]);
    expect(r1.audit.filter((a) => a.creditId === gone.creditId)).toEqual([
      expect.objectContaining({
        action: 'sync-update',
        field: 'flags',
        before: '',
        after: 'REVIEW_NOT_IN_CUR',
      }),
      expect.objectContaining({
        field: 'review',
        after: expect.stringMatching(/^REVIEW_NOT_IN_CUR: the 2026-10 CUR no longer returns/),
      }),
    ]);
    // Every currency of the period the sheet has is checked, even one the CUR has nothing of any more.
    const eur = credit({ key: 'k-eur', creditId: 'AWSC-202610-0000-0002', currency: 'EUR' });
    expect(merge([{ sheetRow: 3, credit: eur }], [other]).totals).toContainEqual({
      period: '2026-10',
      currency: 'EUR',
      source: 0,
      credits: 0,
    });

    // A second sync of the same CUR changes nothing; the row is still listed as not in the CUR.
    const r2 = merge([{ sheetRow: 2, credit: flagged }], [other]);
    expect(r2.updates).toEqual([]);
    expect(r2.audit.filter((a) => a.creditId === gone.creditId)).toEqual([]);
    expect(r2.notInCur.map((c) => c.creditId)).toEqual([gone.creditId]);

    // Back in the CUR: the sync removes its own flag (and only it), saying so.
    const back = merge(
      [{ sheetRow: 2, credit: { ...flagged, flags: 'REVIEW_NOT_IN_CUR MY_NOTE' } }],
      [cur(), other],
    );
    expect(back.updates[0].after).toMatchObject({ flags: 'MY_NOTE', status: 'ASSIGNED' });
    expect(back.notInCur).toEqual([]);
    expect(back.audit.filter((a) => a.creditId === gone.creditId)).toEqual([
      expect.objectContaining({ field: 'flags', before: 'REVIEW_NOT_IN_CUR MY_NOTE', after: 'MY_NOTE' }),
      expect.objectContaining({
        field: 'review',
        before: 'REVIEW_NOT_IN_CUR',
        after: expect.stringMatching(/^cleared/),
      }),
    ]);
  });

  it('leaves a collected row missing from the CUR as it is, listing it; rows of periods not read are not looked at', () => {
    const collected = credit({ status: 'PROCESSED', usageFileId: 'UF-2026-11-0000-0001' });
    const r = merge([{ sheetRow: 2, credit: collected }], [], new Set(), ['2026-10']);
    expect(r.updates).toEqual([]);
    expect(r.audit).toEqual([]);
    expect(r.collectedNotInCur).toEqual([collected]);
    const september = merge([{ sheetRow: 2, credit: credit({ period: '2026-09' }) }], [], new Set(), [
      '2026-10',
    ]);
    expect(september.updates).toEqual([]);
    expect(september.notInCur).toEqual([]);
  });

  it('refuses a sheet that lists one key twice, naming both rows', () => {
    const c = credit();
    expect(() =>
      merge(
        [
          { sheetRow: 2, credit: c },
          { sheetRow: 7, credit: { ...c, creditId: 'AWSC-202610-9999-9999' } },
        ],
        [],
      ),
    ).toThrow(/rows 2 and 7/);
  });

  const curArb = fc.record({
    period: fc.constantFrom('2026-09', '2026-10'),
    payerAccountId: fc.constant('111111111111'),
    accountId: fc.constantFrom('222222222222', '333333333333', '444444444444'),
    service: fc.constantFrom('AmazonEC2', 'AmazonS3', 'AWSLambda'),
    description: fc.constantFrom(
      'AWS Promotional Credit',
      'MAP 2.0 Migration Credit - MPE1',
      'クレジット',
      '=HYPERLINK("x")',
    ),
    currency: fc.constantFrom('USD', 'EUR'),
    amount: fc.integer({ min: 1, max: 10 ** 9 }),
  });

  it('property: every incoming credit ends up exactly once, and a re-run with the same data changes nothing', () => {
    fc.assert(
      fc.property(
        fc.array(curArb, { maxLength: 40 }),
        fc.array(curArb, { maxLength: 40 }),
        (first, second) => {
          const sheet1 = applyResult([], merge([], first));
          const r2 = merge(sheet1, second);
          const sheet2 = applyResult(sheet1, r2);
          const keys = sheet2.map((e) => e.credit.key);
          expect(new Set(keys).size).toBe(keys.length);
          for (const c of [...first, ...second]) expect(keys).toContain(creditKey(c));
          const ids = sheet2.map((e) => e.credit.creditId);
          expect(new Set(ids).size).toBe(ids.length);
          const again = merge(sheet2, second);
          expect(again.adds).toHaveLength(0);
          expect(again.updates).toHaveLength(0);
        },
      ),
    );
  });

  it('property: rows are found by key whatever their order, and locked rows are never in the updates', () => {
    fc.assert(
      fc.property(
        fc.array(curArb, { minLength: 1, maxLength: 30 }),
        fc.array(curArb, { maxLength: 30 }),
        fc.integer(),
        (first, second, seed) => {
          const base = applyResult([], merge([], first)).map((e, i) => ({
            ...e,
            credit: {
              ...e.credit,
              status: (i % 3 === 0 ? 'PROCESSING' : 'PENDING_ASSIGN') as Credit['status'],
            },
          }));
          // a person sorted the sheet: same rows, other positions
          const shuffled = [...base]
            .sort(
              (a, b) => ((a.credit.key.charCodeAt(5) * seed) % 7) - ((b.credit.key.charCodeAt(5) * seed) % 7),
            )
            .map((e, i) => ({ sheetRow: i + 2, credit: e.credit }));
          const r = merge(shuffled, second);
          for (const u of r.updates) {
            const at = shuffled.find((e) => e.sheetRow === u.sheetRow)!;
            expect(at.credit.key).toBe(u.key);
            expect(at.credit.status).not.toBe('PROCESSING');
          }
        },
      ),
    );
  });
});

describe('merge: credits held for review (REVIEW_ hold flags)', () => {
  const held = (amount: number) => ({
    ...cur({ amount }),
    review: [{ flag: 'REVIEW_NOT_POSITIVE' as const, detail: 'nets to a charge' }],
  });

  it('a new credit gets the hold flags the CUR reading raised', () => {
    const r = merge([], [held(-300)]);
    expect(r.adds[0]).toMatchObject({ amount: -300, flags: 'REVIEW_NOT_POSITIVE', status: 'PENDING_ASSIGN' });
  });

  it('a known credit whose amount changes to zero or less is held again; an unchanged one is left as a person left it', () => {
    const existing = [{ sheetRow: 2, credit: credit({ amount: 10000, flags: '' }) }];
    const r = merge(existing, [held(0)]);
    expect(r.updates[0].after.flags).toBe('REVIEW_NOT_POSITIVE');
    expect(r.audit).toContainEqual(
      expect.objectContaining({
        action: 'sync-update',
        field: 'flags',
        before: '',
        after: 'REVIEW_NOT_POSITIVE',
      }),
    );
    // The flag was cleared by a person and the CUR still says -3.00: nothing is put back.
    const resolved = [{ sheetRow: 2, credit: credit({ amount: -300, flags: '' }) }];
    const again = merge(resolved, [held(-300)]);
    expect(again.updates).toEqual([]);
    expect(again.unchanged).toBe(1);
    // A positive new amount raises nothing.
    const up = merge(resolved, [cur({ amount: 500 })]);
    expect(up.updates[0].after.flags).toBe('');
  });
});
