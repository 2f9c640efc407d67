/**
 * Credits that leave the CUR, and account IDs whose leading zeros a numeric column lost, synced from real Parquet
 * through DuckDB by the real sync command into both sinks (a workbook, and a Google Sheet on the local Sheets v4
 * server):
 *
 * - a credit gone from the CUR is flagged REVIEW_NOT_IN_CUR (with an Audit row saying why), the run's totals
 *   say DIFFERS instead of "reconciled", and `usage collect` skips it, naming it; a collected one is only
 *   reported; when the CUR returns them the sync clears its flag and the period reconciles again;
 * - a CUR whose account columns are BIGINT, and an Accounts file or cell that lost the leading zero, give the
 *   same keys and Credit IDs as text: a re-sync imports nothing.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readRecords, text, type Cell, type Grid } from '../../../core/table';
import type { AuditField } from '../../../core/sheet-contract';
import { readState } from '../../../core/sheet-state';
import { curDifference } from '../../../core/summary';
import { formatSyncReport, runSync } from '../../../sync-service/jobs/sync';
import type { SyncReport } from '../../../sync-service/jobs/sync-report';
import { syncExitCode } from '../../../sync-service/jobs/sync-intake';
import { runCollect } from '../../../sync-service/jobs/usage';
import type { Reporter } from '../../../sync-service/progress';
import { silentReporter } from '../../../sync-service/progress';
import { resolveSettings } from '../../../sync-service/settings';
import type { Sink } from '../../../sync-service/sinks/sink';
import { createWorkbookSink } from '../../../sync-service/sinks/workbook/workbook';
import { createDuckDbSource } from '../../../sync-service/sources/duckdb';
import { useDuckDb, useTempDirs } from '../../helpers/fixtures-io';
import type { SheetsServer } from '../../../emulators/sheets-server';
import { oneAtATime, makeSink, SHEET_ID, startServer, tab } from '../sinks/google/sheets-helpers';

const tmpDir = useTempDirs('credit-desk-not-in-cur-');
const db = useDuckDb();
const q = (s: string) => `'${s.replace(/'/g, "''")}'`;

// Leading zeros on purpose: a numeric column drops them.
const PAYER = '000111111111';
const ACC1 = '012345678901';
const ACC2 = '003333333333';

interface Line {
  period: string;
  account: string;
  description: string;
  cost: string;
}
const GONE: Line = { period: '2026-10', account: ACC1, description: 'Promo credit', cost: '-2756.19' };
const KEPT: Line = { period: '2026-10', account: ACC2, description: 'MAP credit', cost: '-100.00' };
const SEPTEMBER: Line = { period: '2026-09', account: ACC2, description: 'Old credit', cost: '-40.00' };

/** The CUR folder holding exactly `lines`; `numeric`: account columns typed BIGINT, as some exports have them. */
async function writeCur(curDir: string, lines: Line[], numeric = false): Promise<void> {
  fs.rmSync(curDir, { recursive: true, force: true });
  const account = (column: string) => (numeric ? `CAST(${column} AS BIGINT) AS ${column}` : column);
  for (const period of ['2026-09', '2026-10']) {
    const file = path.join(curDir, `billing_period=${period}`, 'part-0.parquet');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    // A usage line keeps every period present (a period with no credits is still in the CUR). Every line carries
    // an invoice ID: AWS has finalised both months, so usage collect takes their credits (core/aws-bill.ts).
    const rows = [
      ...lines.filter((l) => l.period === period),
      { period, account: ACC2, description: 'EC2 usage', cost: '5.00', type: 'Usage' },
    ].map((l) =>
      [PAYER, l.account, 'type' in l ? l.type : 'Credit', 'AmazonEC2', l.description, 'USD', l.cost]
        .map(q)
        .join(', '),
    );
    await db()
      .run(`COPY (SELECT ${account('bill_payer_account_id')}, ${account('line_item_usage_account_id')},
        line_item_line_item_type, line_item_product_code, line_item_line_item_description, line_item_currency_code,
        line_item_unblended_cost, 'INV-1' AS bill_invoice_id
      FROM (VALUES ${rows.map((r) => `(${r})`).join(', ')}) t(bill_payer_account_id, line_item_usage_account_id,
        line_item_line_item_type, line_item_product_code, line_item_line_item_description, line_item_currency_code,
        line_item_unblended_cost)) TO ${q(file)} (FORMAT PARQUET)`);
  }
}

/** accounts.csv; `zerosLost`: the IDs as a spreadsheet saves them after reading them as numbers. */
function writeInputs(dir: string, zerosLost = false): { accounts: string; rules: string } {
  const id = (a: string) => (zerosLost ? String(Number(a)) : a);
  const accounts = path.join(dir, zerosLost ? 'accounts-numeric.csv' : 'accounts.csv');
  fs.writeFileSync(
    accounts,
    'AWS Account,Account Name,Customer ID,Customer Name,Asset ID,Reseller ID,Reseller Name\n' +
      `${id(ACC1)},One,CUST-1,Acme,AS-1,RES-1,Partner\n${id(ACC2)},Two,CUST-2,Beta,AS-2,RES-1,Partner\n`,
  );
  const rules = path.join(dir, 'rules.csv');
  fs.writeFileSync(
    rules,
    'Rule ID,Name,Credit Description,Match,Customer %,Reseller %,From,To,Customer Context,Customers,Reseller Context,Resellers,Service Context,Services,Created,Enabled\n' +
      'R-1,Everything to the customer,,contains,100,0,,,ALL,,ALL,,ALL,,2026-01-01,TRUE\n',
  );
  return { accounts, rules };
}

interface Ctx {
  curDir: string;
  usageDir: string;
  inputs: { accounts: string; rules: string };
}

function newCtx(): Ctx {
  const dir = tmpDir();
  return { curDir: path.join(dir, 'cur'), usageDir: path.join(dir, 'usage'), inputs: writeInputs(dir) };
}

async function sync(
  ctx: Ctx,
  sink: Sink,
  opts: { files?: { accounts: string; rules: string }; previous?: boolean; reporter?: Reporter } = {},
): Promise<SyncReport> {
  const settings = resolveSettings(
    { usageDir: ctx.usageDir, workbook: 'unused.xlsx', period: '2026-10', ...(opts.files ?? {}) },
    {},
  );
  const source = await createDuckDbSource({ curDir: ctx.curDir });
  try {
    return await runSync(
      settings,
      { applyRules: true, previous: opts.previous ?? false },
      { source, sink, reporter: opts.reporter ?? silentReporter, now: new Date('2026-11-05T09:00:00Z') },
    );
  } finally {
    await source.close();
  }
}

function warnings(): Reporter & { lines: string[] } {
  const lines: string[] = [];
  return { ...silentReporter, lines, warn: (m) => lines.push(m) };
}

/** The run's totals line of a period, from the printed report. */
function totalsLine(r: SyncReport, period: string): string {
  const report = formatSyncReport(r, false);
  const start = report.indexOf('Totals per period and currency');
  expect(start).toBeGreaterThan(-1);
  const line = report
    .slice(start)
    .split('\n')
    .find((l) => l.startsWith(`  ${period} USD`));
  expect(line).toBeDefined();
  return line!;
}

async function credits(sink: () => Sink) {
  const state = readState(await sink().read());
  return new Map(state.credits.map((e) => [e.credit.description, e.credit]));
}

async function scenario(ctx: Ctx, sink: () => Sink, auditGrid: () => Promise<Grid>): Promise<void> {
  await writeCur(ctx.curDir, [GONE, KEPT, SEPTEMBER]);
  const first = await sync(ctx, sink(), { files: ctx.inputs, previous: true });
  expect(first.merge.adds).toHaveLength(3);
  expect(totalsLine(first, '2026-10')).toMatch(/ 2,856\.19 USD → +2,856\.19 USD {2}reconciled/);
  const before = await credits(sink);
  const gone = before.get('Promo credit')!;
  expect(gone).toMatchObject({ status: 'ASSIGNED', amount: 275619, flags: '' });

  // The credit leaves the CUR (so does September's, but this sync reads only October).
  await writeCur(ctx.curDir, [KEPT]);
  const missing = await sync(ctx, sink());
  let now = await credits(sink);
  expect(now.get('Promo credit')).toMatchObject({
    creditId: gone.creditId,
    status: 'ASSIGNED',
    amount: 275619,
    flags: 'REVIEW_NOT_IN_CUR',
  });
  expect(now.get('Old credit')!.flags).toBe('');
  expect(missing.merge.notInCur.map((c) => c.creditId)).toEqual([gone.creditId]);
  expect(syncExitCode(missing)).toBe(3);
  expect(totalsLine(missing, '2026-10')).toMatch(
    /100\.00 USD → +2,856\.19 USD {2}DIFFERS by 2,756\.19 USD \(the sheet holds more\): 1 credit not in the CUR, flagged REVIEW_NOT_IN_CUR \(2,756\.19 USD\)/,
  );
  expect(formatSyncReport(missing, false)).not.toMatch(/2026-10 USD .*reconciled/);
  // The Summary tab's check is the same comparison.
  const october = missing.summary.periods.find((p) => p.period === '2026-10')!;
  expect(curDifference(october)).toBe(275619);
  const audit = readRecords<AuditField>('audit', await auditGrid()).map((r) => r.record);
  const why = audit.filter((a) => a.creditId === gone.creditId && text(a.field) === 'flags, review');
  expect(why).toHaveLength(1);
  expect(text(why[0].after)).toMatch(
    /^flags: REVIEW_NOT_IN_CUR\nreview: REVIEW_NOT_IN_CUR: the 2026-10 CUR no longer returns this credit/,
  );
  // A second sync of the same CUR writes nothing more: the flag is there once.
  const again = await sync(ctx, sink());
  expect(again.changes.audit).toEqual([]);
  expect(again.merge.notInCur).toHaveLength(1);

  // The usage process does not collect it, and says why.
  const collected = await runCollect(
    { period: '2026-10' },
    { sink: sink(), usageDir: ctx.usageDir, reporter: silentReporter, now: new Date('2026-11-06T09:00:00Z') },
  );
  expect(collected.file!.records.map((r) => r.description)).toEqual(['MAP credit']);
  expect(collected.skipped).toEqual([
    expect.objectContaining({ creditId: gone.creditId, reason: expect.stringMatching(/REVIEW_NOT_IN_CUR/) }),
  ]);

  // Back in the CUR, while the collected credit leaves it: the flag goes; the collected one is only reported.
  await writeCur(ctx.curDir, [GONE]);
  const reporter = warnings();
  const back = await sync(ctx, sink(), { reporter });
  now = await credits(sink);
  // Only the sync's own flag goes; the collection's NOT_COLLECTED is the next collection's to clear.
  expect(now.get('Promo credit')).toMatchObject({ status: 'ASSIGNED', flags: 'NOT_COLLECTED' });
  const kept = now.get('MAP credit')!;
  expect(kept).toMatchObject({ status: 'PROCESSING', flags: '' });
  expect(back.merge.collectedNotInCur.map((c) => c.creditId)).toEqual([kept.creditId]);
  expect(reporter.lines).toEqual([
    expect.stringMatching(
      new RegExp(`^${kept.creditId} \\(PROCESSING, 2026-10, 100\\.00 USD\\) is no longer in the CUR`),
    ),
  ]);
  expect(totalsLine(back, '2026-10')).toMatch(/DIFFERS by 100\.00 USD .*1 collected credit not in the CUR/);
  const cleared = readRecords<AuditField>('audit', await auditGrid())
    .map((r) => r.record)
    .filter((a) => a.creditId === gone.creditId && text(a.after).includes('cleared'));
  expect(cleared).toHaveLength(1);
  expect(text(cleared[0].before)).toBe('flags: REVIEW_NOT_IN_CUR NOT_COLLECTED\nreview: REVIEW_NOT_IN_CUR');

  // Everything back: the period reconciles, nothing is written.
  await writeCur(ctx.curDir, [GONE, KEPT]);
  const whole = await sync(ctx, sink());
  expect(totalsLine(whole, '2026-10')).toMatch(/ 2,856\.19 USD → +2,856\.19 USD {2}reconciled/);
  expect(whole.changes.audit).toEqual([]);
  expect(syncExitCode(whole)).toBe(0);

  // Collectable again: the next collection bills it.
  const later = await runCollect(
    { period: '2026-10' },
    { sink: sink(), usageDir: ctx.usageDir, reporter: silentReporter, now: new Date('2026-11-07T09:00:00Z') },
  );
  expect(later.file!.records.map((r) => r.creditId)).toEqual([gone.creditId]);
}

/** Account IDs that lost their leading zeros, in the CUR and in the Accounts tab: the same credits, nothing new. */
async function numericAccounts(ctx: Ctx, sink: () => Sink): Promise<void> {
  await writeCur(ctx.curDir, [GONE, KEPT]);
  const first = await sync(ctx, sink(), { files: ctx.inputs });
  expect(first.merge.adds).toHaveLength(2);
  const ids = [...(await credits(sink)).values()].map((c) => [c.key, c.creditId, c.accountId, c.customerId]);
  expect(ids.map((i) => i[2]).sort()).toEqual([ACC2, ACC1]);

  // One Accounts cell typed as a number (the other stays text), the accounts file saved without the zeros, the
  // CUR's account columns as BIGINT.
  const accounts = (await sink().read()).tabs.accounts;
  const at = accounts.headers.indexOf('AWS Account');
  await sink().write({
    updates: [],
    appends: [],
    audit: [],
    replaceTabs: {
      accounts: {
        headers: accounts.headers,
        rows: accounts.rows.map((r) => r.map((c, i) => (i === at && c === ACC1 ? Number(c) : c))),
      },
    },
  });
  await writeCur(ctx.curDir, [GONE, KEPT], true);
  const nothingNew = (r: SyncReport) => {
    expect(r.reading.leftOut).toEqual([]);
    expect(r.merge.adds).toEqual([]);
    expect(r.merge.updates).toEqual([]);
    expect(r.merge.notInCur).toEqual([]);
    expect(totalsLine(r, '2026-10')).toMatch(/reconciled/);
  };
  nothingNew(await sync(ctx, sink()));
  nothingNew(await sync(ctx, sink(), { files: writeInputs(path.dirname(ctx.curDir), true) }));
  const after = await sink().read();
  expect(
    [...(await credits(sink)).values()].map((c) => [c.key, c.creditId, c.accountId, c.customerId]),
  ).toEqual(ids);
  // The file's rows matched the tab's (no second row per account), written back as 12 digits.
  const tabIds = after.tabs.accounts.rows.map((r) => r[at]);
  expect(tabIds.map(String).sort()).toEqual([ACC2, ACC1]);
}

describe('credits that leave the CUR', () => {
  it('are flagged, held and reported, and unflagged when back (workbook)', async () => {
    const file = path.join(tmpDir(), 'credits.xlsx');
    const sink = () => createWorkbookSink({ path: file });
    await scenario(newCtx(), sink, async () => (await sink().read()).tabs.audit);
  });

  it('account IDs typed as numbers in the CUR and the Accounts tab give the same credits (workbook)', async () => {
    const file = path.join(tmpDir(), 'credits.xlsx');
    await numericAccounts(newCtx(), () => createWorkbookSink({ path: file }));
  });

  describe('in a Google Sheet (local Sheets v4 server)', () => {
    let server: SheetsServer;
    beforeEach(async () => {
      server = await startServer();
    });
    afterEach(async () => server.close());

    it('are flagged, held and reported, and unflagged when back', async () => {
      await scenario(
        newCtx(),
        oneAtATime(() => makeSink(server)),
        async () => {
          const [headers = [], ...rows] = tab(server.state.sheet(SHEET_ID), 'Audit').cells;
          return { headers: headers.map(String), rows: rows as Cell[][] };
        },
      );
    });

    it('account IDs typed as numbers give the same credits', async () => {
      await numericAccounts(
        newCtx(),
        oneAtATime(() => makeSink(server)),
      );
    });
  });
});
