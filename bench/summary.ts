/**
 * The Summary's cost. (1) On a 50,000-credit sheet: building the figures and the layout (pure core) and
 * drawing the workbook tab, against a full sync of the same sheet — target < 10 % of the sync. (2) Sheets
 * requests: the Summary and its two charts ride in the write's last batchUpdate, so the requests of a write
 * with and without them are equal, and a summary-only write costs the same at 1,000 and at 20,000 rows.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { buildDirectory } from '../core/accounts';
import type { Credit } from '../core/credit';
import { CREDIT_COLUMNS, type CreditField } from '../core/sheet-contract';
import type { Status } from '../core/status';
import { buildSummary } from '../core/summary';
import { summaryLayout } from '../core/summary-layout';
import type { Cell } from '../core/table';
import { runSync } from '../sync-service/jobs/sync';
import { silentReporter } from '../sync-service/progress';
import { resolveSettings } from '../sync-service/settings';
import { createGoogleSheetsSink } from '../sync-service/sinks/google/google-sheets';
import { createWorkbookSink } from '../sync-service/sinks/workbook/workbook';
import { renderWorkbookSummary } from '../sync-service/sinks/workbook/workbook-summary';
import type { CreditSource, RawCreditRow } from '../sync-service/sources/source';
import { startSheetsServer } from '../emulators/sheets-server';
import { prng, seconds, type Figure } from './figures';

const N = 50_000;
const account = (i: number) => String(100000000000 + (i % 5000));
const directory = buildDirectory(
  Array.from({ length: 5000 }, (_, i) => ({
    row: i + 2,
    record: {
      accountId: account(i),
      accountName: '',
      customerId: `CUST-${i % 800}`,
      customerName: `Customer ${i % 800}`,
      assetId: `AS-${i}`,
      resellerId: `RES-${i % 40}`,
      resellerName: `Reseller ${i % 40}`,
    },
  })),
  'bench',
);
const STATUSES: Status[] = ['PENDING_ASSIGN', 'ASSIGNED', 'PROCESSING', 'PROCESSED'];
const ALLOCATIONS = [
  'customer 100%',
  'customer 70%, reseller 30%',
  'reseller 25%',
  'customer 60%, reseller 40%',
];

function credits(n: number): Credit[] {
  const rnd = prng(7);
  return Array.from({ length: n }, (_, i) => {
    const status = STATUSES[i % 4];
    return {
      key: `k${i}`,
      creditId: `AWSC-202610-${String(i).padStart(8, '0')}`,
      period: ['2026-08', '2026-09', '2026-10'][i % 3],
      accountId: account(i),
      payerAccountId: '999999999999',
      customerId: `CUST-${(i % 5000) % 800}`,
      assetId: `AS-${i % 5000}`,
      resellerId: `RES-${(i % 5000) % 40}`,
      service: 'AmazonEC2',
      description: `credit ${i}`,
      amount: 1 + Math.floor(rnd() * 1_000_000),
      currency: 'USD',
      status,
      allocation: status === 'PENDING_ASSIGN' ? '' : ALLOCATIONS[i % ALLOCATIONS.length],
      distributorKeeps: null,
      ruleId: '',
      usageFileId: status === 'PROCESSING' || status === 'PROCESSED' ? `UF-2026-11-0000-000${i % 3}` : '',
      usageRecordId: '',
      processingDate: '',
      flags: i % 97 === 0 ? 'UNKNOWN_ACCOUNT' : '',
      notes: '',
      lastChange: '',
    };
  });
}

function rawRows(cs: Credit[]): RawCreditRow[] {
  return cs.map((c) => ({
    billing_period: c.period,
    payer_account_id: c.payerAccountId,
    usage_account_id: c.accountId,
    product_code: c.service,
    description: c.description,
    currency_code: c.currency,
    amount: `-${(c.amount / 100).toFixed(2)}`,
    line_count: 1,
    bad_cost_lines: 0,
  }));
}

async function summaryOnWorkbook(): Promise<Figure[]> {
  const cs = credits(N);
  const t0 = performance.now();
  const layout = summaryLayout(buildSummary(cs, { directory, currentPeriod: '2026-11' }));
  const pure = seconds(t0);
  const wb = new ExcelJS.Workbook();
  const t1 = performance.now();
  await renderWorkbookSummary(wb, layout);
  const draw = seconds(t1);
  const t2 = performance.now();
  const layout2 = summaryLayout(buildSummary(cs, { directory, currentPeriod: '2026-11' }));
  await renderWorkbookSummary(wb, layout2); // unchanged: compared, not redrawn
  const unchanged = seconds(t2);

  const dir = mkdtempSync(join(tmpdir(), 'credit-desk-bench-summary-'));
  let sync = 0;
  try {
    const rows = rawRows(
      cs.filter((c) => c.period === '2026-10').concat(cs.filter((c) => c.period !== '2026-10')),
    );
    const source: CreditSource = {
      listPeriods: async () => ['2026-10', '2026-09', '2026-08'],
      fetchCredits: async (p) => ({ rows: rows.filter((r) => r.billing_period === p), label: 'bench' }),
      close: async () => {},
    };
    for (const p of ['2026-08', '2026-09']) {
      const settings = resolveSettings({ workbook: join(dir, 'credits.xlsx'), period: p }, {});
      await runSync(
        settings,
        { applyRules: true, previous: false },
        {
          source,
          sink: createWorkbookSink({ path: settings.workbook }),
          reporter: silentReporter,
          now: new Date('2026-11-26T00:00:00Z'),
        },
      );
    }
    const settings = resolveSettings({ workbook: join(dir, 'credits.xlsx'), period: '2026-10' }, {});
    const t3 = performance.now();
    await runSync(
      settings,
      { applyRules: true, previous: false },
      {
        source,
        sink: createWorkbookSink({ path: settings.workbook }),
        reporter: silentReporter,
        now: new Date('2026-11-26T00:00:00Z'),
      },
    );
    sync = seconds(t3);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const cost = pure + draw;
  return [
    {
      name: `summary figures + layout of a ${N.toLocaleString('en')}-credit sheet (pure core)`,
      value: pure,
      unit: 's',
    },
    { name: '  drawing the workbook Summary tab (data bars)', value: draw, unit: 's' },
    {
      name: '  a run whose summary did not change (built, compared, not redrawn)',
      value: unchanged,
      unit: 's',
    },
    {
      name: `  sync of the third period into the ${N.toLocaleString('en')}-credit workbook`,
      value: sync,
      unit: 's',
    },
    {
      name: '  summary cost / sync (target < 10 %)',
      value: Math.round((cost / sync) * 1000) / 10,
      unit: '%',
    },
  ];
}

function row(i: number): Record<CreditField, Cell> {
  const r = Object.fromEntries(CREDIT_COLUMNS.map((c) => [c.field, ''])) as Record<CreditField, Cell>;
  return Object.assign(r, {
    key: `K${i}`,
    creditId: `CR-${i}`,
    period: '2026-10',
    accountId: account(i),
    payerAccountId: '999999999999',
    service: 'AmazonEC2',
    description: `credit ${i}`,
    amount: (i % 997) + 0.25,
    currency: 'USD',
    status: STATUSES[i % 4],
  });
}

async function summaryRequests(): Promise<Figure[]> {
  const out: Figure[] = [];
  for (const n of [1_000, 20_000]) {
    const server = await startSheetsServer({ callerEmail: 'sync@bench.iam.gserviceaccount.com' });
    try {
      server.createSpreadsheet('bench', ['Sheet1']);
      const sink = createGoogleSheetsSink({
        spreadsheetId: 'bench',
        rootUrl: server.rootUrl,
        syncIdentity: 'sync@bench.iam.gserviceaccount.com',
        maxWriteRequestsPerMinute: 1_000_000,
      });
      await sink.read();
      const layout = summaryLayout(buildSummary(credits(n), { directory, currentPeriod: '2026-11' }));
      const rows = Array.from({ length: n }, (_, i) => row(i));
      await sink.write({ updates: [], appends: rows, audit: [] });
      // The same kind of write (10 rows updated) from a fresh read, without and then with the Summary.
      const update = (from: number) => ({
        updates: Array.from({ length: 10 }, (_, i) => ({
          key: `K${from + i}`,
          fields: { description: `changed ${from + i}` },
        })),
        appends: [],
        audit: [],
      });
      await sink.read();
      server.stats.reset();
      await sink.write(update(0));
      const without = server.stats.count();
      await sink.read();
      server.stats.reset();
      await sink.write({ ...update(100), summary: layout });
      const withSummary = server.stats.count();
      await sink.read();
      server.stats.reset();
      await sink.write({ updates: [], appends: [], audit: [], summary: layout });
      const only = server.stats.count();
      out.push(
        {
          name: `${n.toLocaleString('en')} rows: requests of a write without the Summary`,
          value: without,
          unit: 'requests',
        },
        {
          name: `${n.toLocaleString('en')} rows: requests of the same write with Summary + 2 charts`,
          value: withSummary,
          unit: 'requests',
        },
        {
          name: `${n.toLocaleString('en')} rows: a summary-only write (charts updated in place)`,
          value: only,
          unit: 'requests',
        },
      );
    } finally {
      server.close();
    }
  }
  return out;
}

export async function benchSummary(): Promise<Figure[]> {
  return [...(await summaryOnWorkbook()), ...(await summaryRequests())];
}
