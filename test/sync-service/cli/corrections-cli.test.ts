/**
 * Corrections after invoicing (docs/decisions/0006), through the real `credit-desk` command on a workbook and a
 * CUR folder read by DuckDB: a credit is collected and closed (PROCESSED), AWS amends its amount, two syncs add
 * one correction credit; the `assign` command the sync prints is pasted into a shell as it is, then the
 * correction is collected and closed. A second amendment downwards adds a negative correction that bills back.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readState } from '../../../core/sheet-state';
import type { UsageFile } from '../../../core/usage';
import { createWorkbookSink } from '../../../sync-service/sinks/workbook/workbook';
import { runCli } from '../../helpers/cli';
import { useDuckDb, useTempDirs } from '../../helpers/fixtures-io';
import { col, loadWorkbook } from '../sinks/workbook/workbook-helpers';

const BIN = path.join(__dirname, '../../../bin/credit-desk.cjs');
const tmpDir = useTempDirs('credit-desk-corrections-cli-');
const db = useDuckDb();

const AMENDED = 'MAP 2.0 Migration Credit';
const OTHER = 'Promotional credit';

/** The CUR folder of 2026-10 with the amended credit at `amended` (a credit value, e.g. "100.00") and one other. */
async function writeCur(dir: string, amended: string): Promise<void> {
  const curDir = path.join(dir, 'cur');
  fs.rmSync(curDir, { recursive: true, force: true });
  const file = path.join(curDir, 'billing_period=2026-10', 'part-0.parquet');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  // Every line carries an invoice ID: AWS has finalised 2026-10 (and amends it later), so collect may take it.
  await db().run(`COPY (SELECT *, 'INV-1' AS bill_invoice_id FROM (VALUES
      ('id-1', '111111111111', '222222222222', 'Credit', 'AmazonEC2', '${AMENDED}', 'USD', '-${amended}'),
      ('id-2', '111111111111', '222222222222', 'Credit', 'AmazonEC2', '${OTHER}', 'USD', '-50.00')
    ) t(identity_line_item_id, bill_payer_account_id, line_item_usage_account_id, line_item_line_item_type,
        line_item_product_code, line_item_line_item_description, line_item_currency_code, line_item_unblended_cost))
    TO '${file}' (FORMAT PARQUET)`);
}

interface Exported {
  creditId: string;
  description: string;
  amount: string;
  status: string;
  usageFileId: string;
}

const WB = 'book.xlsx'; // not the default: the printed commands must name it
const common = ['--workbook', WB, '--usage-dir', 'usage'];

function cli(args: string[], dir: string, code = 0) {
  const r = runCli(args, dir);
  if (r.code !== code) throw new Error(`credit-desk ${args.join(' ')} exited ${r.code}:\n${r.out}\n${r.err}`);
  return r;
}

function exported(dir: string): Exported[] {
  return JSON.parse(cli(['export', '--format', 'json', '--workbook', WB], dir).out) as Exported[];
}

interface Report {
  periods: { period: string; amount: string; byStatus: Record<string, unknown> }[];
  parties: { role: string; targetId: string; amount: string }[];
}

function report(dir: string): Report {
  return JSON.parse(cli(['report', '--format', 'json', '--workbook', WB], dir).out) as Report;
}

function syncCur(dir: string) {
  return cli(['sync', '--cur', 'cur', '--period', '2026-10', '--no-previous', ...common], dir);
}

/** Collects every ASSIGNED credit and closes the file: its credits become PROCESSED. Returns the file. */
function collectAndClose(dir: string): UsageFile {
  const collect = cli(['usage', 'collect', ...common], dir);
  const id = /Usage file (UF-\S+):/.exec(collect.out)![1];
  cli(['usage', 'close', id, ...common], dir);
  return JSON.parse(fs.readFileSync(path.join(dir, 'usage', `${id}.json`), 'utf8')) as UsageFile;
}

/** The `./credit-desk assign …` lines the sync printed, run in a POSIX shell as pasted (the launcher → the bin). */
function pastePrinted(out: string, dir: string): string[] {
  const commands = out.match(/\.\/credit-desk assign .*$/gm) ?? [];
  for (const c of commands) {
    const r = spawnSync('sh', ['-c', c.replace(/^\.\/credit-desk/, `"${process.execPath}" "${BIN}"`)], {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, CREDIT_DESK_DEBUG: '' },
    });
    if (r.status !== 0) throw new Error(`pasted ${c} exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
  }
  return commands;
}

const ACCOUNTS_HEADER =
  'AWS Account,Account Name,Customer ID,Customer Name,Asset ID,Reseller ID,Reseller Name\n';
const WITH_ACCOUNTS = ['--accounts', 'accounts.csv'];

/**
 * The amended credit at 100.00, assigned 60/40 between the account's customer and reseller, collected and
 * closed, with the Accounts tab from `accounts` (rows under ACCOUNTS_HEADER). Returns it as exported.
 */
async function invoicedOriginal(dir: string, accounts: string): Promise<Exported> {
  fs.writeFileSync(path.join(dir, 'accounts.csv'), ACCOUNTS_HEADER + accounts);
  await writeCur(dir, '100.00');
  cli(['sync', '--cur', 'cur', '--period', '2026-10', '--no-previous', ...WITH_ACCOUNTS, ...common], dir);
  const original = exported(dir).find((c) => c.description === AMENDED)!;
  cli(['assign', original.creditId, 'customer 60%, reseller 40%', ...common], dir);
  collectAndClose(dir);
  return original;
}

describe('credit-desk: an invoiced credit that AWS amends', () => {
  it('gets one correction credit however many syncs run; it is assigned as printed, collected and closed', async () => {
    const dir = tmpDir();
    fs.writeFileSync(
      path.join(dir, 'accounts.csv'),
      'AWS Account,Account Name,Customer ID,Customer Name,Asset ID,Reseller ID,Reseller Name\n222222222222,P,CUST-1,Acme,AS-1,RES-1,R\n',
    );
    await writeCur(dir, '100.00');
    cli(
      [
        'sync',
        '--cur',
        'cur',
        '--period',
        '2026-10',
        '--no-previous',
        '--accounts',
        'accounts.csv',
        ...common,
      ],
      dir,
    );
    const original = exported(dir).find((c) => c.description === AMENDED)!;
    cli(['assign', original.creditId, 'customer 60%, reseller 40%', ...common], dir);
    collectAndClose(dir);
    expect(exported(dir).find((c) => c.creditId === original.creditId)!.status).toBe('PROCESSED');

    // AWS amends the final report: 100.00 → 125.50.
    await writeCur(dir, '125.50');
    const dry = cli(
      ['sync', '--cur', 'cur', '--period', '2026-10', '--no-previous', '--dry-run', ...common],
      dir,
    );
    expect(dry.out).toMatch(/each difference would be a new correction credit/);
    expect(dry.out).toContain('proposed allocation "customer 60%, reseller 40%" (the sync without --dry-run');
    expect(dry.out).not.toMatch(/\.\/credit-desk assign/);
    const first = syncCur(dir);
    const second = syncCur(dir);
    let credits = exported(dir);
    const corrections = credits.filter((c) => c.description.startsWith('Correction '));
    expect(corrections).toHaveLength(1);
    const [correction] = corrections;
    expect(correction).toMatchObject({ amount: '25.50', status: 'PENDING_ASSIGN' });
    expect(correction.description).toBe(
      `Correction 1 of ${original.creditId} (usage record ${credits
        .find((c) => c.creditId === original.creditId)!
        .usageFileId.replace(
          /^UF-/,
          'UR-',
        )}-00001, ${credits.find((c) => c.creditId === original.creditId)!.usageFileId}): ${AMENDED}`,
    );
    // The invoiced row stays as invoiced.
    expect(credits.find((c) => c.creditId === original.creditId)).toMatchObject({
      amount: '100.00',
      status: 'PROCESSED',
    });
    expect(first.out).toMatch(/corrected\s+1\s+invoiced credits the CUR changed/);
    expect(first.out).toContain(
      `./credit-desk assign --workbook ${WB} ${correction.creditId} "customer 60%, reseller 40%"`,
    );
    expect(second.out).not.toMatch(/corrected/);
    expect(second.out).toMatch(/to confirm\s+1/);
    expect(second.out).toMatch(/added\s+0\b/);
    // Totals balance: the whole period in the sheet (original + correction + other) is the CUR's.
    for (const out of [first.out, second.out]) expect(out).toMatch(/2026-10 USD .*175\.50 USD\s+reconciled/);
    // `report` (the Summary's figures) counts each row once: 100.00 invoiced + 25.50 correction + 50.00 other.
    expect(report(dir).periods).toEqual([
      expect.objectContaining({
        period: '2026-10',
        amount: '175.50',
        byStatus: expect.objectContaining({
          PROCESSED: { credits: 1, amount: '100.00' },
          PENDING_ASSIGN: { credits: 2, amount: '75.50' },
        }),
      }),
    ]);

    // Rules never assign it, and the unattended month run asks a person, with the command.
    expect(cli(['apply-rules', ...common], dir).out).toMatch(/1 correction credit\(s\) left for a person/);
    const month = cli(
      ['run-month', '--cur', 'cur', '--period', '2026-10', '--no-previous', ...common],
      dir,
      3,
    );
    expect(month.err + month.out).toContain(
      `1 correction credit(s) of invoiced credits the CUR changed wait for a person to confirm their allocation: ./credit-desk assign --workbook ${WB} ${correction.creditId} "customer 60%, reseller 40%"`,
    );
    expect(exported(dir).filter((c) => c.description.startsWith('Correction '))).toEqual([
      expect.objectContaining({ creditId: correction.creditId, status: 'PENDING_ASSIGN' }),
    ]);

    // Paste the printed command; then collect and close the correction.
    expect(pastePrinted(second.out, dir)).toHaveLength(1);
    const file = collectAndClose(dir);
    // apply-rules gave the other credit the default configuration (customer 100%): it is collected too.
    const record = file.records.find((r) => r.creditId === correction.creditId)!;
    expect(record.amount).toBe(2550);
    expect(record.billed!.map((b) => b.amount)).toEqual([1530, 1020]);
    credits = exported(dir);
    expect(credits.find((c) => c.creditId === correction.creditId)!.status).toBe('PROCESSED');
    expect(syncCur(dir).out).not.toMatch(/corrected|to confirm/);
    expect(exported(dir).filter((c) => c.description.startsWith('Correction '))).toHaveLength(1);

    // A second amendment, downwards: 125.50 → 90.00. One correction of -35.50, which bills the parties back.
    await writeCur(dir, '90.00');
    const lowered = syncCur(dir);
    syncCur(dir);
    const back = exported(dir).filter((c) => c.description.startsWith('Correction 2 of'));
    expect(back).toHaveLength(1);
    expect(back[0]).toMatchObject({ amount: '-35.50', status: 'PENDING_ASSIGN' });
    expect(pastePrinted(lowered.out, dir)).toHaveLength(1);
    const backFile = collectAndClose(dir);
    expect(backFile.records.map((r) => [r.creditId, r.amount])).toEqual([[back[0].creditId, -3550]]);
    expect(backFile.records[0].billed!.map((b) => b.amount)).toEqual([-2130, -1420]);
    const last = syncCur(dir);
    expect(last.out).toMatch(/2026-10 USD .*140\.00 USD\s+reconciled/);
    // What each party got, over the original and both corrections, is its share of what AWS now says (90.00),
    // plus, for the customer, the other credit (50.00).
    expect(report(dir).parties.map((p) => [p.role, p.targetId, p.amount])).toEqual([
      ['customer', 'CUST-1', '104.00'],
      ['reseller', 'RES-1', '36.00'],
      ['distributor', '', '0.00'],
    ]);
    cli(
      [
        'statement',
        '--period',
        '2026-10',
        '--customer',
        'CUST-1',
        '--format',
        'csv',
        '--out',
        'st',
        '--workbook',
        WB,
      ],
      dir,
    );
    // The customer's statement: the invoiced line, both corrections (the negative one billed back), one total.
    const statement = fs
      .readFileSync(path.join(dir, 'st', 'statement-2026-10-customer-CUST-1.csv'), 'utf8')
      .split('\r\n');
    expect(statement.filter((l) => l.includes(`Correction 2 of ${original.creditId}`))).toEqual([
      expect.stringContaining(',60,'),
    ]);
    expect(statement.find((l) => l.includes(`Correction 2 of ${original.creditId}`))).toContain('-21.30,USD');
    expect(statement.find((l) => l.startsWith('Total USD,'))).toContain(',104.00,USD');
    const state = readState(await createWorkbookSink({ path: path.join(dir, WB) }).read());
    expect(state.credits.filter((e) => e.credit.status === 'PROCESSED')).toHaveLength(4);
  });
});

describe('credit-desk: a correction after the account moved to another customer', () => {
  it('goes to the parties its original was invoiced to; an uncollected credit of the account, after a sync, to the new ones', async () => {
    const dir = tmpDir();
    // the first customer keeps another subscription, to bill the correction on
    const otherSubscription = '444444444444,Q,CUST-1,Acme,AS-1,RES-1,R\n';
    await invoicedOriginal(dir, `222222222222,P,CUST-1,Acme,AS-1,RES-1,R\n${otherSubscription}`);

    // The account moves to CUST-2 (through RES-2), then AWS amends the invoiced credit: 100.00 → 125.50.
    fs.writeFileSync(
      path.join(dir, 'accounts.csv'),
      `${ACCOUNTS_HEADER}222222222222,P,CUST-2,Acme,AS-2,RES-2,R\n${otherSubscription}`,
    );
    await writeCur(dir, '125.50');
    const synced = cli(
      ['sync', '--cur', 'cur', '--period', '2026-10', '--no-previous', ...WITH_ACCOUNTS, ...common],
      dir,
    );
    expect(pastePrinted(synced.out, dir)).toHaveLength(1);
    const other = exported(dir).find((c) => c.description === OTHER)!;
    cli(['assign', other.creditId, 'customer 100%', ...common], dir);
    const file = collectAndClose(dir);
    const byId = new Map(file.records.map((r) => [r.creditId, r]));
    const correction = exported(dir).find((c) => c.description.startsWith('Correction 1 of'))!;
    // The correction bills its original's customer and reseller (the Ledger's), on the first customer's asset.
    expect(byId.get(correction.creditId)!.billed!.map((b) => [b.targetId, b.assetId, b.amount])).toEqual([
      ['CUST-1', 'AS-1', 1530],
      ['RES-1', 'AS-1', 1020],
    ]);
    // The other credit, synced after the move, goes to the account's customer now.
    expect(byId.get(other.creditId)!.billed!.map((b) => [b.targetId, b.assetId])).toEqual([
      ['CUST-2', 'AS-2'],
    ]);
  });
});

describe('credit-desk: a correction after someone typed over the Ledger', () => {
  it('goes to the parties its original was billed to, as its usage file records them', async () => {
    const dir = tmpDir();
    const original = await invoicedOriginal(
      dir,
      '222222222222,P,CUST-1,Acme,AS-1,RES-1,R\n' +
        // another customer with a subscription of its own: a typed party that could be billed
        '444444444444,Q,CUST-2,Other,AS-2,RES-2,S\n',
    );

    // Someone unhides the Ledger tab (in Excel its protection has no password) and types the other parties over
    // the invoiced credit's row; then AWS amends the credit: 100.00 → 125.50.
    const wb = await loadWorkbook(path.join(dir, WB));
    const ledger = wb.getWorksheet('Ledger')!;
    let typed = 0;
    for (let r = 2; r <= ledger.rowCount; r++) {
      const row = ledger.getRow(r);
      if (row.getCell(col(ledger, 'Credit ID')).value !== original.creditId) continue;
      row.getCell(col(ledger, 'Customer ID')).value = 'CUST-2';
      row.getCell(col(ledger, 'Reseller ID')).value = 'RES-2';
      typed++;
    }
    expect(typed).toBe(1);
    await wb.xlsx.writeFile(path.join(dir, WB));
    await writeCur(dir, '125.50');
    const synced = cli(
      ['sync', '--cur', 'cur', '--period', '2026-10', '--no-previous', ...WITH_ACCOUNTS, ...common],
      dir,
    );
    expect(synced.out + synced.err).toContain(
      `The Ledger tab said other than its usage file about 1 collected credit(s) (typed over?): put back as the usage file records it, which is what Connect bills: ${original.creditId} (customerId, resellerId).`,
    );
    expect(pastePrinted(synced.out, dir)).toHaveLength(1);
    const file = collectAndClose(dir);
    const correction = exported(dir).find((c) => c.description.startsWith('Correction 1 of'))!;
    const billed = file.records.find((r) => r.creditId === correction.creditId)!.billed!;
    expect(billed.map((b) => [b.targetId, b.assetId, b.amount])).toEqual([
      ['CUST-1', 'AS-1', 1530],
      ['RES-1', 'AS-1', 1020],
    ]);
    // and the original's row and Ledger row say what its usage file billed
    const state = readState(await createWorkbookSink({ path: path.join(dir, WB) }).read());
    expect(
      state.byKey.get(state.credits.find((c) => c.credit.creditId === original.creditId)!.credit.key)!.credit,
    ).toMatchObject({ customerId: 'CUST-1', resellerId: 'RES-1', status: 'PROCESSED' });
  });
});
