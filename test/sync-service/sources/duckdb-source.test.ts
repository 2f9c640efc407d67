import * as fs from 'node:fs';
import { errorOf, withSource } from './duckdb-helpers';
import * as path from 'node:path';
import fc from 'fast-check';
import { readCurRows } from '../../../core/cur';
import { generateDemoData } from '../../../sync-service/demo/generate';
import { createDuckDbSource } from '../../../sync-service/sources/duckdb';
import { useDuckDb, useTempDirs } from '../../helpers/fixtures-io';

const tmpDir = useTempDirs('credit-desk-duckdb-');
const db = useDuckDb();

function sqlString(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

interface HandLine {
  account: string | null;
  cost: string | null;
  type?: string;
  description?: string;
}

/** A hand-made CUR file. `costAs` VARCHAR lets a cost be text ("n/a"), as a broken export might have it. */
async function writeCur(
  file: string,
  lines: HandLine[],
  costAs: 'DOUBLE' | 'VARCHAR' | 'DECIMAL(38,10)' = 'DOUBLE',
): Promise<void> {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const values = lines
    .map((l) =>
      [
        sqlString('111111111111'),
        l.account === null ? 'NULL' : sqlString(l.account),
        sqlString(l.type ?? 'Credit'),
        sqlString('AmazonEC2'),
        sqlString(l.description ?? 'AWS Promotional Credit'),
        sqlString('USD'),
        l.cost === null ? `CAST(NULL AS ${costAs})` : `CAST(${sqlString(l.cost)} AS ${costAs})`,
      ].join(', '),
    )
    .map((row) => `(${row})`)
    .join(', ');
  await db()
    .run(`COPY (SELECT * FROM (VALUES ${values}) t(bill_payer_account_id, line_item_usage_account_id, line_item_line_item_type,
      line_item_product_code, line_item_line_item_description, line_item_currency_code, line_item_unblended_cost))
    TO ${sqlString(file)} (FORMAT PARQUET)`);
}

describe('DuckDB source over generated data', () => {
  let cur2: string;
  let legacy: string;
  const periods = ['2026-07', '2026-08', '2026-09'];

  beforeAll(async () => {
    const opts = { months: 3, linesPerMonth: 4_000, seed: 11, endPeriod: '2026-09' };
    cur2 = (await generateDemoData({ ...opts, outDir: tmpDir() })).curDir;
    legacy = (await generateDemoData({ ...opts, outDir: tmpDir(), layout: 'legacy' })).curDir;
  });

  it('detects each layout and lists periods newest first (legacy month=07 and month=8 alike)', async () => {
    expect(await withSource(cur2, async (s) => [s.layout, await s.listPeriods()])).toEqual([
      'cur2',
      [...periods].reverse(),
    ]);
    expect(await withSource(legacy, async (s) => [s.layout, await s.listPeriods()])).toEqual([
      'legacy',
      [...periods].reverse(),
    ]);
  });

  it('gives identical credit rows for both layouts, as text, with the requested period filled in', async () => {
    for (const period of periods) {
      const a = await withSource(cur2, (s) => s.fetchCredits(period));
      const b = await withSource(legacy, (s) => s.fetchCredits(period));
      expect(a.rows.length).toBeGreaterThan(10);
      expect(b.rows).toEqual(a.rows);
      for (const row of a.rows) {
        expect(row.billing_period).toBe(period);
        expect(row.amount).toMatch(/^-\d+\.\d{10}$/);
        expect(row.usage_account_id).toMatch(/^\d{12}$/);
        expect(row.bad_cost_lines).toBe('0');
      }
      expect(a.label).toMatch(/\(CUR 2\.0\)$/);
      expect(b.label).toMatch(/\(legacy CUR\)$/);
    }
  });

  it('aggregates the credit lines of the period only (checked against a direct DuckDB count)', async () => {
    const rows = (await withSource(cur2, (s) => s.fetchCredits('2026-08'))).rows;
    const [direct] = (
      await db()
        .runAndReadAll(`SELECT count(*) AS n FROM read_parquet(${sqlString(path.join(cur2, 'billing_period=2026-08', '*.parquet'))}, hive_partitioning = false)
        WHERE line_item_line_item_type = 'Credit'`)
    ).getRowObjectsJson();
    expect(rows.reduce((n, r) => n + Number(r.line_count), 0)).toBe(Number(direct.n));
  });

  it('refuses a layout that does not match the folder', async () => {
    const err = await errorOf(createDuckDbSource({ curDir: legacy, layout: 'cur2' }));
    expect(err.code).toBe('NO_DATA');
    expect(err.message).toMatch(/legacy CUR .* folders, but CUR 2\.0 .* was asked for/);
  });

  it('names the available periods when the requested one has no data', async () => {
    const err = await errorOf(withSource(cur2, (s) => s.fetchCredits('2025-01')));
    expect(err.code).toBe('NO_DATA');
    expect(err.message).toContain('No CUR data for 2025-01');
    expect(err.message).toContain('Periods with data: 2026-09, 2026-08, 2026-07');
  });

  it('refuses a malformed period before any SQL runs (the period is never spliced into SQL)', async () => {
    const err = await errorOf(withSource(cur2, (s) => s.fetchCredits("2026-09' OR '1'='1")));
    expect(err.code).toBe('USAGE');
    expect(err.message).toMatch(/not a billing period/);
  });
});

describe('partition pruning', () => {
  let curDir: string;
  beforeAll(async () => {
    curDir = (
      await generateDemoData({ outDir: tmpDir(), months: 3, linesPerMonth: 2_000, endPeriod: '2026-09' })
    ).curDir;
    // Damaged files in the oldest and newest months: the first would also be where DuckDB takes the schema from.
    for (const p of ['2026-07', '2026-09'])
      fs.writeFileSync(path.join(curDir, `billing_period=${p}`, 'part-1.parquet'), 'not parquet');
  });

  it('reads a month whose neighbours hold damaged files: only its own files are opened', async () => {
    const { rows } = await withSource(curDir, (s) => s.fetchCredits('2026-08'));
    expect(rows.length).toBeGreaterThan(5);
  });

  it('names the damaged file when the requested month holds it', async () => {
    const err = await errorOf(withSource(curDir, (s) => s.fetchCredits('2026-09')));
    expect(err.code).toBe('BAD_CUR_ROW');
    expect(err.message).toContain(path.join(curDir, 'billing_period=2026-09', 'part-1.parquet'));
  });

  it('prunes legacy partitions too, with month=7 and month=07 both read for July', async () => {
    const dir = path.join(tmpDir(), 'cur');
    await writeCur(path.join(dir, 'year=2026', 'month=7', 'a.parquet'), [
      { account: '000000000001', cost: '-1.5' },
    ]);
    await writeCur(path.join(dir, 'year=2026', 'month=07', 'b.parquet'), [
      { account: '000000000001', cost: '-2.25' },
    ]);
    fs.mkdirSync(path.join(dir, 'year=2026', 'month=6'));
    fs.writeFileSync(path.join(dir, 'year=2026', 'month=6', 'c.parquet'), 'broken');
    const { rows } = await withSource(dir, (s) => s.fetchCredits('2026-07'));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ amount: '-3.7500000000', line_count: '2' });
  });
});

describe('hand-made CUR files', () => {
  it('sums exactly: three lines of -0.1 make -0.3000000000', async () => {
    const dir = path.join(tmpDir(), 'cur');
    await writeCur(path.join(dir, 'billing_period=2026-05', 'x.parquet'), [
      { account: '123456789012', cost: '-0.1' },
      { account: '123456789012', cost: '-0.1' },
      { account: '123456789012', cost: '-0.1' },
    ]);
    const { rows } = await withSource(dir, (s) => s.fetchCredits('2026-05'));
    expect(rows).toEqual([
      {
        billing_period: '2026-05',
        payer_account_id: '111111111111',
        usage_account_id: '123456789012',
        product_code: 'AmazonEC2',
        description: 'AWS Promotional Credit',
        currency_code: 'USD',
        amount: '-0.3000000000',
        line_count: '3',
        bad_cost_lines: '0',
        positive_lines: '0',
        line_id: null,
        bad_cost: null,
        // These hand-made files have no bill_invoice_id column: whether AWS finalised the month is unknown.
        invoiced_lines: null,
      },
    ]);
  });

  it('sums any 10-decimal costs exactly (property)', async () => {
    const dir = path.join(tmpDir(), 'cur');
    const file = path.join(dir, 'billing_period=2026-04', 'x.parquet');
    // The folder must hold a file before the source opens it; each run below rewrites that file.
    await writeCur(file, [{ account: '123456789012', cost: '0' }]);
    const source = await createDuckDbSource({ curDir: dir });
    try {
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.bigInt({ min: -(10n ** 15n), max: 10n ** 15n }), { minLength: 1, maxLength: 30 }),
          async (units) => {
            const asText = (u: bigint): string => {
              const abs = (u < 0n ? -u : u).toString().padStart(11, '0');
              return `${u < 0n ? '-' : ''}${abs.slice(0, -10)}.${abs.slice(-10)}`;
            };
            await writeCur(
              file,
              units.map((u) => ({ account: '123456789012', cost: asText(u) })),
              'DECIMAL(38,10)',
            );
            const { rows } = await source.fetchCredits('2026-04');
            expect(rows).toHaveLength(1);
            expect(rows[0].amount).toBe(asText(units.reduce((a, b) => a + b, 0n)));
          },
        ),
        { numRuns: 15 },
      );
    } finally {
      await source.close();
    }
  });

  it('nets a credit whose lines the query keeps apart (whitespace, NFC/NFD) before rounding: 2 × -0.015 is 0.03', async () => {
    const dir = path.join(tmpDir(), 'cur');
    const lines = [
      { account: '123456789012', cost: '-0.015', description: 'MAP credit' },
      { account: '123456789012', cost: '-0.015', description: 'MAP  credit ' },
      { account: '210987654321', cost: '-0.015', description: 'Crédit MAP'.normalize('NFC') },
      { account: '210987654321', cost: '-0.015', description: 'Crédit MAP'.normalize('NFD') },
    ];
    await writeCur(path.join(dir, 'billing_period=2026-08', 'x.parquet'), lines);
    const { rows } = await withSource(dir, (s) => s.fetchCredits('2026-08'));
    expect(rows.map((r) => r.amount)).toEqual(Array(4).fill('-0.0150000000')); // four rows, summed apart
    const { credits, reconciliation } = readCurRows(rows, '2026-08');
    expect(credits.map((c) => [c.accountId, c.amount])).toEqual([
      ['123456789012', 3],
      ['210987654321', 3],
    ]);
    expect(reconciliation).toEqual([
      expect.objectContaining({ cur: 6, imported: 6, flagged: 0, leftOut: 0, rounding: 0 }),
    ]);
  });

  it('passes a null account and non-numeric costs through to the caller', async () => {
    const dir = path.join(tmpDir(), 'cur');
    await writeCur(
      path.join(dir, 'billing_period=2026-06', 'x.parquet'),
      [
        { account: null, cost: '-4.2' },
        { account: '123456789012', cost: 'n/a' },
        { account: '123456789012', cost: null },
        { account: '123456789012', cost: '-1.0' },
        { account: '123456789012', cost: '99', type: 'Usage' },
      ],
      'VARCHAR',
    );
    const { rows } = await withSource(dir, (s) => s.fetchCredits('2026-06'));
    const readable = rows.filter((r) => r.line_id === null);
    const byAccount = new Map(readable.map((r) => [r.usage_account_id, r]));
    expect(byAccount.get(null)).toMatchObject({
      amount: '-4.2000000000',
      line_count: '1',
      bad_cost_lines: '0',
    });
    expect(byAccount.get('123456789012')).toMatchObject({
      amount: '-1.0000000000',
      line_count: '1',
      bad_cost_lines: '0',
    });
    // Unreadable costs come back on a row of their own (never summed away); this table has no
    // identity_line_item_id, so line_id is '' and the row counts both lines.
    expect(rows.filter((r) => r.line_id !== null)).toEqual([
      expect.objectContaining({
        usage_account_id: '123456789012',
        amount: null,
        line_count: '2',
        bad_cost_lines: '2',
        line_id: '',
        bad_cost: 'n/a',
      }),
    ]);
  });

  it("names each unreadable line by the CUR's identity_line_item_id when the table has it", async () => {
    const dir = path.join(tmpDir(), 'cur');
    const file = path.join(dir, 'billing_period=2026-07', 'x.parquet');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    await db().run(`COPY (SELECT * FROM (VALUES
        ('id-1', '111111111111', '123456789012', 'Credit', 'AmazonEC2', 'Promo', 'USD', '-2.50'),
        ('id-2', '111111111111', '123456789012', 'Credit', 'AmazonEC2', 'Promo', 'USD', 'oops'),
        ('id-3', '111111111111', '123456789012', 'Credit', 'AmazonEC2', 'Promo', 'USD', NULL)
      ) t(identity_line_item_id, bill_payer_account_id, line_item_usage_account_id, line_item_line_item_type,
          line_item_product_code, line_item_line_item_description, line_item_currency_code, line_item_unblended_cost))
      TO ${sqlString(file)} (FORMAT PARQUET)`);
    const { rows } = await withSource(dir, (s) => s.fetchCredits('2026-07'));
    expect(rows.map((r) => [r.line_id, r.amount, r.bad_cost_lines, r.bad_cost])).toEqual([
      ['id-2', null, '1', 'oops'],
      ['id-3', null, '1', null],
      [null, '-2.5000000000', '0', null],
    ]);
  });

  it('returns no rows (not an error) for a month that has data but no credits', async () => {
    const dir = path.join(tmpDir(), 'cur');
    await writeCur(path.join(dir, 'billing_period=2026-02', 'x.parquet'), [
      { account: '123456789012', cost: '5', type: 'Usage' },
    ]);
    const { rows } = await withSource(dir, (s) => s.fetchCredits('2026-02'));
    expect(rows).toEqual([]);
  });

  it('reads upper-case BILLING_PERIOD folders under data/, as CUR 2.0 Data Exports write them', async () => {
    const root = tmpDir();
    await writeCur(path.join(root, 'data', 'BILLING_PERIOD=2026-03', 'x.parquet'), [
      { account: '123456789012', cost: '-2' },
    ]);
    const result = await withSource(root, async (s) => ({
      periods: await s.listPeriods(),
      rows: (await s.fetchCredits('2026-03')).rows,
    }));
    expect(result.periods).toEqual(['2026-03']);
    expect(result.rows[0].amount).toBe('-2.0000000000');
  });

  it('says which column is missing when the files are not CUR', async () => {
    const dir = path.join(tmpDir(), 'cur');
    fs.mkdirSync(path.join(dir, 'billing_period=2026-01'), { recursive: true });
    await db().run(
      `COPY (SELECT 1 AS something_else) TO ${sqlString(path.join(dir, 'billing_period=2026-01', 'x.parquet'))} (FORMAT PARQUET)`,
    );
    const err = await errorOf(withSource(dir, (s) => s.fetchCredits('2026-01')));
    expect(err.code).toBe('BAD_CUR_ROW');
    expect(err.message).toMatch(/lack the column "(bill|line_item)_\w+" that the credits query needs/);
  });
});

describe('folder errors', () => {
  it.each([
    ['a missing folder', (d: string) => path.join(d, 'nope'), /does not exist/],
    [
      'a file',
      (d: string) => (fs.writeFileSync(path.join(d, 'f'), ''), path.join(d, 'f')),
      /is a file, not a CUR folder/,
    ],
    ['an empty folder', (d: string) => d, /is empty/],
    [
      'a folder of something else',
      (d: string) => (fs.mkdirSync(path.join(d, 'reports')), d),
      /holds no CUR: neither billing_period=YYYY-MM, year=YYYY\/month=M nor yyyymmdd-yyyymmdd folders.*\(found: reports\)/,
    ],
    [
      'partition folders without Parquet',
      (d: string) => (fs.mkdirSync(path.join(d, 'billing_period=2026-01')), d),
      /No CUR data files \(\.parquet, \.csv or \.csv\.gz\) under .*1 partition folder, all empty/,
    ],
    [
      'a bad partition value',
      (d: string) => (fs.mkdirSync(path.join(d, 'billing_period=latest')), d),
      /billing_period=latest is not a billing period/,
    ],
    [
      'mixed layouts',
      (d: string) => (
        fs.mkdirSync(path.join(d, 'billing_period=2026-01')),
        fs.mkdirSync(path.join(d, 'year=2026')),
        d
      ),
      /mixes CUR 2\.0/,
    ],
  ])('refuses %s with a NO_DATA error that says what to do', async (_name, make, pattern) => {
    const err = await errorOf(createDuckDbSource({ curDir: make(tmpDir()) }));
    expect(err.code).toBe('NO_DATA');
    expect(err.message).toMatch(pattern);
    expect(err.message).toContain('→');
  });
});
