/**
 * The Summary figures against sums computed independently from the export (the JSON scripting contract, whose
 * amounts are decimal strings), over random sheets: per period and currency by status, per party, per usage
 * file, stale unassigned credits and flags.
 */
import fc from 'fast-check';
import type { Credit } from '../../core/credit';
import { creditToJson, type CreditJson } from '../../core/export';
import { parseDecimal } from '../../core/money';
import { STATUSES, type Status } from '../../core/status';
import {
  buildSummary,
  curDifference,
  mainCurrency,
  previousPeriodOf,
  summaryJson,
  topResellers,
} from '../../core/summary';
import { summaryGrid, summaryLayout, summaryTables } from '../../core/summary-layout';
import { credit, directory } from '../helpers/domain';

const dir = directory([
  { accountId: '000000000001', customerId: 'CUST-1', resellerId: 'RES-1' },
  { accountId: '000000000002', customerId: 'CUST-2', resellerId: 'RES-2' },
  { accountId: '000000000003', customerId: 'CUST-3', resellerId: '' },
]);
const OWNERS = [
  { accountId: '000000000001', customerId: 'CUST-1', resellerId: 'RES-1' },
  { accountId: '000000000002', customerId: 'CUST-2', resellerId: 'RES-2' },
  { accountId: '000000000003', customerId: 'CUST-3', resellerId: '' },
];
const ALLOCATIONS = [
  'customer 100%',
  'customer 60%, reseller 40%',
  'reseller 25%',
  'none',
  'customer CUST-2 33.33%, reseller 33.33%',
  'customer 1.00',
  'customer CUST-404 10%', // unknown ID: does not resolve, flagged for review
];

const creditArb = fc.record({
  owner: fc.constantFrom(...OWNERS),
  period: fc.constantFrom('2026-07', '2026-08', '2026-09', '2026-10'),
  currency: fc.constantFrom('USD', 'EUR', 'JPY'),
  amount: fc.integer({ min: 1, max: 50_000_000 }),
  status: fc.constantFrom<Status>(...STATUSES),
  allocation: fc.constantFrom(...ALLOCATIONS),
  file: fc.constantFrom('UF-2026-10-0001-0001', 'UF-2026-11-0002-0002'),
  flags: fc.constantFrom(
    '',
    'UNKNOWN_ACCOUNT',
    'REVIEW_AMOUNT_CHANGED',
    'UNKNOWN_ACCOUNT REVIEW_AMOUNT_CHANGED',
  ),
});
type Raw = typeof creditArb extends fc.Arbitrary<infer T> ? T : never;

function toCredit(r2: Raw, i: number): Credit {
  const assigned = r2.status !== 'PENDING_ASSIGN';
  const collected = r2.status === 'PROCESSING' || r2.status === 'PROCESSED';
  return credit({
    key: `k${i}`,
    creditId: `AWSC-${r2.period.replace('-', '')}-0000-${String(i).padStart(4, '0')}`,
    period: r2.period,
    accountId: r2.owner.accountId,
    customerId: r2.owner.customerId,
    resellerId: r2.owner.resellerId,
    currency: r2.currency,
    amount: r2.amount,
    status: r2.status,
    allocation: assigned ? r2.allocation : '',
    usageFileId: collected ? r2.file : '',
    flags: r2.flags,
  });
}

/** Independent sums from the export: decimal strings parsed back to minor units, added as BigInt. */
function fromExport(rows: CreditJson[]) {
  const big = (s: string, cur: string) => BigInt(parseDecimal(s, cur));
  const byStatus = new Map<string, bigint>();
  const byParty = new Map<string, bigint>();
  const byFile = new Map<string, bigint>();
  for (const r of rows) {
    const k = `${r.period}|${r.currency}|${r.status}`;
    byStatus.set(k, (byStatus.get(k) ?? 0n) + big(r.amount, r.currency));
    if (r.status === 'PENDING_ASSIGN') continue;
    for (const a of r.allocations) {
      const pk = `${r.period}|${r.currency}|${a.role}|${a.targetId}`;
      byParty.set(pk, (byParty.get(pk) ?? 0n) + big(a.amount, r.currency));
    }
    if (r.usageFileId && r.allocations.length) {
      const fk = `${r.usageFileId}|${r.currency}`;
      byFile.set(fk, (byFile.get(fk) ?? 0n) + big(r.amount, r.currency));
    }
  }
  return { byStatus, byParty, byFile };
}

describe('buildSummary', () => {
  it('equals sums computed independently from the export, over random sheets', () => {
    fc.assert(
      fc.property(fc.array(creditArb, { maxLength: 60 }), (raw) => {
        const credits = raw.map((r, i) => toCredit(r, i));
        const s = buildSummary(credits, { directory: dir, currentPeriod: '2026-11' });
        const exp = fromExport(credits.map((c) => creditToJson(c, dir)));

        for (const p of s.periods) {
          let total = 0n;
          for (const st of STATUSES) {
            const want = exp.byStatus.get(`${p.period}|${p.currency}|${st}`) ?? 0n;
            expect(BigInt(p.byStatus[st].amount)).toBe(want);
            total += want;
          }
          expect(BigInt(p.amount)).toBe(total);
          expect(p.credits).toBe(
            credits.filter((c) => c.period === p.period && c.currency === p.currency).length,
          );
        }
        expect(s.periods.reduce((n, p) => n + p.credits, 0)).toBe(credits.length);

        const parties = new Map(
          s.parties.map((p) => [`${p.period}|${p.currency}|${p.role}|${p.targetId}`, p]),
        );
        expect(parties.size).toBe(exp.byParty.size);
        for (const [k, v] of exp.byParty) expect(BigInt(parties.get(k)!.amount)).toBe(v);

        const files = new Map(s.usageFiles.map((f) => [`${f.usageFileId}|${f.currency}`, f]));
        expect(files.size).toBe(exp.byFile.size);
        for (const [k, v] of exp.byFile) {
          const f = files.get(k)!;
          expect(BigInt(f.amount)).toBe(v);
          // What a file carried splits exactly into its customer, reseller and distributor parts.
          expect(f.customer + f.reseller + f.distributor).toBe(f.amount);
        }

        const stale = credits.filter((c) => c.status === 'PENDING_ASSIGN' && c.period < '2026-10');
        expect(s.staleUnassigned.reduce((n, t) => n + t.credits, 0)).toBe(stale.length);

        const invalid = credits.filter(
          (c) => c.status !== 'PENDING_ASSIGN' && creditToJson(c, dir).allocations.length === 0,
        );
        expect(
          s.flags.filter((f) => f.flag === 'ALLOCATION_INVALID').reduce((n, f) => n + f.credits, 0),
        ).toBe(invalid.length);
        const unknown = credits.filter((c) => c.flags.includes('UNKNOWN_ACCOUNT'));
        expect(s.flags.filter((f) => f.flag === 'UNKNOWN_ACCOUNT').reduce((n, f) => n + f.credits, 0)).toBe(
          unknown.length,
        );
      }),
      { numRuns: 150 },
    );
  });

  it('reconciles each period with the CUR totals the sync read', () => {
    const credits = [credit({ key: 'a', amount: 1000 }), credit({ key: 'b', amount: 234 })];
    const s = buildSummary(credits, {
      directory: dir,
      currentPeriod: '2026-11',
      cur: [
        { period: '2026-10', currency: 'USD', amount: 1234 },
        { period: '2026-09', currency: 'USD', amount: 5 },
      ],
    });
    expect(s.periods.map((p) => [p.period, p.amount, p.cur])).toEqual([
      ['2026-10', 1234, 1234],
      ['2026-09', 0, 5],
    ]);
    const rows = summaryTables(s).find((t) => t.id === 'periods')!.rows;
    expect(rows.filter((r) => r[2] === 'Total').map((r) => r[6])).toEqual(['reconciled', 'DIFFERS']);
  });

  it('checks the whole period: every row, a held or collected one too, against the CUR, with one comparison', () => {
    const credits = [
      credit({ key: 'a', amount: 1000 }),
      credit({ key: 'b', amount: 275619, status: 'ASSIGNED', flags: 'REVIEW_NOT_IN_CUR' }),
      credit({ key: 'c', amount: 50, status: 'PROCESSED' }),
      credit({ key: 'd', amount: 700, currency: 'EUR', flags: 'REVIEW_NOT_IN_CUR' }),
    ];
    const s = buildSummary(credits, {
      directory: dir,
      currentPeriod: '2026-11',
      // What a sync that no longer finds b and d in the CUR hands over: EUR is there, as 0.
      cur: [
        { period: '2026-10', currency: 'USD', amount: 1050 },
        { period: '2026-10', currency: 'EUR', amount: 0 },
      ],
    });
    expect(s.periods.map((p) => [p.currency, curDifference(p)])).toEqual([
      ['EUR', 700],
      ['USD', 275619],
    ]);
    expect(summaryJson(s)).toMatchObject({ periods: [{ reconciled: false }, { reconciled: false }] });
    const rows = summaryTables(s).find((t) => t.id === 'periods')!.rows;
    expect(rows.filter((r) => r[2] === 'Total').map((r) => r[6])).toEqual(['DIFFERS', 'DIFFERS']);
    expect(curDifference({ amount: 5, cur: null })).toBeNull();
  });

  it('filters one period and picks the main currency and top resellers for the charts', () => {
    const credits = [
      credit({ key: 'a', period: '2026-10', amount: 500, status: 'ASSIGNED', allocation: 'reseller 100%' }),
      credit({ key: 'b', period: '2026-09', amount: 700, status: 'ASSIGNED', allocation: 'reseller 100%' }),
      credit({ key: 'c', period: '2026-09', amount: 9, currency: 'EUR' }),
    ];
    const d = directory([{ accountId: '222222222222', customerId: 'CUST-1', resellerId: 'RES-1' }]);
    const all = buildSummary(credits, { directory: d, currentPeriod: '2026-11' });
    expect(mainCurrency(all)).toBe('USD');
    expect(topResellers(all, 'USD')).toEqual([{ id: 'RES-1', name: '', amount: 1200 }]);
    const one = buildSummary(credits, { directory: d, currentPeriod: '2026-11', period: '2026-10' });
    expect(one.periods.map((p) => p.period)).toEqual(['2026-10']);
    expect(one.parties.find((p) => p.role === 'reseller')!.amount).toBe(500);
  });

  it('lays the same summary out the same way, with chart tables beside the main ones', () => {
    const credits = [credit({ key: 'a', status: 'ASSIGNED', allocation: 'customer 50%, reseller 50%' })];
    const a = summaryLayout(buildSummary(credits, { directory: dir, currentPeriod: '2026-11' }));
    const b = summaryLayout(buildSummary(credits, { directory: dir, currentPeriod: '2026-11' }));
    expect(summaryGrid(a)).toEqual(summaryGrid(b));
    const chart = a.tables.find((t) => t.id === 'chart-status')!;
    expect(chart.left).toBeGreaterThan(
      Math.max(...a.tables.filter((t) => t.left === 0).map((t) => t.headers.length)),
    );
    expect(a.charts.map((c) => c.table)).toEqual(['chart-status', 'chart-resellers']);
    expect(previousPeriodOf('2026-01')).toBe('2025-12');
  });
});
