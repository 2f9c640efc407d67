/**
 * Corrections after invoicing (core/correction.ts, docs/decisions/0006): an amended PROCESSED credit yields one
 * correction credit for the difference, once, however many syncs run; the invoiced row stays as invoiced.
 */
import fc from 'fast-check';
import type { Credit, CurCredit } from '../../core/credit';
import { correctionKey, isCorrection, parseCorrectionKey } from '../../core/correction-key';
import { proposedAllocation } from '../../core/correction';
import { mergeCredits, type ExistingCredit, type MergeResult } from '../../core/merge';
import { resolveCreditAllocation } from '../../core/credit-allocation';
import { planRules } from '../../core/assignment';
import { RuleIndex } from '../../core/rules';
import { planCollect } from '../../core/usage';
import { screenForCollect } from '../../core/collect-check';
import { buildSummary, curDifference } from '../../core/summary';
import { sumMinor } from '../../core/money';
import { credit, cur, directory, NOW } from '../helpers/domain';

const dir = directory([
  { accountId: '222222222222', customerId: 'CUST-1', resellerId: 'RES-1', assetId: 'AS-1' },
]);

const INVOICED = {
  status: 'PROCESSED' as const,
  allocation: 'customer 60%, reseller 40%',
  distributorKeeps: 0,
  ruleId: 'manual',
  usageFileId: 'UF-2026-11-1111-2222',
  usageRecordId: 'UR-2026-11-1111-2222-00001',
  processingDate: '2026-11-26',
};

function merge(existing: ExistingCredit[], incoming: CurCredit[], taken = new Set<string>()): MergeResult {
  for (const e of existing) taken.add(e.credit.creditId);
  return mergeCredits({
    existing,
    incoming,
    directory: dir,
    takenIds: taken,
    recordedDrift: new Set(),
    now: NOW,
    actor: 'test',
    periods: [...new Set(incoming.map((c) => c.period))],
  });
}

/** The sheet after a merge is written: updates in place, adds appended. */
function written(existing: ExistingCredit[], r: MergeResult): ExistingCredit[] {
  const after = new Map(r.updates.map((u) => [u.key, u.after]));
  const rows = existing.map((e) => ({ sheetRow: e.sheetRow, credit: after.get(e.credit.key) ?? e.credit }));
  for (const c of r.adds) rows.push({ sheetRow: rows.length + 2, credit: c });
  return rows;
}

describe('correction keys', () => {
  it('derive from the original key and read back', () => {
    expect(correctionKey('k1-abc', 2)).toBe('k1-abc#c2');
    expect(parseCorrectionKey('k1-abc#c2')).toEqual({ originalKey: 'k1-abc', n: 2 });
    expect(parseCorrectionKey('k1-abc')).toBeNull();
    expect(parseCorrectionKey('k1-abc#c0')).toBeNull();
    expect(isCorrection({ key: 'k1-abc#c1' })).toBe(true);
    expect(isCorrection({ key: 'k1-abc' })).toBe(false);
  });
});

describe('an amended PROCESSED credit', () => {
  const original = credit({ ...INVOICED, amount: 10000 });
  const sheet: ExistingCredit[] = [{ sheetRow: 2, credit: original }];

  it('yields a correction credit for the difference, linked to the original, PENDING_ASSIGN; the original stays', () => {
    const r = merge(sheet, [cur({ amount: 12550 })]);
    expect(r.updates).toHaveLength(0); // the invoiced row is not written
    expect(r.drift).toHaveLength(0); // the correction balances it: not drift
    expect(r.adds).toHaveLength(1);
    const c = r.adds[0];
    expect(c).toMatchObject({
      key: `${original.key}#c1`,
      amount: 2550,
      status: 'PENDING_ASSIGN',
      allocation: '',
      period: original.period,
      currency: 'USD',
      customerId: 'CUST-1',
      description: `Correction 1 of ${original.creditId} (usage record ${INVOICED.usageRecordId}, ${INVOICED.usageFileId}): ${original.description}`,
    });
    expect(c.creditId).toMatch(/^AWSC-202610-\d{4}-\d{4}$/);
    expect(c.creditId).not.toBe(original.creditId);
    expect(r.corrections).toEqual([
      { credit: c, originalId: original.creditId, proposal: 'customer 60%, reseller 40%' },
    ]);
    // The CUR's new amount of the invoiced credit is recorded; the correction's amount is recorded for collect.
    expect(r.audit).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ action: 'drift', creditId: original.creditId, after: '125.50' }),
        expect.objectContaining({
          action: 'sync-add',
          creditId: c.creditId,
          field: 'amount',
          after: '25.50',
        }),
        expect.objectContaining({
          action: 'sync-add',
          creditId: c.creditId,
          field: 'correction',
          after: expect.stringContaining('the CUR now says 125.50 USD, invoiced 100.00 USD'),
        }),
      ]),
    );
  });

  it('adds nothing on a second sync of the same CUR, and only the new difference on a further amendment', () => {
    const first = merge(sheet, [cur({ amount: 12550 })]);
    const after1 = written(sheet, first);
    const again = merge(after1, [cur({ amount: 12550 })]);
    expect(again.adds).toHaveLength(0);
    expect(again.updates).toHaveLength(0);
    expect(again.awaitingCorrections.map((n) => n.credit.creditId)).toEqual([first.adds[0].creditId]);

    const lower = merge(after1, [cur({ amount: 9000 })]);
    expect(lower.adds).toHaveLength(1);
    expect(lower.adds[0]).toMatchObject({ key: `${original.key}#c2`, amount: -3550 });
    expect(lower.adds[0].creditId).not.toBe(first.adds[0].creditId);
  });

  it('a PROCESSING credit whose amount changed is still drift (collect keeps to what was read), not corrected', () => {
    const processing = credit({ ...INVOICED, status: 'PROCESSING', amount: 10000 });
    const r = merge([{ sheetRow: 2, credit: processing }], [cur({ amount: 12000 })]);
    expect(r.adds).toHaveLength(0);
    expect(r.drift).toHaveLength(1);
  });

  it('a correction row is never flagged missing from the CUR nor updated by it', () => {
    const first = merge(sheet, [cur({ amount: 12550 })]);
    const r = merge(written(sheet, first), [cur({ amount: 12550 })]);
    expect(r.notInCur).toHaveLength(0);
    expect(r.updates).toHaveLength(0);
    expect(r.unchanged).toBe(0);
  });
});

describe("a correction's allocation", () => {
  const original = credit({ ...INVOICED, amount: 10000 });

  it('proposes the original percentages as they are, and fixed amounts as the percentage they came to', () => {
    expect(proposedAllocation(original, dir)).toBe('customer 60%, reseller 40%');
    const fixed = credit({ ...INVOICED, amount: 30000, allocation: 'customer 100.00, reseller 12.5%' });
    expect(proposedAllocation(fixed, dir)).toBe('customer CUST-1 33.33%, reseller RES-1 12.5%');
    expect(proposedAllocation(credit({ ...INVOICED, allocation: 'none' }), dir)).toBe('none');
    expect(proposedAllocation(credit({ ...INVOICED, allocation: 'customer 1%%' }), dir)).toBe('');
  });

  it('a negative correction bills every share back: the mirror of the positive split, adding up to the amount', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -1_000_000, max: -1 }),
        fc.integer({ min: 0, max: 10_000 }),
        (amount, bp) => {
          const pct = `${Math.floor(bp / 100)}.${String(bp % 100).padStart(2, '0')}%`;
          const allocation = `customer ${pct}`;
          const neg = credit({ key: 'k1-x#c1', amount, allocation });
          const pos = credit({ key: 'k1-x#c1', amount: -amount, allocation });
          const n = resolveCreditAllocation(neg, dir);
          const p = resolveCreditAllocation(pos, dir);
          expect(n.lines.map((l) => l.amount)).toEqual(p.lines.map((l) => (l.amount === 0 ? 0 : -l.amount)));
          expect(sumMinor(n.lines.map((l) => l.amount))).toBe(amount);
        },
      ),
    );
  });

  it('only a correction may be negative: any other negative credit is still refused', () => {
    expect(() => resolveCreditAllocation(credit({ amount: -500, allocation: 'customer 50%' }), dir)).toThrow(
      /its amount is negative/,
    );
  });

  it('rules never assign a correction; collect takes an assigned negative one with its amount proven', () => {
    const correction = credit({
      key: `${original.key}#c1`,
      creditId: 'AWSC-202610-9999-0001',
      amount: -2000,
    });
    const plan = planRules([correction], new RuleIndex([]), { customerBp: 10_000, resellerBp: 0 }, dir, {
      overwriteManual: false,
    });
    expect(plan.items).toHaveLength(0);
    expect(plan.skippedCorrections).toEqual([correction]);

    const assigned: Credit = {
      ...correction,
      status: 'ASSIGNED',
      allocation: 'customer 60%, reseller 40%',
      distributorKeeps: 0,
    };
    const proven = new Map([[assigned.creditId, '-20.00']]);
    const screened = screenForCollect([{ sheetRow: 3, credit: assigned }], dir, { syncedAmounts: proven });
    expect(screened.skipped).toEqual([]);
    const file = planCollect(screened.collectable, {
      now: NOW,
      takenFileIds: new Set(),
      directory: dir,
      deskId: 'desk',
    });
    expect(file!.records).toHaveLength(1);
    expect(file!.records[0].amount).toBe(-2000);
    expect(file!.records[0].billed!.map((b) => b.amount)).toEqual([-1200, -800]);

    const unproven = screenForCollect([{ sheetRow: 3, credit: assigned }], dir, {
      syncedAmounts: new Map([[assigned.creditId, '-25.00']]),
    });
    expect(unproven.skipped).toEqual([
      expect.objectContaining({
        reason: expect.stringContaining('Type -25.00 back into its Amount cell'),
      }),
    ]);
    const lost = screenForCollect([{ sheetRow: 3, credit: assigned }], dir, { syncedAmounts: new Map() });
    expect(lost.skipped[0].reason).toMatch(/Delete its row and run credit-desk sync/);
  });
});

describe('property: any sequence of amendments and syncs', () => {
  it('gives exactly one correction per distinct change; original + corrections = the latest CUR amount; a re-run changes nothing', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1_000_000 }),
        // each step: the CUR amount of that sync (may go up, down, to zero or below) and how often it is synced
        // and whether the corrections so far are then assigned, collected and closed (their status never matters)
        fc.array(
          fc.tuple(
            fc.integer({ min: -100_000, max: 2_000_000 }),
            fc.integer({ min: 1, max: 3 }),
            fc.boolean(),
          ),
          { maxLength: 8 },
        ),
        (invoiced, steps) => {
          const original = credit({ ...INVOICED, amount: invoiced });
          let sheet: ExistingCredit[] = [{ sheetRow: 2, credit: original }];
          const taken = new Set<string>();
          let covered = invoiced;
          let expectedCorrections = 0;
          for (const [amount, times, close] of steps) {
            if (amount !== covered) expectedCorrections++;
            for (let t = 0; t < times; t++) {
              const r = merge(sheet, [cur({ amount })], taken);
              expect(r.adds).toHaveLength(t === 0 && amount !== covered ? 1 : 0);
              expect(r.updates).toHaveLength(0);
              sheet = written(sheet, r);
            }
            covered = amount;
            if (close)
              sheet = sheet.map((e) =>
                isCorrection(e.credit)
                  ? { ...e, credit: { ...e.credit, ...INVOICED, allocation: 'customer 100%' } }
                  : e,
              );
            const rows = sheet.map((e) => e.credit);
            expect(rows.find((c) => c.key === original.key)).toEqual(original); // stays as invoiced
            expect(sumMinor(rows.map((c) => c.amount))).toBe(amount);
            // The whole-period check the Summary, report and sync make: reconciled, no false difference.
            const summary = buildSummary(rows, {
              directory: dir,
              currentPeriod: '2026-11',
              cur: [{ period: '2026-10', currency: 'USD', amount }],
            });
            expect(summary.periods.map(curDifference)).toEqual([0]);
          }
          const corrections = sheet.filter((e) => isCorrection(e.credit));
          expect(corrections).toHaveLength(expectedCorrections);
          expect(new Set(sheet.map((e) => e.credit.creditId)).size).toBe(sheet.length);
          expect(corrections.map((e) => parseCorrectionKey(e.credit.key)!.n)).toEqual(
            corrections.map((_, i) => i + 1),
          );
        },
      ),
      { numRuns: 200 },
    );
  });
});
