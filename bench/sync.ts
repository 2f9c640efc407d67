/**
 * The sync's own work: merging 100,000 incoming credits into a 100,000-row sheet (pure core), and a full sync of
 * 50,000 credits into a new workbook (source → merge → rules → .xlsx on disk).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildDirectory } from '../core/accounts';
import type { CurCredit } from '../core/credit';
import { mergeCredits, type ExistingCredit } from '../core/merge';
import { runSync } from '../sync-service/jobs/sync';
import { silentReporter } from '../sync-service/progress';
import { resolveSettings } from '../sync-service/settings';
import { createWorkbookSink } from '../sync-service/sinks/workbook/workbook';
import type { CreditSource, RawCreditRow } from '../sync-service/sources/source';
import { prng, seconds, type Figure } from './figures';

function accountId(i: number): string {
  return String(100000000000 + i);
}

function makeIncoming(n: number, period: string, seed: number): CurCredit[] {
  const rnd = prng(seed);
  const out: CurCredit[] = [];
  for (let i = 0; i < n; i++) {
    out.push({
      period,
      payerAccountId: '999999999999',
      accountId: accountId(i % 5000),
      service: ['AmazonEC2', 'AmazonS3', 'AWSLambda', 'AmazonRDS'][i % 4],
      description: `AWS Promotional Credit ${Math.floor(i / 20000)} #${i}`,
      currency: 'USD',
      amount: 1 + Math.floor(rnd() * 1_000_000),
    });
  }
  return out;
}

const directory = buildDirectory(
  Array.from({ length: 5000 }, (_, i) => ({
    row: i + 2,
    record: {
      accountId: accountId(i),
      accountName: '',
      customerId: `CUST-${i % 800}`,
      customerName: '',
      assetId: `AS-${i}`,
      resellerId: `RES-${i % 40}`,
      resellerName: '',
    },
  })),
  'bench',
);

export async function benchMerge(): Promise<Figure[]> {
  const incoming = makeIncoming(100_000, '2026-10', 1);
  const first = mergeCredits({
    existing: [],
    incoming,
    directory,
    takenIds: new Set(),
    recordedDrift: new Set(),
    now: '2026-11-01T00:00:00Z',
    actor: 'bench',
    periods: ['2026-10'],
  });
  const existing: ExistingCredit[] = first.adds.map((credit, i) => ({ sheetRow: i + 2, credit }));
  // 1 % of the credits changed amount, 1,000 are new
  const next = incoming
    .map((c, i) => (i % 100 === 0 ? { ...c, amount: c.amount + 1 } : c))
    .concat(makeIncoming(1000, '2026-10', 2).map((c) => ({ ...c, description: c.description + ' late' })));
  const t0 = performance.now();
  const r = mergeCredits({
    existing,
    incoming: next,
    directory,
    takenIds: new Set(existing.map((e) => e.credit.creditId)),
    recordedDrift: new Set(),
    now: '2026-11-02T00:00:00Z',
    actor: 'bench',
    periods: ['2026-10'],
  });
  const s = seconds(t0);
  return [
    { name: 'merge 101,000 incoming into a 100,000-row sheet', value: s, unit: 's' },
    { name: '  rows updated (1 % changed amount)', value: r.updates.length, unit: 'rows' },
    { name: '  rows added (late credits)', value: r.adds.length, unit: 'rows' },
  ];
}

function rawRows(credits: CurCredit[]): RawCreditRow[] {
  return credits.map((c) => ({
    billing_period: c.period,
    payer_account_id: c.payerAccountId,
    usage_account_id: c.accountId,
    product_code: c.service,
    description: c.description,
    currency_code: c.currency,
    amount: `-${(c.amount / 100).toFixed(2)}`,
    line_count: 3,
    bad_cost_lines: 0,
  }));
}

export async function benchFullSync(): Promise<Figure[]> {
  const dir = mkdtempSync(join(tmpdir(), 'credit-desk-bench-sync-'));
  try {
    const rows = rawRows(makeIncoming(50_000, '2026-10', 3));
    const source: CreditSource = {
      listPeriods: async () => ['2026-10'],
      fetchCredits: async () => ({ rows, label: 'in-memory CUR (bench)' }),
      close: async () => {},
    };
    const settings = resolveSettings({ workbook: join(dir, 'credits.xlsx'), period: '2026-10' }, {});
    const sink = createWorkbookSink({ path: settings.workbook });
    const t0 = performance.now();
    const report = await runSync(
      settings,
      { applyRules: true, previous: false },
      { source, sink, reporter: silentReporter, now: new Date('2026-11-26T00:00:00Z') },
    );
    const total = seconds(t0);
    const sink2 = createWorkbookSink({ path: settings.workbook });
    const t1 = performance.now();
    const again = await runSync(
      settings,
      { previous: false },
      { source, sink: sink2, reporter: silentReporter, now: new Date('2026-11-27T00:00:00Z') },
    );
    return [
      {
        name: `full sync of ${report.merge.adds.length.toLocaleString('en')} credits into a new workbook (rules applied)`,
        value: total,
        unit: 's',
      },
      {
        name: `re-sync, same data (${again.merge.unchanged.toLocaleString('en')} unchanged, nothing written)`,
        value: seconds(t1),
        unit: 's',
      },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
