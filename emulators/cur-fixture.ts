/**
 * Tiny CUR Parquet fixtures for the Athena tests and bench, in either partition layout: CUR 2.0
 * `billing_period=YYYY-MM/` or legacy `year=YYYY/month=M/`. Written by DuckDB into os.tmpdir().
 */
import { DuckDBInstance } from '@duckdb/node-api';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type FixtureLayout = 'cur2' | 'legacy';

export interface CurLine {
  period: string;
  account: string | null;
  description: string;
  cost: number;
  payer?: string;
  product?: string;
  currency?: string;
  type?: string;
  /**
   * bill_invoice_id: blank until AWS finalises the month (core/aws-bill.ts); default a made-up invoice ID, so a
   * fixture month is final unless a test says otherwise.
   */
  invoiceId?: string;
}

export async function makeTempDir(
  prefix = 'credit-desk-athena-',
): Promise<{ dir: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** The partition folder of a period; legacy months unpadded ('7') unless padMonth, as CUR writes either. */
export function partitionDir(root: string, layout: FixtureLayout, period: string, padMonth = false): string {
  if (layout === 'cur2') return join(root, `billing_period=${period}`);
  const [year, month] = period.split('-');
  return join(root, `year=${year}`, `month=${padMonth ? month : String(Number(month))}`);
}

const sqlPath = (path: string) => `'${path.replace(/'/g, "''")}'`;

const COLUMNS = `bill_payer_account_id VARCHAR, line_item_usage_account_id VARCHAR, line_item_product_code VARCHAR,
  line_item_line_item_description VARCHAR, line_item_currency_code VARCHAR, line_item_unblended_cost DOUBLE,
  line_item_line_item_type VARCHAR, bill_invoice_id VARCHAR, period VARCHAR`;

/** Writes one Parquet file per period of `lines` under `root`. */
export async function writeCurFixture(
  root: string,
  layout: FixtureLayout,
  lines: CurLine[],
  opts: { padMonth?: boolean; omitColumns?: string[] } = {},
): Promise<void> {
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  try {
    await conn.run(`CREATE TABLE cur (${COLUMNS})`);
    for (const l of lines) {
      await conn.run('INSERT INTO cur VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)', [
        l.payer ?? '111122223333',
        l.account,
        l.product ?? 'AmazonEC2',
        l.description,
        l.currency ?? 'USD',
        l.cost,
        l.type ?? 'Credit',
        l.invoiceId ?? 'INV-FIXTURE-0001',
        l.period,
      ]);
    }
    for (const period of new Set(lines.map((l) => l.period))) {
      const dir = partitionDir(root, layout, period, opts.padMonth);
      await mkdir(dir, { recursive: true });
      // The partition value lives in the folder name only, as in real CUR exports.
      await conn.run(
        `COPY (SELECT * EXCLUDE (${['period', ...(opts.omitColumns ?? [])].join(', ')}) FROM cur WHERE period = '${period.replace(/'/g, "''")}')
         TO ${sqlPath(join(dir, 'part-0.parquet'))} (FORMAT parquet)`,
      );
    }
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

/**
 * Generates `lineCount` synthetic CUR lines for one period with range(): about 3 % credits spread over 500
 * accounts and 40 credit programs, the rest usage. Fast enough for millions of lines (bench).
 */
export async function generateCurParquet(
  root: string,
  layout: FixtureLayout,
  period: string,
  lineCount: number,
): Promise<void> {
  const dir = partitionDir(root, layout, period);
  await mkdir(dir, { recursive: true });
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  try {
    await conn.run(
      `COPY (
         SELECT '111122223333' AS bill_payer_account_id,
                lpad(CAST(100000000000 + i % 500 AS VARCHAR), 12, '0') AS line_item_usage_account_id,
                CASE i % 3 WHEN 0 THEN 'AmazonEC2' WHEN 1 THEN 'AmazonS3' ELSE 'AWSLambda' END AS line_item_product_code,
                CASE WHEN i % 33 = 0 THEN 'AWS Activate credit program ' || CAST(i % 40 AS VARCHAR)
                     ELSE 'Usage of resources' END AS line_item_line_item_description,
                'USD' AS line_item_currency_code,
                CAST(CASE WHEN i % 33 = 0 THEN -((i % 997) + 1) / 100 ELSE ((i % 991) + 1) / 1000 END AS DOUBLE)
                  AS line_item_unblended_cost,
                CASE WHEN i % 33 = 0 THEN 'Credit' ELSE 'Usage' END AS line_item_line_item_type,
                'INV-BENCH-0001' AS bill_invoice_id
         FROM range(${Math.max(0, Math.floor(lineCount))}) t(i)
       ) TO ${sqlPath(join(dir, 'part-0.parquet'))} (FORMAT parquet)`,
    );
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}
