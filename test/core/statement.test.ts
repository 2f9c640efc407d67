/**
 * Credit statements (core/statement.ts): every party's lines plus what the distributor keeps are the credits, per
 * currency, to the cent; each share is in exactly one statement per role; the Summary's per-party figures agree.
 */
import fc from 'fast-check';
import { buildStatements, statementCsv, statementName, statementTable } from '../../core/statement';
import { buildSummary } from '../../core/summary';
import type { Credit } from '../../core/credit';
import { credit, directory } from '../helpers/domain';

const DIR = directory([
  { accountId: '000000000001', customerId: 'CUST-1', resellerId: 'RES-1', assetId: 'AS-1' },
  { accountId: '000000000002', customerId: 'CUST-2', resellerId: 'RES-1', assetId: 'AS-2' },
  { accountId: '000000000003', customerId: 'CUST-3', resellerId: 'RES-2', assetId: 'AS-3' },
]);
/** No Ledger: these tests are about shares and totals, not the External billing column (external-billing.test.ts). */
const NO_LEDGER = new Map();
const ACCOUNTS = { '000000000001': 'CUST-1', '000000000002': 'CUST-2', '000000000003': 'CUST-3' } as const;
const RESELLER = { '000000000001': 'RES-1', '000000000002': 'RES-1', '000000000003': 'RES-2' } as const;

const allocation = fc.constantFrom(
  '',
  'customer 100%',
  'customer 60%, reseller 40%',
  'reseller 33.33%',
  'customer CUST-3 50%',
  'customer 1.00, reseller 0.50',
  'none',
);

const credits = fc
  .array(
    fc.record({
      account: fc.constantFrom('000000000001', '000000000002', '000000000003'),
      amount: fc.integer({ min: 200, max: 10_000_000 }),
      currency: fc.constantFrom('USD', 'EUR', 'JPY'),
      allocation,
      status: fc.constantFrom('ASSIGNED', 'PROCESSING', 'PROCESSED'),
      period: fc.constantFrom('2026-09', '2026-10'),
    }),
    { maxLength: 25 },
  )
  .map((specs) =>
    specs.map((s, i): Credit =>
      credit({
        key: `k${i}`,
        creditId: `AWSC-${s.period.replace('-', '')}-0000-${String(i).padStart(4, '0')}`,
        period: s.period,
        accountId: s.account,
        customerId: ACCOUNTS[s.account],
        resellerId: RESELLER[s.account],
        amount: s.amount,
        currency: s.currency,
        allocation: s.allocation,
        status: s.allocation ? s.status : 'PENDING_ASSIGN',
      }),
    ),
  );

describe('credit statements', () => {
  it('property: statements plus what the distributor keeps are the credits, per currency, to the cent', () => {
    fc.assert(
      fc.property(credits, fc.constantFrom('2026-09', '2026-10'), (all, period) => {
        const { statements, distributorKeeps, skipped } = buildStatements(all, DIR, NO_LEDGER, { period });
        // an allocation that does not resolve (a fixed 1.00 JPY) passes nothing on: named, in no statement
        for (const id of skipped) expect(all.find((c) => c.creditId === id)!.currency).toBe('JPY');
        const inPeriod = all.filter(
          (c) => c.period === period && c.status !== 'PENDING_ASSIGN' && !skipped.includes(c.creditId),
        );
        const want = new Map<string, number>();
        for (const c of inPeriod) want.set(c.currency, (want.get(c.currency) ?? 0) + c.amount);
        const got = new Map<string, number>(distributorKeeps);
        for (const s of statements)
          for (const t of s.totals) {
            got.set(t.currency, (got.get(t.currency) ?? 0) + t.amount);
            expect(t.invoiced + t.notInvoiced).toBe(t.amount);
          }
        for (const [cur, amount] of want) expect(got.get(cur) ?? 0).toBe(amount);
        // each share once per role: one line per (credit, role) at most in the parties' own lines
        for (const role of ['customer', 'reseller'] as const) {
          const ids = statements
            .filter((s) => s.party.role === role)
            .flatMap((s) => s.lines.map((l) => l.creditId));
          expect(new Set(ids).size).toBe(ids.length);
        }
        // the Summary's "passed on" per party is the statement's total
        const summary = buildSummary(all, { directory: DIR, currentPeriod: '2026-12', period });
        for (const p of summary.parties.filter((x) => x.role !== 'distributor' && x.amount !== 0)) {
          const s = statements.find((x) => x.party.role === p.role && x.party.id === p.targetId)!;
          expect(s.totals.find((t) => t.currency === p.currency)!.amount).toBe(p.amount);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("a reseller's statement lists what its customers received; one party's alone on request", () => {
    const all = [
      credit({
        key: 'a',
        creditId: 'AWSC-202610-0000-0001',
        accountId: '000000000001',
        customerId: 'CUST-1',
        resellerId: 'RES-1',
        status: 'PROCESSED',
        allocation: 'customer 60%, reseller 40%',
        amount: 100000,
      }),
      credit({
        key: 'b',
        creditId: 'AWSC-202610-0000-0002',
        accountId: '000000000002',
        customerId: 'CUST-2',
        resellerId: 'RES-1',
        status: 'ASSIGNED',
        allocation: 'customer 100%',
        amount: 5000,
      }),
    ];
    const { statements } = buildStatements(all, DIR, NO_LEDGER, {
      period: '2026-10',
      party: { role: 'reseller', id: 'RES-1' },
    });
    expect(statements).toHaveLength(1);
    const [res] = statements;
    expect(res.lines.map((l) => [l.creditId, l.percent, l.amount])).toEqual([
      ['AWSC-202610-0000-0001', '40', 40000],
    ]);
    expect(res.customerLines.map((l) => [l.forCustomer, l.amount])).toEqual([
      ['CUST-1', 60000],
      ['CUST-2', 5000],
    ]);
    expect(res.totals).toEqual([
      { currency: 'USD', amount: 40000, invoiced: 40000, notInvoiced: 0, credits: 1 },
    ]);
    const cust2 = buildStatements(all, DIR, NO_LEDGER, {
      period: '2026-10',
      party: { role: 'customer', id: 'CUST-2' },
    }).statements[0];
    const table = statementTable(cust2);
    expect(table.rows.at(-1)).toEqual(
      expect.arrayContaining([
        'Total USD',
        '1 credit; 50.00 not invoiced yet (ASSIGNED or PROCESSING: no external billing reference yet)',
        '50.00',
      ]),
    );
    expect(statementName(cust2.party, { period: '2026-10' })).toBe('statement-2026-10-customer-CUST-2');
  });
});

describe('statement CSV money', () => {
  it('writes amounts in the currency’s decimals as numbers: a bill-back is -50.00, not the defused text', () => {
    const all = [
      credit({
        key: 'a',
        creditId: 'AWSC-202610-0000-0001',
        accountId: '000000000001',
        customerId: 'CUST-1',
        resellerId: 'RES-1',
        status: 'ASSIGNED',
        allocation: 'customer 100%',
        amount: 12340,
      }),
      credit({
        key: 'a#c1',
        creditId: 'AWSC-202610-0000-0002',
        accountId: '000000000001',
        customerId: 'CUST-1',
        resellerId: 'RES-1',
        status: 'ASSIGNED',
        allocation: 'customer 100%',
        amount: -5000,
      }),
    ];
    const [cust] = buildStatements(all, DIR, NO_LEDGER, {
      period: '2026-10',
      party: { role: 'customer', id: 'CUST-1' },
    }).statements;
    const lines = statementCsv(cust)
      .replace(/^\uFEFF/, '')
      .split('\r\n');
    const amountAt = lines[0].split(',').indexOf('Amount');
    const amounts = lines.slice(1, 3).map((l) => l.split(',')[amountAt]);
    expect(amounts.sort()).toEqual(['-50.00', '123.40']);
    expect(lines.find((l) => l.startsWith('Total USD,'))!.split(',')[amountAt]).toBe('73.40');
  });
});
