import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
/**
 * A month with every kind of awkward CUR line, synced from real Parquet through DuckDB into both sinks (a
 * workbook, and a Google Sheet on the local Sheets v4 server): nothing blocks, every cent is accounted for
 * (CUR total = imported + held + left out), every held credit is explained, unreadable lines are named by
 * their identity_line_item_id, and a second sync — and an unrelated save in between — changes nothing.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readRecords, text, type Cell, type Grid } from '../../../core/table';
import type { AuditField } from '../../../core/sheet-contract';
import { runApplyRules } from '../../../sync-service/jobs/apply-rules';
import { runAssign } from '../../../sync-service/jobs/assign';
import { formatSyncReport, runSync } from '../../../sync-service/jobs/sync';
import type { SyncReport } from '../../../sync-service/jobs/sync-report';
import { syncExitCode } from '../../../sync-service/jobs/sync-intake';
import { runCollect } from '../../../sync-service/jobs/usage';
import { silentReporter } from '../../../sync-service/progress';
import { resolveSettings } from '../../../sync-service/settings';
import { readState } from '../../../core/sheet-state';
import type { Sink } from '../../../sync-service/sinks/sink';
import { createWorkbookSink } from '../../../sync-service/sinks/workbook/workbook';
import { createDuckDbSource } from '../../../sync-service/sources/duckdb';
import { useDuckDb, useTempDirs } from '../../helpers/fixtures-io';
import type { SheetsServer } from '../../../emulators/sheets-server';
import { oneAtATime, makeSink, SHEET_ID, startServer, tab } from '../sinks/google/sheets-helpers';

// Never the repo's own usage-files/ (a developer's `npm start` walk leaves one there): an empty folder of its own.
const ISOLATED_USAGE_DIR = mkdtempSync(join(tmpdir(), 'credit-desk-usage-'));

const tmpDir = useTempDirs('credit-desk-awkward-');
const db = useDuckDb();
/** A SQL string literal; control characters (which a literal cannot hold) are spliced in with chr(). */
const q = (s: string | null): string =>
  s === null
    ? 'NULL'
    : // eslint-disable-next-line no-control-regex
      `('${s.replace(/'/g, "''").replace(/[\u0000-\u001f]/g, (c) => `' || chr(${c.charCodeAt(0)}) || '`)}')`;

const PAYER = '111111111111';
const ACC1 = '222222222222';
const ACC2 = '333333333333';
const CONTROL = 'Ctrl\u0001 nul\u0000 _x0041_ CR\r and CRLF\r\n end';
// id, usage account, description, currency, cost (text: "n/a" cannot be read), payer, line type
const LINES: [string, string | null, string, string | null, string | null, string | null, string?][] = [
  ['id-01', ACC1, 'Promo credit', 'USD', '-100.00', PAYER],
  ['id-02', ACC1, 'MAP credit', 'USD', '-50.00', PAYER],
  ['id-03', ACC1, 'MAP credit', 'USD', '20.00', PAYER], // a reversal: nets to 30.00
  ['id-04', ACC2, 'Zeroed credit', 'USD', '-10.00', PAYER],
  ['id-05', ACC2, 'Zeroed credit', 'USD', '10.00', PAYER], // nets to zero
  ['id-06', ACC2, 'Over-reversed', 'USD', '-5.00', PAYER],
  ['id-07', ACC2, 'Over-reversed', 'USD', '8.00', PAYER], // nets to a 3.00 charge
  ['id-08', null, 'Orphan credit', 'USD', '-7.00', PAYER], // no usage account
  ['id-09', ACC1, 'Odd currency', 'XYZ1', '-4.00', PAYER], // unknown currency
  ['id-10', ACC1, 'Broken cost', 'USD', 'n/a', PAYER], // unreadable: left out
  ['id-11', null, 'Nobody', 'USD', '-2.00', null], // no account at all: left out, value known
  ['id-12', ACC1, CONTROL, 'USD', '-1.00', PAYER],
  ['id-13', ACC1, 'EC2 usage', 'USD', '99.00', PAYER, 'Usage'], // not a credit
];

async function writeMonth(curDir: string): Promise<void> {
  const file = path.join(curDir, 'billing_period=2026-10', 'part-0.parquet');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const values = LINES.map(
    ([id, acc, desc, cur, cost, payer, type]) =>
      `(${[id, payer, acc, type ?? 'Credit', 'AmazonEC2', desc, cur, cost].map(q).join(', ')})`,
  ).join(',\n');
  // Every line carries an invoice ID: AWS has finalised the month, so collect may take it (core/aws-bill.ts).
  await db()
    .run(`COPY (SELECT *, 'INV-1' AS bill_invoice_id FROM (VALUES ${values}) t(identity_line_item_id, bill_payer_account_id,
      line_item_usage_account_id, line_item_line_item_type, line_item_product_code, line_item_line_item_description,
      line_item_currency_code, line_item_unblended_cost)) TO ${q(file)} (FORMAT PARQUET)`);
}

function writeInputs(dir: string): { accounts: string; rules: string } {
  const accounts = path.join(dir, 'accounts.csv');
  fs.writeFileSync(
    accounts,
    'AWS Account,Account Name,Customer ID,Customer Name,Asset ID,Reseller ID,Reseller Name\n' +
      `${ACC1},One,CUST-1,Acme,AS-1,RES-1,Partner\n${ACC2},Two,CUST-2,Beta,AS-2,RES-1,Partner\n${PAYER},Payer,CUST-0,Dist,AS-0,RES-1,Partner\n`,
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
  dir: string;
  curDir: string;
  inputs: { accounts: string; rules: string };
}

async function sync(ctx: Ctx, sink: Sink, opts: { files?: boolean } = {}): Promise<SyncReport> {
  const settings = resolveSettings(
    {
      usageDir: ISOLATED_USAGE_DIR,
      workbook: path.join(ctx.dir, 'unused.xlsx'),
      period: '2026-10',
      ...(opts.files ? { accounts: ctx.inputs.accounts, rules: ctx.inputs.rules } : {}),
    },
    {},
  );
  const source = await createDuckDbSource({ curDir: ctx.curDir });
  try {
    return await runSync(
      settings,
      { applyRules: true, previous: false },
      { source, sink, reporter: silentReporter, now: new Date('2026-11-05T09:00:00Z') },
    );
  } finally {
    await source.close();
  }
}

/** Everything the fixture month must show, whichever sink holds it. */
/**
 * `auditGrid`: the whole Audit tab. The workbook's snapshot has it; the Google sink reads only the Audit columns
 * it needs (Credit ID, Action), so the Google test reads the tab from the server.
 */
async function checkMonth(ctx: Ctx, sink: () => Sink, auditGrid?: () => Grid): Promise<void> {
  const first = await sync(ctx, sink(), { files: true });

  // Nothing blocked, and the exit code says lines were left out.
  expect(first.written).toBe(true);
  expect(syncExitCode(first)).toBe(3);

  // Every cent: CUR total = imported + held + left out, per currency, from the lines above by hand.
  const usd = first.reading.reconciliation.find((r) => r.currency === 'USD')!;
  expect(usd).toMatchObject({
    cur: 13700, // 100 + 30 + 0 − 3 + 7 + 2 + 1
    imported: 13100, // 100 + 30 + 1
    flagged: 400, // 0 − 3 + 7
    leftOut: 200,
    unreadableLines: 1,
    leftOutLines: 1,
  });
  expect(first.reading.reconciliation.find((r) => r.currency === 'XXX')).toMatchObject({
    cur: 400,
    flagged: 400,
  });
  const summary = formatSyncReport(first, false);
  expect(summary).toMatch(
    /2026-10 USD {2}CUR 137\.00 USD = imported 131\.00 USD \+ held 4\.00 USD \+ left out 2\.00 USD/,
  );
  expect(summary).toMatch(/identity_line_item_id id-10: the cost "n\/a" is not a number/);
  // Every held credit is listed in the summary with its flag and what the CUR had.
  expect(summary).toMatch(/held\s+4\s+new or changed, held for review/);
  for (const c of first.merge.adds.filter((a) => /REVIEW_/.test(a.flags)))
    expect(summary).toMatch(new RegExp(`${c.creditId} .*${c.flags} — `));

  const state = readState(await sink().read());
  const byDesc = new Map(state.credits.map((e) => [e.credit.description, e.credit]));
  expect(byDesc.size).toBe(7); // 9 credit keys − 2 left out
  const flagsOf = (d: string) => byDesc.get(d)!.flags;
  expect(flagsOf('Zeroed credit')).toBe('REVIEW_NOT_POSITIVE');
  expect(flagsOf('Over-reversed')).toBe('REVIEW_NOT_POSITIVE');
  expect(byDesc.get('Over-reversed')!.amount).toBe(-300);
  expect(flagsOf('Orphan credit')).toBe('REVIEW_NO_USAGE_ACCOUNT');
  expect(byDesc.get('Orphan credit')).toMatchObject({ accountId: PAYER, customerId: 'CUST-0' });
  expect(flagsOf('Odd currency')).toBe('REVIEW_CURRENCY');
  expect(byDesc.get('Odd currency')!.currency).toBe('XXX');

  // Held credits are never assigned by rules; the others are.
  for (const d of ['Zeroed credit', 'Over-reversed', 'Orphan credit', 'Odd currency'])
    expect(byDesc.get(d)).toMatchObject({ status: 'PENDING_ASSIGN', allocation: '' });
  for (const d of ['Promo credit', 'MAP credit'])
    expect(byDesc.get(d)).toMatchObject({ status: 'ASSIGNED', ruleId: 'R-1' });
  expect(byDesc.get('MAP credit')!.amount).toBe(3000);

  // Text: unholdable characters replaced once, visibly; CR, CRLF and _x0041_ kept.
  const control = 'Ctrl\u2401 nul\u2400 _x0041_ CR\r and CRLF\r\n end';
  expect(byDesc.get(control)).toMatchObject({ status: 'ASSIGNED', amount: 100 });

  // Every held credit is explained in Audit; left-out lines are there with the CUR's line identity.
  const audit = readRecords<AuditField>('audit', auditGrid ? auditGrid() : state.snapshot.tabs.audit).map(
    (r) => r.record,
  );
  for (const d of ['Zeroed credit', 'Over-reversed', 'Orphan credit', 'Odd currency']) {
    const c = byDesc.get(d)!;
    // One Audit row per change: the review line sits in the credit's sync-add row, one `field: value` per line.
    const reviewLines = audit
      .filter((a) => a.creditId === c.creditId && text(a.field).split(', ').includes('review'))
      .flatMap((a) =>
        text(a.field) === 'review'
          ? [text(a.after)]
          : text(a.after)
              .split('\n')
              .filter((line) => line.startsWith('review: '))
              .map((line) => line.slice('review: '.length)),
      );
    expect(reviewLines).toEqual([expect.stringMatching(new RegExp(`^${c.flags}: `))]);
  }
  expect(audit.find((a) => text(a.after).includes('"XYZ1"'))).toBeDefined();
  const leftOut = audit.filter((a) => a.action === 'left-out');
  expect(leftOut.map((a) => text(a.before)).sort()).toEqual([
    '2026-10 1 line (no identity_line_item_id)',
    '2026-10 identity_line_item_id id-10',
  ]);

  // An unrelated save, then a second sync: nothing changes, no Audit row is added.
  const promo = byDesc.get('Promo credit')!;
  await runAssign(promo.creditId, 'customer 60%, reseller 40%', {
    sink: sink(),
    now: new Date(),
    actor: 'test',
  });
  const second = await sync(ctx, sink());
  expect(second.merge.updates).toEqual([]);
  expect(second.merge.adds).toEqual([]);
  expect(second.changes.audit).toEqual([]);
  expect(second.written).toBe(false);
  expect(readState(await sink().read()).credits.map((e) => e.credit.description)).toContain(control);
}

describe('a month of awkward CUR lines', () => {
  let ctx: Ctx;
  beforeAll(async () => {
    const dir = tmpDir();
    ctx = { dir, curDir: path.join(dir, 'cur'), inputs: writeInputs(dir) };
    await writeMonth(ctx.curDir);
  });

  it('lands whole in a workbook', async () => {
    const file = path.join(tmpDir(), 'credits.xlsx');
    await checkMonth(ctx, () => createWorkbookSink({ path: file }));
  });

  describe('in a Google Sheet (local Sheets v4 server)', () => {
    let server: SheetsServer;
    beforeAll(async () => {
      server = await startServer();
    });
    afterAll(async () => server.close());

    it('lands whole', async () => {
      await checkMonth(
        ctx,
        oneAtATime(() => makeSink(server)),
        () => {
          const [headers = [], ...rows] = tab(server.state.sheet(SHEET_ID), 'Audit').cells;
          return { headers: headers.map(String), rows: rows as Cell[][] };
        },
      );
    });
  });

  it('a held credit is resolved by clearing its flag: then rules assign it and the usage process collects it', async () => {
    const file = path.join(tmpDir(), 'credits.xlsx');
    const sink = () => createWorkbookSink({ path: file });
    await sync(ctx, sink(), { files: true });
    const before = readState(await sink().read());
    const orphan = before.credits.find((e) => e.credit.description === 'Orphan credit')!;
    // A collection now skips no held credit silently: it is not ASSIGNED, so it is simply not collected.
    await sink().write({
      updates: [{ key: orphan.credit.key, fields: { flags: '' } }],
      appends: [],
      audit: [],
    });
    const { outcome } = await runApplyRules(
      {},
      { sink: sink(), reporter: silentReporter, now: new Date(), actor: 'test' },
    );
    expect(outcome.outcomes.map((o) => o.credit.description)).toEqual(['Orphan credit']);
    expect(outcome.plan.skippedHeld.map((c) => c.flags).sort()).toEqual([
      'REVIEW_CURRENCY',
      'REVIEW_NOT_POSITIVE',
      'REVIEW_NOT_POSITIVE',
    ]);
    const collected = await runCollect(
      {},
      {
        sink: sink(),
        usageDir: path.join(path.dirname(file), 'usage'),
        reporter: silentReporter,
        now: new Date(),
      },
    );
    expect(collected.file!.records.map((r) => r.description)).toContain('Orphan credit');
    expect(collected.skipped).toEqual([]);
    // The next sync does not put the cleared flag back.
    const again = await sync(ctx, sink());
    expect(again.changes.audit).toEqual([]);
  });
});
