/**
 * Real CUR files (shared/real-cur, published by others; see its README) laid out in a temporary folder the way
 * AWS delivers each, read through the DuckDB source and checked against sums this test makes on its own: a
 * small CSV parse and exact BigInt decimals, no DuckDB and no code of the reader.
 */
import { errorOf, withSource } from './duckdb-helpers';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import ExcelJS from 'exceljs';
import { awsBillOfRows } from '../../../core/aws-bill';
import { readCurRows } from '../../../core/cur';
import { runCli } from '../../helpers/cli';
import { useDuckDb, useTempDirs } from '../../helpers/fixtures-io';

/** Beside the clone, as CI has it: never copied into the repository. */
const REAL = path.resolve(__dirname, '..', '..', '..', '..', 'shared', 'real-cur');
const CUR2_CSV = path.join(REAL, 'ola-ha-project-CUR-daily-1-00001.csv');
const CUR2_MANIFEST = path.join(REAL, 'ola-ha-project-CUR-daily-1-Manifest.json');
const LEGACY_CSV = path.join(REAL, 'logzio-test-billing-report-1.csv.gz');
const ATHENA_PARQUET = ['Oct2018', 'Nov2018', 'Dec2018'].map((m) =>
  path.join(REAL, `${m}-WorkshopCUR-00001.snappy.parquet`),
);

const tmpDir = useTempDirs('credit-desk-real-cur-');
const db = useDuckDb();

// ---- an independent reading: RFC 4180 CSV and exact decimals ----

function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  const endField = (): void => {
    row.push(field);
    field = '';
  };
  const endRow = (): void => {
    endField();
    rows.push(row);
    row = [];
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') endField();
    else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      endRow();
    } else field += ch;
  }
  if (field || row.length) endRow();
  return rows;
}

/** "-1.006601E-4" → the value × 10^scale as a BigInt, refusing anything that is not exact at that scale. */
function scaled(text: string, scale = 10): bigint {
  const m = /^(-?)(\d+)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text.trim());
  if (!m) throw new Error(`not a number: ${text}`);
  const digits = (m[2] + (m[3] ?? '')).replace(/^0+(?=\d)/, '');
  const shift = scale - (m[3] ?? '').length + Number(m[4] ?? 0);
  const abs =
    shift >= 0
      ? BigInt(digits) * 10n ** BigInt(shift)
      : BigInt(digits.slice(0, digits.length + shift) || '0');
  if (shift < 0 && /[1-9]/.test(digits.slice(digits.length + shift))) throw new Error(`inexact: ${text}`);
  return m[1] ? -abs : abs;
}

function show(units: bigint, scale = 10): string {
  const neg = units < 0n;
  const s = (neg ? -units : units).toString().padStart(scale + 1, '0');
  return `${neg ? '-' : ''}${s.slice(0, -scale)}.${s.slice(-scale)}`;
}

interface CreditGroup {
  key: string;
  lines: number;
  sum: bigint;
  negativeLines: number;
}

/** Credit lines grouped as the query groups them, summed exactly. */
function creditGroups(csv: string, col: (name: string) => string): CreditGroup[] {
  const [header, ...rows] = parseCsv(csv);
  const at = (name: string): number => {
    const i = header.indexOf(col(name));
    if (i < 0) throw new Error(`no column ${col(name)}`);
    return i;
  };
  const [type, cost] = [at('line_item_line_item_type'), at('line_item_unblended_cost')];
  const keyCols = [
    'bill_payer_account_id',
    'line_item_usage_account_id',
    'line_item_product_code',
    'line_item_line_item_description',
    'line_item_currency_code',
  ].map(at);
  const groups = new Map<string, CreditGroup>();
  for (const r of rows) {
    if (r.length < header.length || r[type] !== 'Credit') continue;
    const key = keyCols.map((i) => r[i]).join('|');
    const g = groups.get(key) ?? { key, lines: 0, sum: 0n, negativeLines: 0 };
    const v = scaled(r[cost]);
    g.lines++;
    g.sum += v;
    if (v < 0n) g.negativeLines++;
    groups.set(key, g);
  }
  return [...groups.values()].sort((a, b) => a.key.localeCompare(b.key));
}

// ---- laying the files out as AWS delivers them ----

function put(file: string, content: Buffer | string): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, content);
  return file;
}

/** Sets a file's modification time (as `aws s3 sync` sets it to the object's upload time). */
function touch(file: string, iso: string): void {
  const t = new Date(iso);
  fs.utimesSync(file, t, t);
}

const EXEC = '2026-04-16T15:24:15.653Z-04e9e487-79a7-42b1-a680-1de7c660dc8f';
const OLD_EXEC = '2026-04-15T09:02:11.104Z-5b1f0a2e-0000-4000-8000-000000000001';

/**
 * `<bucket>/CUR-daily-1.0/ha-project-CUR-daily-1/{data,metadata}/BILLING_PERIOD=2026-04/…`, as the export's own
 * manifest lists it. `older` adds an earlier refresh beside it (the same file, a day before): "create new" mode.
 */
function layCur2Export(opts: { older?: boolean; manifest?: boolean } = {}): {
  bucket: string;
  exportRoot: string;
} {
  const bucket = tmpDir();
  const exportRoot = path.join(bucket, 'CUR-daily-1.0', 'ha-project-CUR-daily-1');
  const gz = zlib.gzipSync(fs.readFileSync(CUR2_CSV));
  const part = path.join(exportRoot, 'data', 'BILLING_PERIOD=2026-04');
  touch(put(path.join(part, EXEC, 'ha-project-CUR-daily-1-00001.csv.gz'), gz), '2026-04-16T15:30:00Z');
  if (opts.older)
    touch(put(path.join(part, OLD_EXEC, 'ha-project-CUR-daily-1-00001.csv.gz'), gz), '2026-04-15T09:10:00Z');
  if (opts.manifest !== false)
    put(
      path.join(exportRoot, 'metadata', 'BILLING_PERIOD=2026-04', 'ha-project-CUR-daily-1-Manifest.json'),
      fs.readFileSync(CUR2_MANIFEST),
    );
  return { bucket, exportRoot };
}

async function read(curDir: string, period: string) {
  const notes: string[] = [];
  const result = await withSource(curDir, (s) => s.fetchCredits(period, (m) => notes.push(m)));
  return { ...result, notes };
}

function queryGroups(rows: { amount: string | null; line_count: string | number | null }[]) {
  return rows.map((r) => ({ amount: r.amount, lines: Number(r.line_count) }));
}

describe('a CUR 2.0 Data Export in CSV, as delivered', () => {
  const expected = creditGroups(fs.readFileSync(CUR2_CSV, 'utf8'), (n) => n);

  it('the independent reading finds the 7 Free Tier credits of 47.68 USD (the README says so)', () => {
    expect(expected).toHaveLength(7);
    expect(show(expected.reduce((s, g) => s + g.sum, 0n))).toBe('-47.6816938998');
  });

  it.each([
    ['the bucket prefix above the export', (b: { bucket: string }) => b.bucket],
    ['the export root', (b: { exportRoot: string }) => b.exportRoot],
    ['its data/ folder', (b: { exportRoot: string }) => path.join(b.exportRoot, 'data')],
  ])('reads every credit group exactly, at the CUR scale, with --cur at %s', async (_name, pick) => {
    const laid = layCur2Export();
    const { rows, notes, label } = await read(pick(laid), '2026-04');
    expect(label).toMatch(/\(CUR 2\.0\)$/);
    const got = queryGroups(rows).sort((a, b) => (a.amount! < b.amount! ? -1 : 1));
    const want = expected
      .map((g) => ({ amount: show(g.sum), lines: g.lines }))
      .sort((a, b) => (a.amount < b.amount ? -1 : 1));
    expect(got).toEqual(want);
    expect(notes.join('\n')).toContain('manifest');
  });

  it('counts the month once when an older refresh sits beside the current one, and says which it read', async () => {
    const { bucket } = layCur2Export({ older: true });
    const { rows, notes } = await read(bucket, '2026-04');
    const total = rows.reduce((s, r) => s + scaled(r.amount!), 0n);
    expect(show(total)).toBe('-47.6816938998');
    expect(rows.reduce((s, r) => s + Number(r.line_count), 0)).toBe(358);
    expect(notes.join('\n')).toMatch(
      /manifest .*ha-project-CUR-daily-1-Manifest\.json.*1 file; 1 older version folder beside it not read/,
    );
  });

  it('without a manifest, reads the newest refresh only and names it', async () => {
    const { bucket } = layCur2Export({ older: true, manifest: false });
    const { rows, notes } = await read(bucket, '2026-04');
    expect(rows.reduce((s, r) => s + Number(r.line_count), 0)).toBe(358);
    expect(notes.join('\n')).toContain(`no manifest: read the newest of 2 versions`);
    expect(notes.join('\n')).toContain(EXEC);
  });

  it('refuses a manifest whose files are missing, naming them', async () => {
    const { exportRoot } = layCur2Export();
    fs.rmSync(path.join(exportRoot, 'data', 'BILLING_PERIOD=2026-04', EXEC), { recursive: true });
    put(
      path.join(exportRoot, 'data', 'BILLING_PERIOD=2026-04', OLD_EXEC, 'x-00001.csv.gz'),
      zlib.gzipSync('a\n'),
    );
    const err = await errorOf(read(exportRoot, '2026-04'));
    expect(err.code).toBe('NO_DATA');
    expect(err.message).toMatch(
      /lists 1 file, but 1 of them is missing \(.*ha-project-CUR-daily-1-00001\.csv\.gz\)/,
    );
    expect(err.message).toMatch(/→ Copy the whole delivery again/);
  });

  it('refuses a truncated .csv.gz instead of reading the lines before the cut', async () => {
    const { exportRoot } = layCur2Export();
    const file = path.join(
      exportRoot,
      'data',
      'BILLING_PERIOD=2026-04',
      EXEC,
      'ha-project-CUR-daily-1-00001.csv.gz',
    );
    const gz = fs.readFileSync(file);
    fs.writeFileSync(file, gz.subarray(0, Math.floor(gz.length / 2)));
    const err = await errorOf(read(exportRoot, '2026-04'));
    expect(err.code).toBe('BAD_CUR_ROW');
    expect(err.message).toMatch(/is not a complete gzip file .*cut short or damaged/);
    expect(err.message).toMatch(/→ Download it again/);
  });

  it('refuses a CSV with a byte-order mark: AWS writes none, so another program saved it again', async () => {
    const dir = tmpDir();
    put(
      path.join(dir, 'data', 'BILLING_PERIOD=2026-04', 'x-00001.csv'),
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), fs.readFileSync(CUR2_CSV)]),
    );
    const err = await errorOf(read(dir, '2026-04'));
    expect(err.code).toBe('BAD_CUR_ROW');
    expect(err.message).toMatch(/starts with a byte-order mark.*→ Download the original file/s);
  });

  it('syncs through the real command: exit 0, 7 credits of 47.68 USD', async () => {
    const { bucket } = layCur2Export({ older: true });
    const dir = tmpDir();
    const r = runCli(
      [
        'sync',
        '--cur',
        bucket,
        '--period',
        '2026-04',
        '--workbook',
        path.join(dir, 'c.xlsx'),
        '--usage-dir',
        path.join(dir, 'u'),
      ],
      dir,
    );
    expect(r.err).not.toMatch(/^error/m);
    expect(r.code).toBe(0);
    // The two Free Tier credits worth less than a cent are imported as 0.00, not held with a false reason.
    expect(r.out).toMatch(
      /2026-04 USD\s+CUR 47\.68 USD = imported 47\.68 USD \+ held 0\.00 USD \+ left out 0\.00 USD {2}\(7 imported, 2 of them worth less than 0\.01 USD and shown as 0\.00 USD, 0 held\)/,
    );
    expect(r.out).not.toMatch(/REVIEW_NOT_POSITIVE|reversal/);
    // In the sheet: Amount 0.00 and the BELOW_MINOR_UNIT flag; the others are ordinary credits.
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(path.join(dir, 'c.xlsx'));
    const sheet = wb.getWorksheet('Credits')!;
    const headers = (sheet.getRow(1).values as unknown[]).map((v) => String(v ?? ''));
    const col = (name: string): number => headers.indexOf(name);
    const rows: { service: string; amount: number; flags: string }[] = [];
    sheet.eachRow((row, n) => {
      if (n > 1)
        rows.push({
          service: String(row.getCell(col('Service')).value),
          amount: Number(row.getCell(col('Amount')).value),
          flags: String(row.getCell(col('Flags')).value ?? ''),
        });
    });
    expect(rows).toHaveLength(7);
    expect(
      rows
        .filter((r) => r.flags.includes('BELOW_MINOR_UNIT'))
        .map((r) => [r.service, r.amount])
        .sort(),
    ).toEqual([
      ['AWSDataTransfer', 0],
      ['AWSSecretsManager', 0],
    ]);
    expect(rows.some((r) => /REVIEW_/.test(r.flags))).toBe(false);
  });
});

/**
 * The legacy headers of the columns the query reads, as AWS's data dictionary pairs them with the Athena names
 * (https://docs.aws.amazon.com/cur/latest/userguide/data-dictionary.html; shared/reference/credits-domain.md §3.1).
 */
const LEGACY_HEADERS: Record<string, string> = {
  bill_payer_account_id: 'bill/PayerAccountId',
  line_item_usage_account_id: 'lineItem/UsageAccountId',
  line_item_product_code: 'lineItem/ProductCode',
  line_item_line_item_description: 'lineItem/LineItemDescription',
  line_item_currency_code: 'lineItem/CurrencyCode',
  line_item_line_item_type: 'lineItem/LineItemType',
  line_item_unblended_cost: 'lineItem/UnblendedCost',
};

describe('a legacy CUR in CSV.gz, as delivered', () => {
  const REPORT = 'test-billing-report';
  const CURRENT = '7c4d2f2e-1111-4222-8333-444455556666';
  const OLDER = '0a1b2c3d-9999-4888-8777-666655554444';
  const original = zlib.gunzipSync(fs.readFileSync(LEGACY_CSV)).toString('utf8');
  const header = parseCsv(original.slice(0, original.indexOf('\n')))[0];

  /** The real file holds Usage only: this test adds Credit lines of its own to it (said here, as the README asks). */
  function withCredits(costs: string[]): string {
    const line = (cost: string, i: number): string => {
      const cells = header.map(() => '');
      const set = (name: string, v: string): void => void (cells[header.indexOf(name)] = v);
      set('identity/LineItemId', `test-credit-${i}`);
      set('bill/PayerAccountId', '486140753397');
      set('lineItem/UsageAccountId', '486140753397');
      set('lineItem/LineItemType', 'Credit');
      set('lineItem/ProductCode', 'AmazonEC2');
      set('lineItem/CurrencyCode', 'USD');
      set('lineItem/UnblendedCost', cost);
      set('lineItem/LineItemDescription', 'AWS Activate Credits, "Portfolio" plan');
      return cells.map((c) => (/[",]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c)).join(',');
    };
    return `${original.replace(/\n?$/, '\n')}${costs.map(line).join('\n')}\n`;
  }

  function layLegacy(opts: { manifest?: boolean } = {}): string {
    const prefix = tmpDir();
    const month = path.join(prefix, 'cur', REPORT, '20180201-20180301');
    const current = withCredits(['-12.3456789012', '-0.0043210988', '1.25']);
    const older = withCredits(['-12.3456789012']);
    touch(put(path.join(month, OLDER, `${REPORT}-1.csv.gz`), zlib.gzipSync(older)), '2018-02-27T10:00:00Z');
    touch(
      put(path.join(month, CURRENT, `${REPORT}-1.csv.gz`), zlib.gzipSync(current)),
      '2018-02-28T10:00:00Z',
    );
    if (opts.manifest !== false)
      put(
        path.join(month, `${REPORT}-Manifest.json`),
        JSON.stringify({
          assemblyId: CURRENT,
          bucket: 'logzio-cur',
          billingPeriod: { start: '20180201T000000.000Z', end: '20180301T000000.000Z' },
          reportKeys: [`cur/${REPORT}/20180201-20180301/${CURRENT}/${REPORT}-1.csv.gz`],
        }),
      );
    return path.join(prefix, 'cur', REPORT);
  }

  it('maps the category/Name headers to the Athena names and sums the current assembly only', async () => {
    const report = layLegacy();
    const { rows, notes, label } = await read(report, '2018-02');
    expect(label).toMatch(/\(legacy CUR in CSV\)$/);
    const [want] = creditGroups(
      withCredits(['-12.3456789012', '-0.0043210988', '1.25']),
      (n) => LEGACY_HEADERS[n],
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      payer_account_id: '486140753397',
      usage_account_id: '486140753397',
      description: 'AWS Activate Credits, "Portfolio" plan',
      amount: show(want.sum),
      line_count: String(want.lines),
    });
    expect(show(want.sum)).toBe('-11.1000000000');
    expect(notes.join('\n')).toMatch(new RegExp(`version ${CURRENT}\\): 1 file; 1 older version folder`));
  });

  it('without the manifest, reads the newest assembly and says so', async () => {
    const report = layLegacy({ manifest: false });
    const { rows, notes } = await read(path.dirname(report), '2018-02');
    expect(rows.map((r) => r.amount)).toEqual(['-11.1000000000']);
    expect(notes.join('\n')).toContain(
      `no manifest: read the newest of 2 versions, ${REPORT}/20180201-20180301/${CURRENT}`,
    );
  });

  it('lists the periods of the report folders', async () => {
    const report = layLegacy();
    put(
      path.join(report, '20180301-20180401', 'abc', `${REPORT}-1.csv.gz`),
      fs.readFileSync(path.join(REAL, 'logzio-test-billing-report-2.csv.gz')),
    );
    expect(await withSource(report, (s) => s.listPeriods())).toEqual(['2018-03', '2018-02']);
    const { rows } = await read(report, '2018-03');
    expect(rows).toEqual([]);
  });
});

describe('other real legacy CSV and what is not a CUR', () => {
  it('reads the anonymised legacy CUR (uncompressed CSV, 2023-11): Tax and Usage only, so no credits', async () => {
    const report = path.join(tmpDir(), 'focus-sample');
    put(
      path.join(report, '20231101-20231201', 'assembly-1', 'focus-sample-1.csv'),
      fs.readFileSync(path.join(REAL, 'focus-sample-anonymous-aws-export-dataset.csv')),
    );
    expect(await withSource(report, (s) => s.listPeriods())).toEqual(['2023-11']);
    expect((await read(report, '2023-11')).rows).toEqual([]);
  });

  it('refuses CSV files that are not a CUR, naming the missing column', async () => {
    const dir = tmpDir();
    put(
      path.join(dir, 'data', 'BILLING_PERIOD=2026-04', 'costs.csv'),
      'date,service,cost\n2026-04-01,EC2,-1.00\n',
    );
    const err = await errorOf(read(dir, '2026-04'));
    expect(err.code).toBe('BAD_CUR_ROW');
    expect(err.message).toMatch(
      /lack the column "\w+" that the credits query needs.*→ Point --cur at a CUR/s,
    );
  });
});

describe('a legacy CUR with the Athena integration (AWS Parquet), as delivered', () => {
  function layAthena(): string {
    const report = path.join(tmpDir(), 'WorkshopCUR');
    ATHENA_PARQUET.forEach((file, i) =>
      put(
        path.join(report, 'WorkshopCUR', 'year=2018', `month=${10 + i}`, path.basename(file)),
        fs.readFileSync(file),
      ),
    );
    put(
      path.join(report, 'cost_and_usage_data_status', 'cost_and_usage_data_status.parquet'),
      'status, not CUR lines',
    );
    return report;
  }

  it("reads the report's root as AWS lays it out, each month with its own schema", async () => {
    const report = layAthena();
    expect(await withSource(report, (s) => s.listPeriods())).toEqual(['2018-12', '2018-11', '2018-10']);
    const { rows, label } = await read(report, '2018-11');
    expect(label).toContain(path.join('WorkshopCUR', 'WorkshopCUR'));
    expect(rows).toEqual([]); // the real files hold no credits
  });

  it('sums credit lines added to a real month (a second file of the real schema, said here) exactly', async () => {
    const report = layAthena();
    const extra = path.join(report, 'WorkshopCUR', 'year=2018', 'month=10', 'added-credits.snappy.parquet');
    const src = ATHENA_PARQUET[0].replace(/'/g, "''");
    await db().run(`COPY (
      SELECT * REPLACE ('Credit' AS line_item_line_item_type, 'Test credit' AS line_item_line_item_description,
        CASE row_number() OVER () WHEN 1 THEN -1.25 WHEN 2 THEN -0.5 ELSE 0.25 END AS line_item_unblended_cost)
      FROM read_parquet('${src}') LIMIT 3) TO '${extra.replace(/'/g, "''")}' (FORMAT PARQUET)`);
    const { rows } = await read(report, '2018-10');
    const total = rows.reduce((s, r) => s + scaled(r.amount!), 0n);
    expect(show(total)).toBe('-1.5000000000');
    expect(rows.reduce((s, r) => s + Number(r.line_count), 0)).toBe(3);
  });
});

describe('the same export converted to Parquet by hand (billing_period folders)', () => {
  it('reads it with the same result as the CSV, and the sub-cent Free Tier credits are imported, not held', async () => {
    const dir = tmpDir();
    const out = path.join(dir, 'billing_period=2026-04', 'part-0.parquet');
    fs.mkdirSync(path.dirname(out), { recursive: true });
    await db().run(
      `COPY (SELECT * FROM read_csv('${CUR2_CSV.replace(/'/g, "''")}', header = true, all_varchar = true)) TO '${out.replace(/'/g, "''")}' (FORMAT PARQUET)`,
    );
    const { rows } = await read(dir, '2026-04');
    const reading = readCurRows(rows, '2026-04');
    expect(reading.credits).toHaveLength(7);
    const subCent = reading.credits.filter((c) => c.amount === 0);
    expect(subCent.map((c) => c.service).sort()).toEqual(['AWSDataTransfer', 'AWSSecretsManager']);
    for (const c of subCent) expect(c.belowMinorUnit).toBe(true);
    // The independent sums of those two: 157 and 9 lines, every one negative.
    const fromCsv = creditGroups(fs.readFileSync(CUR2_CSV, 'utf8'), (n) => n).filter((g) =>
      /AWSDataTransfer|AWSSecretsManager/.test(g.key),
    );
    expect(fromCsv.map((g) => [g.lines, g.negativeLines, show(-g.sum)])).toEqual([
      [157, 157, '0.0007180008'],
      [9, 9, '0.0000700000'],
    ]);
    expect(subCent.map((c) => c.belowMinorDetail).sort()).toEqual([
      expect.stringMatching(/^the 157 CUR lines net to a credit of 0\.0007180008 USD, less than 0\.01/),
      expect.stringMatching(/^the 9 CUR lines net to a credit of 0\.00007 USD, less than 0\.01/),
    ]);
    for (const c of reading.credits) expect(c.review).toEqual([]);
    const [usd] = reading.reconciliation;
    expect(usd).toMatchObject({
      cur: 4768,
      imported: 4768,
      flagged: 0,
      leftOut: 0,
      rounding: 0,
      importedCredits: 7,
    });
  });
});

/**
 * FOCUS 1.0 with AWS columns, the 48 columns in the order of AWS's data dictionary
 * (https://docs.aws.amazon.com/cur/latest/userguide/table-dictionary-focus-1-0-aws-columns.html): 43 FOCUS
 * columns and the five AWS ones. No real FOCUS export with credits is published (the file named
 * focus-sample-… in shared/real-cur is a legacy CUR, read as one above), so this test writes one from the real
 * CUR 2.0 export, line for line, filling the columns a credit needs from the CUR columns AWS derives them from
 * and leaving the others empty (said here, as the shared README asks).
 */
const FOCUS_1_0_AWS = [
  'AvailabilityZone',
  'BilledCost',
  'BillingAccountId',
  'BillingAccountName',
  'BillingCurrency',
  'BillingPeriodEnd',
  'BillingPeriodStart',
  'ChargeCategory',
  'ChargeClass',
  'ChargeDescription',
  'ChargeFrequency',
  'ChargePeriodEnd',
  'ChargePeriodStart',
  'CommitmentDiscountCategory',
  'CommitmentDiscountId',
  'CommitmentDiscountName',
  'CommitmentDiscountStatus',
  'CommitmentDiscountType',
  'ConsumedQuantity',
  'ConsumedUnit',
  'ContractedCost',
  'ContractedUnitPrice',
  'EffectiveCost',
  'InvoiceIssuerName',
  'ListCost',
  'ListUnitPrice',
  'PricingCategory',
  'PricingQuantity',
  'PricingUnit',
  'ProviderName',
  'PublisherName',
  'RegionId',
  'RegionName',
  'ResourceId',
  'ResourceName',
  'ResourceType',
  'ServiceCategory',
  'ServiceName',
  'SkuId',
  'SkuPriceId',
  'SubAccountId',
  'SubAccountName',
  'Tags',
  'x_CostCategories',
  'x_Discounts',
  'x_Operation',
  'x_ServiceCode',
  'x_UsageType',
];

/** Each FOCUS column the test fills, from the CUR 2.0 column of the same meaning. */
const FOCUS_FROM_CUR2: Record<string, string> = {
  AvailabilityZone: 'line_item_availability_zone',
  BilledCost: 'line_item_unblended_cost',
  BillingAccountId: 'bill_payer_account_id',
  BillingAccountName: 'bill_payer_account_name',
  BillingCurrency: 'line_item_currency_code',
  BillingPeriodEnd: 'bill_billing_period_end_date',
  BillingPeriodStart: 'bill_billing_period_start_date',
  ChargeCategory: 'line_item_line_item_type',
  ChargeDescription: 'line_item_line_item_description',
  ChargePeriodEnd: 'line_item_usage_end_date',
  ChargePeriodStart: 'line_item_usage_start_date',
  RegionId: 'product_region_code',
  SubAccountId: 'line_item_usage_account_id',
  x_Operation: 'line_item_operation',
  x_ServiceCode: 'line_item_product_code',
  x_UsageType: 'line_item_usage_type',
};

function csvLine(cells: string[]): string {
  return cells.map((c) => (/[",\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c)).join(',');
}

/** The real CUR 2.0 month as a FOCUS 1.0 export; `drop` leaves a column out. Usage and Tax keep their names. */
function focusFromCur2(drop: string[] = []): string {
  const [header, ...rows] = parseCsv(fs.readFileSync(CUR2_CSV, 'utf8'));
  const columns = FOCUS_1_0_AWS.filter((c) => !drop.includes(c));
  const from = columns.map((c) => (FOCUS_FROM_CUR2[c] ? header.indexOf(FOCUS_FROM_CUR2[c]) : -1));
  const lines = rows
    .filter((r) => r.length === header.length)
    .map((r) =>
      csvLine(columns.map((c, i) => (c === 'ProviderName' ? 'AWS' : from[i] >= 0 ? r[from[i]] : ''))),
    );
  return [csvLine(columns), ...lines].join('\n') + '\n';
}

/** `<bucket>/focus/focus-1-0/{data,metadata}/BILLING_PERIOD=2026-04/…`: a Data Export, delivered as CUR 2.0 is. */
function layFocusExport(drop: string[] = []): string {
  const bucket = tmpDir();
  const exportRoot = path.join(bucket, 'focus', 'focus-1-0');
  const key = `BILLING_PERIOD=2026-04/${EXEC}/focus-1-0-00001.csv.gz`;
  put(path.join(exportRoot, 'data', ...key.split('/')), zlib.gzipSync(focusFromCur2(drop)));
  put(
    path.join(exportRoot, 'metadata', 'BILLING_PERIOD=2026-04', 'focus-1-0-Manifest.json'),
    JSON.stringify({
      executionId: EXEC.slice(25),
      dataFiles: [`s3://bucket/focus/focus-1-0/data/${key}`],
    }),
  );
  return bucket;
}

describe('a FOCUS 1.0 with AWS columns export in CSV, as delivered', () => {
  const expected = creditGroups(fs.readFileSync(CUR2_CSV, 'utf8'), (n) => n);

  it('reads its ChargeCategory = Credit lines: every group exactly, as the independent sum of the CUR says', async () => {
    const bucket = layFocusExport();
    const { rows, notes, label } = await read(bucket, '2026-04');
    expect(label).toBe(`${path.join(bucket, 'focus', 'focus-1-0', 'data')} (FOCUS 1.0 export)`);
    const got = queryGroups(rows).sort((a, b) => (a.amount! < b.amount! ? -1 : 1));
    const want = expected
      .map((g) => ({ amount: show(g.sum), lines: g.lines }))
      .sort((a, b) => (a.amount < b.amount ? -1 : 1));
    expect(got).toEqual(want);
    expect(rows.reduce((s, r) => s + Number(r.line_count), 0)).toBe(358);
    expect(notes.join('\n')).toMatch(/FOCUS 1\.0 export: .*no invoice ID.*recorded as unknown/);
  });

  it('files each credit under the key the CUR 2.0 export gives it, and records the month unknown, not final', async () => {
    const focus = readCurRows((await read(layFocusExport(), '2026-04')).rows, '2026-04');
    const cur2 = readCurRows((await read(layCur2Export().bucket, '2026-04')).rows, '2026-04');
    const keyed = (r: typeof focus) =>
      r.credits.map((c) => [c.key, c.service, c.amount, c.belowMinorUnit]).sort();
    expect(focus.credits).toHaveLength(7);
    expect(keyed(focus)).toEqual(keyed(cur2));
    expect(focus.reconciliation).toEqual(cur2.reconciliation);
    const { rows } = await read(layFocusExport(), '2026-04');
    expect(awsBillOfRows(rows)).toBe('unknown');
  });

  it("reads the same export as Parquet with AWS's types (BilledCost double, timestamps) to the same sums", async () => {
    const bucket = layFocusExport();
    const dataDir = path.join(bucket, 'focus', 'focus-1-0', 'data', 'BILLING_PERIOD=2026-04', EXEC);
    const csv = path.join(dataDir, 'focus-1-0-00001.csv.gz');
    const parquet = path.join(dataDir, 'focus-1-0-00001.snappy.parquet');
    const q = (f: string): string => `'${f.replace(/'/g, "''")}'`;
    await db().run(`COPY (SELECT * REPLACE (CAST(BilledCost AS DOUBLE) AS BilledCost,
        CAST(BillingPeriodStart AS TIMESTAMP) AS BillingPeriodStart, CAST(BillingPeriodEnd AS TIMESTAMP) AS BillingPeriodEnd)
      FROM read_csv(${q(csv)}, header = true, all_varchar = true)) TO ${q(parquet)} (FORMAT PARQUET)`);
    fs.rmSync(csv);
    fs.rmSync(path.join(bucket, 'focus', 'focus-1-0', 'metadata'), { recursive: true });
    const { rows } = await read(bucket, '2026-04');
    const got = queryGroups(rows).sort((a, b) => (a.amount! < b.amount! ? -1 : 1));
    const want = expected
      .map((g) => ({ amount: show(g.sum), lines: g.lines }))
      .sort((a, b) => (a.amount < b.amount ? -1 : 1));
    expect(got).toEqual(want);
  });

  it('syncs through the real command: exit 0, 7 credits of 47.68 USD, the month recorded unknown', () => {
    const dir = tmpDir();
    const workbook = path.join(dir, 'c.xlsx');
    const args = ['--cur', layFocusExport(), '--period', '2026-04', '--workbook', workbook];
    const r = runCli(['sync', ...args, '--usage-dir', path.join(dir, 'u')], dir);
    expect(r.err).not.toMatch(/^error/m);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/2026-04 USD\s+CUR 47\.68 USD = imported 47\.68 USD \+ held 0\.00 USD/);
    expect(r.out).toMatch(/^Synced 2026-04 from .*focus-1-0.data \(FOCUS 1\.0 export\)/m);
    expect(r.out).toMatch(/2026-04 {2}unknown/);
  });

  it.each([['x_ServiceCode'], ['SubAccountId'], ['BilledCost'], ['ChargeCategory']])(
    'refuses an export without %s, naming it',
    async (column) => {
      const err = await errorOf(read(layFocusExport([column]), '2026-04'));
      expect(err.code).toBe('BAD_CUR_ROW');
      expect(err.message).toContain(`lack "${column}", which a credit needs`);
      expect(err.message).toMatch(/→ Export the Data Exports table "FOCUS 1\.0 with AWS columns"/);
    },
  );
});
