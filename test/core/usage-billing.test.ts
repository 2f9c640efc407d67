/**
 * Issue 27.1: who a credit is billed to. One usage-file row per beneficiary, on that beneficiary's asset, adding
 * up to the credit minus the distributor's share, cent-exact; a share with no asset is refused at assign and
 * skipped at collect, never billed on someone else's asset.
 */
import fc from 'fast-check';
import { buildDirectory, type AccountDirectory } from '../../core/accounts';
import { assignCredit } from '../../core/assignment';
import { screenForCollect } from '../../core/collect-check';
import type { Credit } from '../../core/credit';
import { resolveCreditAllocation } from '../../core/credit-allocation';
import { planCollection } from '../../core/usage';
import { billedRows, TIER_CUSTOMER, TIER_RESELLER } from '../../core/usage-billing';
import type { AccountField } from '../../core/sheet-contract';
import type { Cell } from '../../core/table';
import { isCreditDeskError } from '../../core/errors';

const ACCOUNTS = [
  // The credit's own account: customer CUST-1 on AS-1, sold by RES-1.
  ['222222222222', 'CUST-1', 'AS-1', 'RES-1'],
  ['333333333333', 'CUST-000117', 'AS-117', 'RES-2'],
  ['444444444444', 'CUST-2', 'AS-2', 'RES-1'],
  // A customer with no asset yet.
  ['555555555555', 'CUST-NOASSET', '', 'RES-3'],
];

function directory(rows: string[][] = ACCOUNTS): AccountDirectory {
  return buildDirectory(
    rows.map(([accountId, customerId, assetId, resellerId], i) => ({
      row: i + 2,
      record: {
        accountId,
        accountName: '',
        customerId,
        customerName: '',
        assetId,
        resellerId,
        resellerName: '',
      } as Record<AccountField, Cell>,
    })),
    'test accounts',
  );
}

function credit(over: Partial<Credit> = {}): Credit {
  return {
    key: 'k1',
    creditId: 'AWSC-202610-0357-1769',
    period: '2026-10',
    payerAccountId: '111111111111',
    accountId: '222222222222',
    customerId: 'CUST-1',
    assetId: 'AS-1',
    resellerId: 'RES-1',
    service: 'AmazonEC2',
    description: 'EDP credit',
    currency: 'USD',
    amount: 73260,
    status: 'PENDING_ASSIGN',
    allocation: '',
    distributorKeeps: null,
    ruleId: '',
    flags: '',
    notes: '',
    usageFileId: '',
    usageRecordId: '',
    processingDate: '',
    lastChange: '',
    ...over,
  } as Credit;
}

const ctx = (dir = directory()) => ({ directory: dir, actor: 'a@x', now: '2026-11-26T10:00:00.000Z' });

function collect(credits: Credit[], dir = directory()) {
  return planCollection(credits, {
    now: '2026-11-26T10:00:00.000Z',
    takenFileIds: new Set(),
    directory: dir,
    deskId: 'desk',
  });
}

describe('billing a credit per beneficiary (issue 27.1)', () => {
  it('a split credit: the customer share on THAT customer’s asset, the reseller share at tier 1, cent-exact', () => {
    const { credit: assigned } = assignCredit(credit(), 'customer CUST-000117 60%, reseller 40%', ctx());
    const [file] = collect([assigned]);
    const rows = file.records[0].billed!;
    expect(rows).toEqual([
      {
        recordId: `${file.records[0].usageRecordId}-1`,
        role: 'customer',
        targetId: 'CUST-000117',
        assetId: 'AS-117',
        tier: TIER_CUSTOMER,
        amount: 43956,
      },
      {
        recordId: `${file.records[0].usageRecordId}-2`,
        role: 'reseller',
        targetId: 'RES-1',
        assetId: 'AS-1',
        tier: TIER_RESELLER,
        amount: 29304,
      },
    ]);
    expect(rows.reduce((s, r) => s + r.amount, 0)).toBe(73260);
  });

  it('a reassigned credit is billed only on the new customer’s asset, never the account’s own', () => {
    const { credit: assigned } = assignCredit(credit(), 'customer CUST-2 100%', ctx());
    const rows = collect([assigned])[0].records[0].billed!;
    expect(rows.map((r) => [r.assetId, r.amount])).toEqual([['AS-2', 73260]]);
  });

  it('the distributor’s kept share is not billed, and a 0 share gets no row', () => {
    const { credit: assigned } = assignCredit(credit(), 'customer 25%, reseller 0%', ctx());
    const rows = collect([assigned])[0].records[0].billed!;
    expect(rows.map((r) => [r.targetId, r.amount])).toEqual([['CUST-1', 18315]]);
  });

  it('USD and EUR credits go into two files, one currency each', () => {
    const usd = assignCredit(credit(), 'customer 100%', ctx()).credit;
    const eur = assignCredit(
      credit({ key: 'k2', creditId: 'AWSC-202610-0000-0002', currency: 'EUR', amount: 1000 }),
      'customer 100%',
      ctx(),
    ).credit;
    const files = collect([usd, eur]);
    expect(files.map((f) => [f.currency, f.records.map((r) => r.creditId)])).toEqual([
      ['EUR', ['AWSC-202610-0000-0002']],
      ['USD', ['AWSC-202610-0357-1769']],
    ]);
    expect(new Set(files.map((f) => f.usageFileId)).size).toBe(2);
  });

  it('a customer without an asset is refused at assign, naming the customer and the fix', () => {
    let err: unknown;
    try {
      assignCredit(credit(), 'customer CUST-NOASSET 100%', ctx());
    } catch (e) {
      err = e;
    }
    expect(isCreditDeskError(err)).toBe(true);
    expect((err as Error).message).toMatch(/customer CUST-NOASSET has no Asset ID in the Accounts tab/);
    expect((err as Error).message).toMatch(/Add its Asset ID .* in the Accounts tab/);
  });

  it('…and skipped at collect when its asset went away after it was assigned, never billed elsewhere', () => {
    const assigned = assignCredit(credit(), 'customer CUST-2 60%, reseller 40%', ctx()).credit;
    const without = directory(ACCOUNTS.map((a) => (a[1] === 'CUST-2' ? [a[0], a[1], '', a[3]] : a)));
    const screened = screenForCollect([{ sheetRow: 7, credit: assigned }], without);
    expect(screened.collectable).toEqual([]);
    expect(screened.skipped).toEqual([
      {
        sheetRow: 7,
        creditId: assigned.creditId,
        reason: expect.stringMatching(/customer CUST-2 has no Asset ID in the Accounts tab.*collect again/),
      },
    ]);
    // And planning it anyway (a caller that skipped the screen) refuses rather than picking another asset.
    expect(() => collect([assigned], without)).toThrow(/CUST-2 has no Asset ID/);
  });
});

describe('property: the rows of a credit bill exactly what its allocation passes on, each on its target’s asset', () => {
  const customers = ['CUST-1', 'CUST-000117', 'CUST-2'];
  const resellers = ['RES-1', 'RES-2'];
  const assetOfCustomer = new Map(ACCOUNTS.map((a) => [a[1], a[2]]));
  const share = fc.oneof(
    fc.record({
      role: fc.constant('customer' as const),
      target: fc.constantFrom<string | null>(null, ...customers),
    }),
    fc.record({
      role: fc.constant('reseller' as const),
      target: fc.constantFrom<string | null>(null, ...resellers),
    }),
  );
  it('sums to the credit minus the distributor’s share, cent-exact', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10_000_000_00 }),
        fc.uniqueArray(share, { maxLength: 4, selector: (s) => `${s.role} ${s.target ?? s.role}` }),
        fc.array(fc.integer({ min: 0, max: 2000 }), { minLength: 4, maxLength: 4 }),
        fc.boolean(),
        (amount, shares, bps, fixedFirst) => {
          // At most 4 × 20% plus a fixed seventh of the credit: the shares always fit, the distributor keeps the rest.
          // Two ways to name the own customer ("customer" and "customer CUST-1") are one target: keep one.
          const seen = new Set<string>();
          const unique = shares.filter((s) => {
            const t = s.target ?? (s.role === 'customer' ? 'CUST-1' : 'RES-1');
            if (seen.has(t)) return false;
            seen.add(t);
            return true;
          });
          const c = credit({ amount });
          const text =
            unique
              .map((s, i) => {
                const q =
                  fixedFirst && i === 0
                    ? (Math.floor(amount / 7) / 100).toFixed(2)
                    : `${(bps[i] / 100).toFixed(2)}%`;
                return `${s.role}${s.target ? ` ${s.target}` : ''} ${q}`;
              })
              .join(', ') || 'none';
          const assigned = assignCredit(c, text, ctx()).credit;
          const resolved = resolveCreditAllocation(assigned, directory());
          const rows = billedRows('UR-1', c.creditId, resolved.lines, assigned, directory());
          expect(rows.reduce((s, r) => s + r.amount, 0)).toBe(amount - resolved.distributorKeeps);
          for (const r of rows) {
            if (r.role === 'customer') {
              expect(r.assetId).toBe(assetOfCustomer.get(r.targetId));
              expect(r.tier).toBe(TIER_CUSTOMER);
            } else {
              // A reseller's share on an asset it sells: its own account's when it is the credit's reseller.
              const sells = ACCOUNTS.filter((a) => a[3] === r.targetId).map((a) => a[2]);
              expect(sells).toContain(r.assetId);
              if (r.targetId === 'RES-1') expect(r.assetId).toBe('AS-1');
              expect(r.tier).toBe(TIER_RESELLER);
            }
            expect(r.amount).toBeGreaterThan(0);
          }
          expect(new Set(rows.map((r) => r.recordId)).size).toBe(rows.length);
        },
      ),
      { numRuns: 300 },
    );
  });
});
