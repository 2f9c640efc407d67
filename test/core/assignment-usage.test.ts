import fc from 'fast-check';
import { applyPlan, assignCredit, planRules, planTotals, unassignCredit } from '../../core/assignment';
import type { RuleIndex, Rule, Explanation } from '../../core/rules';
import { applyClose, applyCollect, planCollect } from '../../core/usage';
import { directory, NOW, credit } from '../helpers/domain';
import type { Credit } from '../../core/credit';

const dir = directory([
  { accountId: '222222222222', customerId: 'CUST-1', resellerId: 'RES-1', assetId: 'AS-1' },
  { accountId: '333333333333', customerId: 'CUST-2', resellerId: 'RES-2', assetId: 'AS-2' },
]);
const ctx = { directory: dir, actor: 'anna@example.com', now: NOW };

/** An index that picks rule R-MAP for MAP credits and nothing else: enough to exercise planRules. */
const mapRule = { ruleId: 'R-MAP', name: 'MAP credits', customerBp: 7000, resellerBp: 3000 } as Rule;
function explain(s: { description: string }): Explanation {
  return s.description.startsWith('MAP')
    ? {
        chosen: mapRule,
        reason: 'matched',
        matching: [{ rule: mapRule, why: 'description' }],
        usedDefault: false,
      }
    : { chosen: null, reason: 'no rule', matching: [], usedDefault: true };
}
const index = { explain, choose: (s: { description: string }) => explain(s).chosen } as unknown as RuleIndex;

describe('assigning by hand', () => {
  it('assigns a pending credit, records the person, and computes what the distributor keeps', () => {
    const out = assignCredit(credit({ amount: 10001 }), 'customer 60%, reseller 30%', ctx);
    expect(out.credit).toMatchObject({ status: 'ASSIGNED', ruleId: 'manual', distributorKeeps: 1000 });
    expect(out.resolved!.lines.reduce((s, l) => s + l.amount, 0)).toBe(10001);
    expect(out.audit.every((a) => a.who === 'anna@example.com' && a.action === 'assign')).toBe(true);
    expect(out.audit.find((a) => a.field === 'status')).toMatchObject({
      before: 'PENDING_ASSIGN',
      after: 'ASSIGNED',
    });
  });

  it('treats re-assigning an ASSIGNED credit as an edit, and unassign clears it', () => {
    const a = assignCredit(credit(), 'customer 100%', ctx).credit;
    const edited = assignCredit(a, 'reseller 100%', ctx);
    expect(edited.audit[0].action).toBe('edit');
    const back = unassignCredit(edited.credit, ctx).credit;
    expect(back).toMatchObject({
      status: 'PENDING_ASSIGN',
      allocation: '',
      ruleId: '',
      distributorKeeps: null,
    });
  });

  it('refuses locked credits before looking at the allocation, and refuses unknown targets and splits over 100%', () => {
    expect(() => assignCredit(credit({ status: 'PROCESSING' }), 'nonsense', ctx)).toThrow(/PROCESSING/);
    expect(() => assignCredit(credit(), 'customer CUST-404 10%', ctx)).toThrow(/CUST-404/);
    expect(() => assignCredit(credit(), 'customer 70%, reseller 40%', ctx)).toThrow(/100/);
    expect(() => unassignCredit(credit(), ctx)).toThrow(/PENDING_ASSIGN/);
  });
});

describe('applying rules', () => {
  const defaults = { customerBp: 10000, resellerBp: 0 };
  it('uses the chosen rule, else the default configuration, and skips manual and locked credits', () => {
    const credits = [
      credit({ creditId: 'A', description: 'MAP 2.0 credit', amount: 1001 }),
      credit({ creditId: 'B', description: 'AWS Promotional Credit', amount: 500 }),
      credit({
        creditId: 'C',
        status: 'ASSIGNED',
        ruleId: 'manual',
        allocation: 'customer 10%',
        distributorKeeps: 0,
      }),
      credit({ creditId: 'D', status: 'PROCESSED' }),
    ];
    const plan = planRules(credits, index, defaults, dir, { overwriteManual: false });
    expect(plan.items.map((i) => [i.credit.creditId, i.ruleId])).toEqual([
      ['A', 'R-MAP'],
      ['B', 'default'],
    ]);
    expect(plan.skippedManual.map((c) => c.creditId)).toEqual(['C']);
    expect(plan.skippedLocked.map((c) => c.creditId)).toEqual(['D']);
    const withManual = planRules(credits, index, defaults, dir, { overwriteManual: true });
    expect(withManual.items).toHaveLength(3);
    const applied = applyPlan(plan, ctx);
    expect(applied.map((o) => o.credit.status)).toEqual(['ASSIGNED', 'ASSIGNED']);
    expect(applied[0].credit.allocation).toBe('customer 70%, reseller 30%');
    const totals = planTotals(plan);
    const sum = totals.byTarget.reduce((s, t) => s + t.amount, 0);
    expect(sum).toBe(1001 + 500);
  });

  it('reports credits it cannot assign (no customer for the account) instead of guessing', () => {
    const orphan = credit({ creditId: 'X', customerId: '', accountId: '999999999999' });
    const plan = planRules([orphan], index, defaults, dir, { overwriteManual: false });
    expect(plan.items).toHaveLength(0);
    expect(plan.failed[0].message).toMatch(/customer/i);
  });

  it('property: plan totals per currency equal the sum of planned credits, to the cent', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ amount: fc.integer({ min: 1, max: 10 ** 10 }), map: fc.boolean() }), {
          maxLength: 50,
        }),
        (rows) => {
          const credits = rows.map((r, i) =>
            credit({
              creditId: `C${i}`,
              key: `k${i}`,
              amount: r.amount,
              description: r.map ? 'MAP x' : 'Promo',
            }),
          );
          const plan = planRules(credits, index, { customerBp: 3333, resellerBp: 3333 }, dir, {
            overwriteManual: false,
          });
          const t = planTotals(plan);
          expect(t.byTarget.reduce((s, x) => s + x.amount, 0)).toBe(rows.reduce((s, r) => s + r.amount, 0));
        },
      ),
    );
  });
});

describe('usage process', () => {
  const assigned = (id: string, key: string, amount = 1000) => ({
    ...assignCredit(credit({ creditId: id, key, amount }), 'customer 100%', ctx).credit,
  });

  const plan = (credits: Credit[], taken: string[] = []) =>
    planCollect(credits, { now: NOW, takenFileIds: new Set(taken), directory: dir, deskId: 'CD-T' });

  it('collects every ASSIGNED credit into one file, then closes it', () => {
    const credits = [assigned('A', 'ka'), assigned('B', 'kb', 250), credit({ creditId: 'P', key: 'kp' })];
    const file = plan(credits)!;
    expect(file.records.map((r) => r.creditId)).toEqual(['A', 'B']);
    expect(new Set(file.records.map((r) => r.usageRecordId)).size).toBe(2);
    expect(file.totals).toEqual([{ currency: 'USD', amount: 1250, credits: 2 }]);
    const collected = applyCollect(file, credits, NOW);
    expect(collected.credits.map((c) => [c.creditId, c.status, c.usageFileId])).toEqual([
      ['A', 'PROCESSING', file.usageFileId],
      ['B', 'PROCESSING', file.usageFileId],
    ]);
    const sheet = credits.map((c) => collected.credits.find((x) => x.key === c.key) ?? c);
    // collecting again takes nothing: a credit is never in two files
    expect(plan(sheet, [file.usageFileId])).toBeNull();
    // re-applying the same file (a resumed run) does nothing twice
    expect(applyCollect(file, sheet, NOW).credits).toHaveLength(0);
    const closed = applyClose(file.usageFileId, sheet, NOW);
    expect(closed.credits.map((c) => c.status)).toEqual(['PROCESSED', 'PROCESSED']);
  });

  it('leaves out of a collection a credit changed, held, re-priced or deleted in between; refuses to close an unknown file', () => {
    const credits = [assigned('A', 'ka')];
    const file = plan(credits)!;
    const changed = [{ ...credits[0], allocation: 'reseller 100%' }];
    expect(applyCollect(file, changed, NOW)).toMatchObject({
      credits: [],
      audit: [],
      left: [{ key: 'ka', reason: expect.stringMatching(/allocation "reseller 100%" now/) }],
    });
    const cases: [Credit[], RegExp][] = [
      [[{ ...credits[0], amount: credits[0].amount + 1 }], /its amount is/],
      [[{ ...credits[0], flags: 'REVIEW_NOT_POSITIVE' }], /held for review now \(REVIEW_NOT_POSITIVE\)/],
      [[{ ...credits[0], status: 'PENDING_ASSIGN', allocation: '' }], /PENDING_ASSIGN/],
      [[], /no longer in the sheet/],
    ];
    for (const [sheet, why] of cases)
      expect(applyCollect(file, sheet, NOW).left).toEqual([
        { key: 'ka', creditId: 'A', reason: expect.stringMatching(why) },
      ]);
    // as collected: PROCESSING, Keeps from the allocation, and the Audit's own record of the collection
    const done = applyCollect(file, credits, NOW);
    expect(done.left).toEqual([]);
    expect(done.credits[0]).toMatchObject({ status: 'PROCESSING', usageFileId: file.usageFileId });
    expect(done.audit.map((a) => a.field)).toContain('record');
    expect(() => applyClose('UF-2026-11-0000-0000', credits, NOW)).toThrow(/No credit/);
  });
});
