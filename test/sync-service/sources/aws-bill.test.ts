/**
 * Issue 27 part 3: only final months are collected. Whether AWS has finalised a month is read from the CUR's
 * invoice ID (blank "until the report is final":
 * https://docs.aws.amazon.com/cur/latest/userguide/table-dictionary-cur2-bill.html) in every layout the reader
 * takes, on real CUR files (shared/real-cur, laid out as AWS delivers them); the sync records it in the Config
 * tab and the Summary, on the workbook and on the Google Sheet; and `usage collect` skips, names and flags the
 * credits of a month that is not final unless --allow-estimated — through the real command.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import ExcelJS from 'exceljs';
import { awsBillOfRows } from '../../../core/aws-bill';
import { generateDemoData } from '../../../sync-service/demo/generate';
import { createAthenaSource } from '../../../sync-service/sources/athena';
import { startAthenaServer } from '../../../emulators/athena-server';
import { makeTempDir, writeCurFixture, type CurLine } from '../../../emulators/cur-fixture';
import type { Cell } from '../../../core/table';
import { runAssign } from '../../../sync-service/jobs/assign';
import { runSync } from '../../../sync-service/jobs/sync';
import { runCollect } from '../../../sync-service/jobs/usage';
import { silentReporter } from '../../../sync-service/progress';
import { resolveSettings } from '../../../sync-service/settings';
import type { Sink } from '../../../sync-service/sinks/sink';
import { createWorkbookSink } from '../../../sync-service/sinks/workbook/workbook';
import type { CreditSource, RawCreditRow } from '../../../sync-service/sources/source';
import type { SheetsServer } from '../../../emulators/sheets-server';
import { runCli } from '../../helpers/cli';
import { useDuckDb, useTempDirs } from '../../helpers/fixtures-io';
import { oneAtATime } from '../../helpers/sinks';
import { withSource } from './duckdb-helpers';
import { makeSink, SHEET_ID, startServer, tab } from '../sinks/google/sheets-helpers';

const REAL = path.resolve(__dirname, '..', '..', '..', '..', 'shared', 'real-cur');
const CUR2_CSV = path.join(REAL, 'ola-ha-project-CUR-daily-1-00001.csv');
const CUR2_MANIFEST = path.join(REAL, 'ola-ha-project-CUR-daily-1-Manifest.json');
const LEGACY_CSV = path.join(REAL, 'logzio-test-billing-report-1.csv.gz');
const WORKSHOP_OCT = path.join(REAL, 'Oct2018-WorkshopCUR-00001.snappy.parquet');

const tmpDir = useTempDirs('credit-desk-aws-bill-');
const db = useDuckDb();

function put(file: string, content: Buffer | string): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, content);
  return file;
}

// ---- a small RFC 4180 reader and writer, to change one column of a real file (and nothing else) ----

function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += ch;
  }
  if (field || row.length) rows.push([...row, field]);
  return rows;
}

const csvText = (rows: string[][]): string =>
  rows
    .map((r) => r.map((c) => (/[",\n\r]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c)).join(','))
    .join('\n') + '\n';

/** The real file with `column` set on every line: AWS's final version of the month, made here (said so). */
function withInvoiceIds(text: string, column: string, invoice: string): string {
  const [header, ...rows] = parseCsv(text);
  const at = header.indexOf(column);
  if (at < 0) throw new Error(`no column ${column}`);
  return csvText([header, ...rows.map((r) => r.map((c, i) => (i === at ? invoice : c)))]);
}

/** The lines of a real CSV whose `column` is not blank: counted here, without the reader. */
function invoicedLines(text: string, column: string): number {
  const [header, ...rows] = parseCsv(text);
  const at = header.indexOf(column);
  return rows.filter((r) => r.length === header.length && r[at].trim() !== '').length;
}

const EXEC = '2026-04-16T15:24:15.653Z-04e9e487-79a7-42b1-a680-1de7c660dc8f';

/** The real CUR 2.0 export laid out as AWS delivers it (see cur-as-delivered.test.ts), with `csv` as its data. */
function layCur2Export(csv: string): string {
  const bucket = tmpDir();
  const exportRoot = path.join(bucket, 'CUR-daily-1.0', 'ha-project-CUR-daily-1');
  put(
    path.join(exportRoot, 'data', 'BILLING_PERIOD=2026-04', EXEC, 'ha-project-CUR-daily-1-00001.csv.gz'),
    zlib.gzipSync(csv),
  );
  put(
    path.join(exportRoot, 'metadata', 'BILLING_PERIOD=2026-04', 'ha-project-CUR-daily-1-Manifest.json'),
    fs.readFileSync(CUR2_MANIFEST),
  );
  return bucket;
}

const billOf = async (curDir: string, period: string) =>
  awsBillOfRows((await withSource(curDir, (s) => s.fetchCredits(period))).rows);

describe('whether AWS finalised the month, read from real CUR files in each layout', () => {
  const ola = fs.readFileSync(CUR2_CSV, 'utf8');

  it('CUR 2.0 (CSV): the real April 2026 export carries no invoice ID, so it is estimated', async () => {
    // The independent count agrees with what the README of the files implies: a mid-month daily export.
    expect(invoicedLines(ola, 'bill_invoice_id')).toBe(0);
    expect(await billOf(layCur2Export(ola), '2026-04')).toBe('estimated');
  });

  it('CUR 2.0 (CSV): the same export with an invoice ID on its lines is final', async () => {
    const final = withInvoiceIds(ola, 'bill_invoice_id', '2026-04-INV-1');
    expect(invoicedLines(final, 'bill_invoice_id')).toBeGreaterThan(0);
    expect(await billOf(layCur2Export(final), '2026-04')).toBe('final');
  });

  it('legacy CSV.gz: bill/InvoiceId, blank in the real file (estimated), final once set', async () => {
    const original = zlib.gunzipSync(fs.readFileSync(LEGACY_CSV)).toString('utf8');
    expect(invoicedLines(original, 'bill/InvoiceId')).toBe(0);
    // The real file holds Usage only: a Credit line is added here (said so), with the invoice ID of the rest.
    const withCredit = (text: string): string => {
      const [header] = parseCsv(text.slice(0, text.indexOf('\n') + 1));
      const cells = header.map(() => '');
      const set = (name: string, v: string) => void (cells[header.indexOf(name)] = v);
      set('bill/PayerAccountId', '486140753397');
      set('lineItem/UsageAccountId', '486140753397');
      set('lineItem/LineItemType', 'Credit');
      set('lineItem/ProductCode', 'AmazonEC2');
      set('lineItem/CurrencyCode', 'USD');
      set('lineItem/UnblendedCost', '-12.34');
      set('lineItem/LineItemDescription', 'AWS Activate Credits');
      return text.replace(/\n?$/, '\n') + csvText([cells]);
    };
    const lay = (text: string): string => {
      const report = path.join(tmpDir(), 'cur', 'test-billing-report');
      put(
        path.join(report, '20180201-20180301', 'assembly-1', 'test-billing-report-1.csv.gz'),
        zlib.gzipSync(text),
      );
      return report;
    };
    expect(await billOf(lay(withCredit(original)), '2018-02')).toBe('estimated');
    const final = withInvoiceIds(original, 'bill/InvoiceId', '12345678');
    expect(await billOf(lay(withCredit(final)), '2018-02')).toBe('final');
  });

  it('legacy with the Athena integration (Parquet): the real October 2018 month carries invoice IDs, so it is final', async () => {
    const report = path.join(tmpDir(), 'WorkshopCUR');
    const month = path.join(report, 'WorkshopCUR', 'year=2018', 'month=10');
    put(path.join(month, path.basename(WORKSHOP_OCT)), fs.readFileSync(WORKSHOP_OCT));
    // Its lines hold no credits: one is added in a second file of the real schema, its invoice ID blank, so only
    // the real lines can make the month final.
    const src = WORKSHOP_OCT.replace(/'/g, "''");
    const extra = path.join(month, 'added-credit.snappy.parquet').replace(/'/g, "''");
    await db().run(`COPY (
      SELECT * REPLACE ('Credit' AS line_item_line_item_type, -1.25 AS line_item_unblended_cost, '' AS bill_invoice_id)
      FROM read_parquet('${src}') LIMIT 1) TO '${extra}' (FORMAT PARQUET)`);
    const counted = await db().runAndReadAll(
      `SELECT count(*) AS n FROM read_parquet('${src}') WHERE trim(coalesce(bill_invoice_id, '')) <> ''`,
    );
    expect(Number(counted.getRowObjectsJson()[0].n)).toBeGreaterThan(0);
    expect(await billOf(report, '2018-10')).toBe('final');
  });

  it("the demo's months are all final, so `npm start` and the README's walk collect (both layouts)", async () => {
    for (const layout of ['cur2', 'legacy'] as const) {
      const demo = await generateDemoData({
        outDir: tmpDir(),
        months: 2,
        linesPerMonth: 3_000,
        endPeriod: '2026-11',
        layout,
      });
      for (const period of demo.periods) expect(await billOf(demo.curDir, period)).toBe('final');
    }
  });

  it('a CUR copy without the invoice column at all: unknown, never taken for final', async () => {
    const dir = tmpDir();
    const header = [
      'bill_payer_account_id',
      'line_item_usage_account_id',
      'line_item_product_code',
      'line_item_line_item_description',
      'line_item_currency_code',
      'line_item_unblended_cost',
      'line_item_line_item_type',
    ];
    put(
      path.join(dir, 'billing_period=2026-05', 'x.csv'),
      csvText([header, ['111111111111', '222222222222', 'AmazonEC2', 'Credit', 'USD', '-1.00', 'Credit']]),
    );
    expect(await billOf(dir, '2026-05')).toBe('unknown');
  });
});

// ---- the record in the sheet, and collect, on both sinks ----

const NOW = new Date('2026-12-03T09:00:00Z');

/** October final, November estimated: two credits each, on one account with an asset. */
const rowsOf = (period: string, invoiced: number): RawCreditRow[] =>
  [1, 2].map((i) => ({
    billing_period: period,
    payer_account_id: '111111111111',
    usage_account_id: '222222222222',
    product_code: 'AmazonEC2',
    description: `Credit ${period} ${i}`,
    currency_code: 'USD',
    amount: `-${i}0.50`,
    line_count: 1,
    bad_cost_lines: 0,
    invoiced_lines: invoiced,
  }));

function sourceOf(bills: Record<string, number>): CreditSource {
  return {
    listPeriods: async () => Object.keys(bills).sort().reverse(),
    fetchCredits: async (p) => ({ rows: rowsOf(p, bills[p]), label: 'test CUR' }),
    close: async () => {},
  };
}

interface Medium {
  open(dir: string): Promise<() => Sink>;
  /** Config rows as setting → value, and the Summary's cells, as the medium holds them. */
  config(): Promise<Map<string, string>>;
  summary(): Promise<Cell[][]>;
  credits(): Promise<Record<string, Cell>[]>;
  audit(): Promise<Record<string, Cell>[]>;
  after(): Promise<void>;
}

function records(cells: Cell[][]): Record<string, Cell>[] {
  const [header, ...rows] = cells;
  return rows.map((r) => Object.fromEntries(header.map((h, i) => [String(h), r[i] ?? null])));
}

function workbookMedium(): Medium {
  let file = '';
  const cells = async (name: string): Promise<Cell[][]> => {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(file);
    const out: Cell[][] = [];
    wb.getWorksheet(name)!.eachRow({ includeEmpty: true }, (row, n) => {
      out[n - 1] = (row.values as unknown[]).slice(1).map((v) => (v === undefined ? null : (v as Cell)));
    });
    return Array.from(out, (r) => r ?? []);
  };
  return {
    async open(dir) {
      file = path.join(dir, 'credits.xlsx');
      return oneAtATime(() => createWorkbookSink({ path: file }));
    },
    config: async () =>
      new Map(records(await cells('Config')).map((r) => [String(r.Setting), String(r.Value)])),
    summary: () => cells('Summary'),
    credits: async () => records(await cells('Credits')),
    audit: async () => records(await cells('Audit')),
    after: async () => {},
  };
}

function googleMedium(): Medium {
  let server: SheetsServer;
  const cells = (name: string) => tab(server.state.sheet(SHEET_ID), name).cells as Cell[][];
  return {
    async open() {
      server = await startServer();
      return oneAtATime(() => makeSink(server));
    },
    config: async () => new Map(records(cells('Config')).map((r) => [String(r.Setting), String(r.Value)])),
    summary: async () => cells('Summary'),
    credits: async () => records(cells('Credits')),
    audit: async () => records(cells('Audit')),
    after: async () => server?.close(),
  };
}

/** The Summary's "Credits by period and status" rows as period → the AWS bill cells of its rows. */
function summaryBills(summary: Cell[][]): Map<string, Set<string>> {
  const top = summary.findIndex((r) => r?.[0] === 'Credits by period and status');
  const header = summary[top + 1].map(String);
  const [period, bill] = [header.indexOf('Period'), header.indexOf('AWS bill')];
  const out = new Map<string, Set<string>>();
  for (const r of summary.slice(top + 2)) {
    if (!r?.[period]) break;
    const p = String(r[period]);
    out.set(p, (out.get(p) ?? new Set()).add(String(r[bill])));
  }
  return out;
}

describe.each([
  ['the workbook', workbookMedium],
  ['the Google Sheet', googleMedium],
])('the record of AWS bills and collect, on %s', (_name, make) => {
  let medium: Medium;
  beforeEach(() => (medium = make()));
  afterEach(() => medium.after());

  it('records final / estimated per period, shows it in the Summary, and collect takes only the final month', async () => {
    const dir = tmpDir();
    const sink = await medium.open(dir);
    const accounts = put(
      path.join(dir, 'accounts.csv'),
      'AWS Account,Account Name,Customer ID,Customer Name,Asset ID,Reseller ID,Reseller Name\n222222222222,Prod,CUST-1,Acme,AS-1,RES-1,Partner\n',
    );
    const usageDir = path.join(dir, 'usage');
    const settings = resolveSettings({ accounts, usageDir }, {});
    const sync = (bills: Record<string, number>) =>
      runSync(settings, {}, { source: sourceOf(bills), sink: sink(), reporter: silentReporter, now: NOW });

    const synced = await sync({ '2026-10': 7, '2026-11': 0 });
    expect(synced.bills).toEqual([
      { period: '2026-10', bill: 'final' },
      { period: '2026-11', bill: 'estimated' },
    ]);
    const config = await medium.config();
    expect(config.get('AWS bill 2026-10')).toBe('final');
    expect(config.get('AWS bill 2026-11')).toBe('estimated');
    expect(summaryBills(await medium.summary())).toEqual(
      new Map([
        ['2026-11', new Set(['estimated'])],
        ['2026-10', new Set(['final'])],
      ]),
    );

    const ids = (await medium.credits()).map((r) => String(r['Credit ID']));
    for (const id of ids) await runAssign(id, 'customer 100%', { sink: sink(), now: NOW, actor: 'a@x' });
    const deps = { usageDir, reporter: silentReporter, now: NOW };
    const first = await runCollect({}, { ...deps, sink: sink() });
    expect(first.files.flatMap((f) => f.file.records.map((r) => r.period))).toEqual(['2026-10', '2026-10']);
    expect(first.skipped).toHaveLength(2);
    for (const s of first.skipped) expect(s.reason).toMatch(/^AWS has not finalised 2026-11 \(no invoice ID/);
    const byId = new Map((await medium.credits()).map((r) => [String(r['Credit ID']), r]));
    for (const s of first.skipped) {
      expect(byId.get(s.creditId)!.Status).toBe('ASSIGNED');
      expect(String(byId.get(s.creditId)!.Flags)).toContain('NOT_COLLECTED');
    }
    const skips = (await medium.audit()).filter((a) => a.Action === 'collect-skip');
    expect(skips.map((a) => a['Credit ID']).sort()).toEqual(first.skipped.map((s) => s.creditId).sort());
    expect(String(skips[0].After)).toContain('AWS has not finalised 2026-11');
    // The Summary, rebuilt by collect without reading the CUR, still shows what the sync recorded.
    expect(summaryBills(await medium.summary()).get('2026-11')).toEqual(new Set(['estimated']));

    // A second collect without the flag takes nothing more; AWS then finalises November and a sync records it.
    expect((await runCollect({}, { ...deps, sink: sink() })).files).toEqual([]);
    await sync({ '2026-10': 7, '2026-11': 9 });
    expect((await medium.config()).get('AWS bill 2026-11')).toBe('final');
    const second = await runCollect({}, { ...deps, sink: sink() });
    expect(second.skipped).toEqual([]);
    expect(second.estimated).toEqual([]);
    expect(second.files.flatMap((f) => f.file.records.map((r) => r.creditId)).sort()).toEqual(
      first.skipped.map((s) => s.creditId).sort(),
    );
    // The collection that took them cleared their NOT_COLLECTED flag.
    for (const r of await medium.credits()) expect(String(r.Flags ?? '')).not.toContain('NOT_COLLECTED');
  });

  it('--allow-estimated takes the estimated month and says so in the result and the Audit', async () => {
    const dir = tmpDir();
    const sink = await medium.open(dir);
    const accounts = put(
      path.join(dir, 'accounts.csv'),
      'AWS Account,Account Name,Customer ID,Customer Name,Asset ID,Reseller ID,Reseller Name\n222222222222,Prod,CUST-1,Acme,AS-1,RES-1,Partner\n',
    );
    const usageDir = path.join(dir, 'usage');
    const settings = resolveSettings({ accounts, usageDir, period: '2026-11' }, {});
    await runSync(
      settings,
      { previous: false },
      { source: sourceOf({ '2026-11': 0 }), sink: sink(), reporter: silentReporter, now: NOW },
    );
    const ids = (await medium.credits()).map((r) => String(r['Credit ID']));
    for (const id of ids) await runAssign(id, 'customer 100%', { sink: sink(), now: NOW, actor: 'a@x' });
    const r = await runCollect(
      { allowEstimated: true },
      { usageDir, reporter: silentReporter, now: NOW, sink: sink() },
    );
    expect(r.skipped).toEqual([]);
    expect(r.estimated).toEqual([{ period: '2026-11', awsBill: 'estimated', credits: 2 }]);
    expect(r.files[0].file.records.map((x) => x.awsBill)).toEqual(['estimated', 'estimated']);
    const noted = (await medium.audit()).filter(
      (a) => a.Action === 'collect' && /awsBill/.test(String(a.Field)),
    );
    expect(noted.map((a) => a['Credit ID']).sort()).toEqual([...ids].sort());
    expect(String(noted[0].After)).toMatch(/--allow-estimated: AWS had not finalised 2026-11/);
    for (const c of await medium.credits()) expect(c.Status).toBe('PROCESSING');
  });
});

// ---- through the real command, on the real estimated export ----

describe('usage collect through the real command, on the real CUR 2.0 export (estimated)', () => {
  const ola = fs.readFileSync(CUR2_CSV, 'utf8');

  it('syncs it as estimated, skips and names its credits, and takes them with --allow-estimated', async () => {
    const dir = tmpDir();
    const bucket = layCur2Export(ola);
    const accounts = put(
      path.join(dir, 'accounts.csv'),
      'AWS Account,Account Name,Customer ID,Customer Name,Asset ID,Reseller ID,Reseller Name\n147303435917,HA project,CUST-1,Acme,AS-1,,\n',
    );
    const sheet = ['--workbook', path.join(dir, 'c.xlsx'), '--usage-dir', path.join(dir, 'u')];
    const sync = runCli(
      ['sync', '--cur', bucket, '--period', '2026-04', '--accounts', accounts, ...sheet],
      dir,
    );
    expect(sync.err).not.toMatch(/^error/m);
    expect(sync.code).toBe(0);
    expect(sync.out).toMatch(
      /AWS bill per period \(recorded in the Config tab\):\n {2}2026-04 {2}estimated: AWS has not finalised it/,
    );

    // The five credits worth a cent or more, assigned as a person would.
    const exported = runCli(['export', '--format', 'json', ...sheet], dir);
    const credits = (JSON.parse(exported.out) as { creditId: string; amount: string }[]).filter(
      (c) => Number(c.amount) > 0,
    );
    expect(credits.length).toBe(5);
    for (const c of credits)
      expect(runCli(['assign', c.creditId, 'customer 100%', ...sheet], dir).code).toBe(0);

    const skipped = runCli(['usage', 'collect', ...sheet], dir);
    expect(skipped.code).toBe(3); // done, but something was left for a person
    for (const c of credits)
      expect(skipped.out).toMatch(
        new RegExp(
          `Skipped Credits row \\d+ \\(${c.creditId}\\): AWS has not finalised 2026-04 \\(no invoice ID in the CUR yet\\)`,
        ),
      );
    expect(skipped.out).toContain('./credit-desk usage collect --allow-estimated');
    expect(skipped.out).toContain('Nothing collected: every ASSIGNED credit was skipped (above).');
    expect(fs.existsSync(path.join(dir, 'u')) ? fs.readdirSync(path.join(dir, 'u')) : []).toEqual([]);
    const flagged = JSON.parse(runCli(['export', '--format', 'json', ...sheet], dir).out) as {
      creditId: string;
      status: string;
      flags: string[];
    }[];
    for (const c of credits) {
      const row = flagged.find((f) => f.creditId === c.creditId)!;
      expect(row.status).toBe('ASSIGNED');
      expect(row.flags).toContain('NOT_COLLECTED');
    }

    // The command the message names, pasted as printed (with this sheet's options).
    const taken = runCli(['usage', 'collect', '--allow-estimated', ...sheet], dir);
    expect(taken.err).not.toMatch(/^error/m);
    expect(taken.code).toBe(0);
    expect(taken.out).toMatch(
      /--allow-estimated: collected 5 credit\(s\) of 2026-04, which AWS has not finalised \(AWS bill: estimated\)/,
    );
    expect(taken.out).toMatch(/Usage file UF-\S+: 5 credits/);
    const report = runCli(['report', '--format', 'json', ...sheet], dir);
    const periods = (JSON.parse(report.out) as { periods: { period: string; awsBill: string }[] }).periods;
    expect(periods.map((p) => [p.period, p.awsBill])).toEqual([['2026-04', 'estimated']]);
  });
});

describe('usage collect through the real command, on a FOCUS 1.0 export (unknown)', () => {
  /**
   * The real CUR 2.0 month written as FOCUS 1.0 with AWS columns (the columns a credit needs, named as AWS's data
   * dictionary names them, plus two it does not read): FOCUS 1.0 has no invoice ID, so no FOCUS month is final.
   */
  async function layFocusExport(): Promise<string> {
    const bucket = tmpDir();
    const file = path.join(bucket, 'focus', 'data', 'BILLING_PERIOD=2026-04', EXEC, 'focus-00001.csv.gz');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const q = (f: string): string => `'${f.replace(/'/g, "''")}'`;
    await db()
      .run(`COPY (SELECT line_item_unblended_cost AS BilledCost, bill_payer_account_id AS BillingAccountId,
        line_item_currency_code AS BillingCurrency, line_item_line_item_type AS ChargeCategory,
        line_item_line_item_description AS ChargeDescription, 'Amazon Web Services' AS ServiceName,
        line_item_usage_account_id AS SubAccountId, line_item_usage_type AS x_UsageType,
        line_item_product_code AS x_ServiceCode
      FROM read_csv(${q(CUR2_CSV)}, header = true, all_varchar = true)) TO ${q(file)} (HEADER, COMPRESSION gzip)`);
    return bucket;
  }

  it('records the month unknown, skips its credits naming FOCUS, and takes them with --allow-estimated', async () => {
    const dir = tmpDir();
    const bucket = await layFocusExport();
    const accounts = put(
      path.join(dir, 'accounts.csv'),
      'AWS Account,Account Name,Customer ID,Customer Name,Asset ID,Reseller ID,Reseller Name\n147303435917,HA project,CUST-1,Acme,AS-1,,\n',
    );
    const sheet = ['--workbook', path.join(dir, 'c.xlsx'), '--usage-dir', path.join(dir, 'u')];
    const sync = runCli(
      ['sync', '--cur', bucket, '--period', '2026-04', '--accounts', accounts, ...sheet],
      dir,
    );
    expect(sync.err).not.toMatch(/^error/m);
    expect(sync.code).toBe(0);
    expect(sync.out).toMatch(/AWS bill per period \(recorded in the Config tab\):\n {2}2026-04 {2}unknown/);

    const credits = (
      JSON.parse(runCli(['export', '--format', 'json', ...sheet], dir).out) as {
        creditId: string;
        amount: string;
      }[]
    ).filter((c) => Number(c.amount) > 0);
    expect(credits.length).toBe(5);
    for (const c of credits)
      expect(runCli(['assign', c.creditId, 'customer 100%', ...sheet], dir).code).toBe(0);

    const skipped = runCli(['usage', 'collect', ...sheet], dir);
    expect(skipped.code).toBe(3);
    for (const c of credits)
      expect(skipped.out).toMatch(
        new RegExp(
          `Skipped Credits row \\d+ \\(${c.creditId}\\): whether AWS has finalised 2026-04 is unknown: .*a FOCUS 1\\.0 export has none`,
        ),
      );
    const taken = runCli(['usage', 'collect', '--allow-estimated', ...sheet], dir);
    expect(taken.code).toBe(0);
    expect(taken.out).toMatch(/collected 5 credit\(s\) of 2026-04, .*\(AWS bill: unknown\)/);
  });
});

// ---- the same query through the local Athena server, both layouts ----

describe('whether AWS finalised the month, through Athena (local Athena-protocol server)', () => {
  it('October final (an invoice ID on a usage line only), November estimated, without the column unknown; cur2 and legacy', async () => {
    const lines: CurLine[] = [
      // The credit's own line has no invoice ID: a usage line of the same month is enough.
      { period: '2026-10', account: '444455556666', description: 'Credit', cost: -10, invoiceId: '' },
      {
        period: '2026-10',
        account: '444455556666',
        description: 'EC2',
        cost: 5,
        type: 'Usage',
        invoiceId: 'INV-1',
      },
      { period: '2026-11', account: '444455556666', description: 'Credit', cost: -3, invoiceId: '' },
      {
        period: '2026-11',
        account: '444455556666',
        description: 'EC2',
        cost: 2,
        type: 'Usage',
        invoiceId: '',
      },
    ];
    const dirs = await Promise.all([makeTempDir(), makeTempDir(), makeTempDir()]);
    await writeCurFixture(dirs[0].dir, 'cur2', lines);
    await writeCurFixture(dirs[1].dir, 'legacy', lines);
    await writeCurFixture(dirs[2].dir, 'cur2', lines, { omitColumns: ['bill_invoice_id'] });
    const server = await startAthenaServer({
      tables: {
        'cur.cur2': { dir: dirs[0].dir, layout: 'cur2' },
        'cur.legacy': { dir: dirs[1].dir, layout: 'legacy' },
        'cur.noinvoice': { dir: dirs[2].dir, layout: 'cur2' },
      },
    });
    const open = (table: string) =>
      createAthenaSource({
        database: 'cur',
        table,
        region: 'eu-west-1',
        endpoint: server.endpoint,
        credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
        pollIntervalMs: 5,
        maxPollIntervalMs: 20,
        retryBaseDelayMs: 5,
      });
    try {
      for (const table of ['cur2', 'legacy', 'noinvoice']) {
        const s = open(table); // layout detected from the columns, and with it whether bill_invoice_id is there
        try {
          const oct = awsBillOfRows((await s.fetchCredits('2026-10')).rows);
          const nov = awsBillOfRows((await s.fetchCredits('2026-11')).rows);
          expect([table, oct, nov]).toEqual(
            table === 'noinvoice' ? [table, 'unknown', 'unknown'] : [table, 'final', 'estimated'],
          );
        } finally {
          await s.close();
        }
      }
    } finally {
      await server.close();
      await Promise.all(dirs.map((d) => d.remove()));
    }
  });
});
