/**
 * Issue 27.1 through the real commands on a workbook: sync, assign, `usage collect`, and every usage file written
 * checked by the Connect usage-file check (emulators/connect-usage-file.ts).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import ExcelJS from 'exceljs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runAssign } from '../../../sync-service/jobs/assign';
import { runCollect } from '../../../sync-service/jobs/usage';
import { runSync } from '../../../sync-service/jobs/sync';
import { silentReporter } from '../../../sync-service/progress';
import { resolveSettings } from '../../../sync-service/settings';
import { readState } from '../../../core/sheet-state';
import { createWorkbookSink } from '../../../sync-service/sinks/workbook/workbook';
import type { CreditSource, RawCreditRow } from '../../../sync-service/sources/source';
import { expectConnectValid } from '../../helpers/connect-usage';
import type { UsageFile } from '../../../core/usage';

const HEADER = 'AWS Account,Account Name,Customer ID,Customer Name,Asset ID,Reseller ID,Reseller Name\n';
const ACCOUNTS = [
  '222222222222,Prod,CUST-1,Acme,AS-1,RES-1,Partner',
  '333333333333,Eu,CUST-000117,Euro Ltd,AS-117,RES-2,Euro Partner',
  '444444444444,Other,CUST-2,Other Inc,AS-2,RES-1,Partner',
  '555555555555,New,CUST-NOASSET,New Co,,RES-1,Partner',
  '666666666666,Third,CUST-3,Third Co,AS-3,RES-1,Partner',
];
const ASSETS = new Set(['AS-1', 'AS-117', 'AS-2', 'AS-3']);

const row = (account: string, description: string, currency: string, amount: string): RawCreditRow => ({
  billing_period: '2026-10',
  payer_account_id: '111111111111',
  usage_account_id: account,
  product_code: 'AmazonEC2',
  description,
  currency_code: currency,
  amount,
  line_count: 1,
  bad_cost_lines: 0,
  invoiced_lines: 1, // AWS has finalised the month (core/aws-bill.ts)
});
const rows = [
  row('222222222222', 'Split credit', 'USD', '-732.60'),
  row('222222222222', 'Reassigned credit', 'USD', '-100.01'),
  row('333333333333', 'Euro credit', 'EUR', '-50.05'),
  row('222222222222', 'No asset credit', 'USD', '-10.00'),
  row('222222222222', 'Asset lost credit', 'USD', '-20.00'),
];
const source: CreditSource = {
  listPeriods: async () => ['2026-10'],
  fetchCredits: async () => ({ rows, label: 'test' }),
  close: async () => {},
};

describe('usage collect writes what Connect bills (issue 27.1)', () => {
  let dir: string;
  const now = new Date('2026-11-26T10:00:00Z');
  const sink = () => createWorkbookSink({ path: join(dir, 'credits.xlsx') });
  const byDescription = async () =>
    new Map(readState(await sink().read()).credits.map((e) => [e.credit.description, e.credit]));
  const sync = async (accounts: string[]) => {
    const file = join(dir, 'accounts.csv');
    writeFileSync(file, HEADER + accounts.join('\n') + '\n');
    const settings = resolveSettings(
      {
        usageDir: join(dir, 'usage'),
        workbook: join(dir, 'credits.xlsx'),
        period: '2026-10',
        accounts: file,
      },
      {},
    );
    await runSync(settings, { previous: false }, { source, sink: sink(), reporter: silentReporter, now });
  };
  const assign = async (description: string, allocation: string) =>
    runAssign((await byDescription()).get(description)!.creditId, allocation, {
      sink: sink(),
      now,
      actor: 'a@x',
    });

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'credit-desk-connect-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('splits, reassigns, refuses and skips as Connect needs, one file per currency, every file valid', async () => {
    await sync(ACCOUNTS);
    await assign('Split credit', 'customer CUST-000117 60%, reseller 40%');
    await assign('Reassigned credit', 'customer CUST-2 100%');
    await assign('Euro credit', 'customer 100%');
    await expect(assign('No asset credit', 'customer CUST-NOASSET 100%')).rejects.toThrow(
      /customer CUST-NOASSET has no Asset ID in the Accounts tab[\s\S]*Add its Asset ID/,
    );
    await assign('Asset lost credit', 'customer CUST-3 100%');
    // Someone deletes CUST-3's Asset ID in the Accounts tab (in Excel) after the credit was assigned to it.
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(join(dir, 'credits.xlsx'));
    wb.getWorksheet('Accounts')!.eachRow((r) => {
      r.eachCell((c) => {
        if (c.value === 'AS-3') c.value = null;
      });
    });
    await wb.xlsx.writeFile(join(dir, 'credits.xlsx'));

    const collected = await runCollect(
      {},
      { sink: sink(), usageDir: join(dir, 'usage'), reporter: silentReporter, now },
    );
    const lost = (await byDescription()).get('Asset lost credit')!;
    expect(collected.skipped).toEqual([
      expect.objectContaining({
        creditId: lost.creditId,
        reason: expect.stringMatching(/customer CUST-3 has no Asset ID/),
      }),
    ]);
    expect(lost.status).toBe('ASSIGNED');

    // One file per currency, each with its own ID.
    expect(collected.files.map((f) => f.file.currency)).toEqual(['EUR', 'USD']);
    const files = await expectConnectValid(join(dir, 'usage'), ASSETS);
    expect(files).toHaveLength(2);
    const usd = files.find((f) => f.check.currency === 'USD')!;
    const eur = files.find((f) => f.check.currency === 'EUR')!;
    expect(usd.check.schema).toBe('TR');

    const credits = await byDescription();
    const rowsOf = (description: string, check: typeof usd.check) =>
      check.records
        .filter((r) => r.note.startsWith(credits.get(description)!.creditId))
        .map((r) => ({ asset: r.assetId, tier: r.tier, amount: r.amount }));
    // The split: 60% on CUST-000117's own asset, 40% to the reseller at tier 1 on the account's asset.
    expect(rowsOf('Split credit', usd.check)).toEqual([
      { asset: 'AS-117', tier: 0, amount: -43956 },
      { asset: 'AS-1', tier: 1, amount: -29304 },
    ]);
    // Reassigned: only the new customer's asset, nothing on the account's own AS-1.
    expect(rowsOf('Reassigned credit', usd.check)).toEqual([{ asset: 'AS-2', tier: 0, amount: -10001 }]);
    expect(rowsOf('Euro credit', eur.check)).toEqual([{ asset: 'AS-117', tier: 0, amount: -5005 }]);
    // Nothing of the refused or skipped credits was billed anywhere.
    for (const d of ['No asset credit', 'Asset lost credit'])
      expect(usd.check.records.filter((r) => r.note.includes(credits.get(d)!.creditId))).toEqual([]);
    // The sheet keeps one usage record ID per credit, the file's rows derive from it.
    const split = credits.get('Split credit')!;
    expect(split.status).toBe('PROCESSING');
    expect(usd.check.records.map((r) => r.recordId)).toContain(`${split.usageRecordId}-1`);
  });
});

describe('a collection in two currencies killed between its files (issue 27.1)', () => {
  let dir: string;
  const now = new Date('2026-11-26T10:00:00Z');
  const sink = () => createWorkbookSink({ path: join(dir, 'credits.xlsx') });
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'credit-desk-connect-crash-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('leaves every file collecting; the next collect completes them all, each credit once', async () => {
    const file = join(dir, 'accounts.csv');
    writeFileSync(file, HEADER + ACCOUNTS.join('\n') + '\n');
    const settings = resolveSettings(
      {
        usageDir: join(dir, 'usage'),
        workbook: join(dir, 'credits.xlsx'),
        period: '2026-10',
        accounts: file,
      },
      {},
    );
    const twoCurrencies = [rows[0], rows[1], rows[2]];
    await runSync(
      settings,
      { previous: false },
      {
        source: { ...source, fetchCredits: async () => ({ rows: twoCurrencies, label: 'test' }) },
        sink: sink(),
        reporter: silentReporter,
        now,
      },
    );
    for (const { credit } of readState(await sink().read()).credits)
      await runAssign(credit.creditId, 'customer 70%, reseller 30%', { sink: sink(), now, actor: 'a@x' });
    const deps = { usageDir: join(dir, 'usage'), reporter: silentReporter, now };
    await expect(
      runCollect(
        {},
        {
          ...deps,
          sink: sink(),
          crashAt: (step) => {
            if (step === 'usage-file-written') throw new Error('killed');
          },
        },
      ),
    ).rejects.toThrow('killed');
    const journals = () =>
      readdirSync(deps.usageDir)
        .filter((n) => n.endsWith('.json'))
        .map((n) => JSON.parse(readFileSync(join(deps.usageDir, n), 'utf8')) as UsageFile);
    expect(
      journals()
        .map((f) => [f.currency, f.status])
        .sort(),
    ).toEqual([
      ['EUR', 'collecting'],
      ['USD', 'collecting'],
    ]);

    const next = await runCollect({}, { ...deps, sink: sink() });
    expect(next.resumed.sort()).toEqual(
      journals()
        .map((f) => f.usageFileId)
        .sort(),
    );
    expect(next.files).toEqual([]);
    expect(journals().map((f) => f.status)).toEqual(['ready', 'ready']);
    const credits = readState(await sink().read()).credits.map((e) => e.credit);
    expect(credits.map((c) => c.status)).toEqual(['PROCESSING', 'PROCESSING', 'PROCESSING']);
    await expectConnectValid(deps.usageDir, ASSETS);
  });
});
