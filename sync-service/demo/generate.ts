/**
 * Writes a synthetic CUR (Parquet, CUR 2.0 or legacy folder layout) plus matching accounts.csv and
 * rules.csv, so the whole sync can be tried and tested without AWS. DuckDB does the heavy lifting: rows are
 * drawn in SQL (cur-sql.ts) and streamed by COPY into Parquet, which keeps 5 million lines fast and small
 * in memory. The same seed gives the same rows.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { ACCOUNT_COLUMNS } from '../../core/sheet-contract';
import { assertPeriod } from '../sources/credits-query';
import { PRODUCTS } from './catalog';
import { DIM, monthSql, sqlString } from './cur-sql';
import { demoParties, type DemoParties } from './parties';
import { RULE_FIELDS, RULE_HEADERS, sampleRules } from './sample-rules';

export type DemoLayout = 'cur2' | 'legacy';

export interface DemoOptions {
  outDir: string;
  months?: number;
  linesPerMonth?: number;
  seed?: number;
  layout?: DemoLayout;
  /** YYYY-MM of the newest month; default: the month before the current UTC month (the last closed one). */
  endPeriod?: string;
  onProgress?: (msg: string) => void;
}

export interface DemoResult {
  curDir: string;
  layout: DemoLayout;
  /** Oldest first. */
  periods: string[];
  linesPerMonth: number;
  parquetFiles: string[];
  accountsCsv: string;
  rulesCsv: string;
}

/** Marks a cur/ folder as ours, so a second run may replace it and a real CUR folder is never deleted. */
const MARKER = '.credit-desk-demo';

export function previousMonth(now: Date = new Date()): string {
  const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1));
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}

/** The `count` months ending with `end`, oldest first. */
export function monthsEnding(end: string, count: number): string[] {
  assertPeriod(end);
  const [y, m] = end.split('-').map(Number);
  return Array.from({ length: count }, (_, i) => {
    const d = new Date(Date.UTC(y, m - 1 - (count - 1 - i), 1));
    return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
  });
}

/**
 * The folder of one month's partition. Legacy CUR writes month=M unpadded; the oldest legacy month is
 * written padded (month=07) on purpose, because real buckets mix both and readers must accept either.
 */
export function partitionDir(layout: DemoLayout, period: string, padMonth: boolean): string {
  if (layout === 'cur2') return `billing_period=${period}`;
  const [year, month] = period.split('-');
  return path.join(`year=${year}`, `month=${padMonth ? month : String(Number(month))}`);
}

function positiveInt(name: string, value: number, max: number): number {
  if (!Number.isSafeInteger(value) || value < 1 || value > max) {
    throw new Error(
      `${name} must be a whole number from 1 to ${max.toLocaleString('en-US')} (got ${value}).`,
    );
  }
  return value;
}

function prepareCurDir(curDir: string): void {
  if (fs.existsSync(curDir)) {
    const entries = fs.readdirSync(curDir);
    if (entries.length > 0 && !entries.includes(MARKER)) {
      throw new Error(
        `${curDir} already holds files that the demo generator did not write; refusing to replace them. Choose another --out folder.`,
      );
    }
    fs.rmSync(curDir, { recursive: true, force: true });
  }
  fs.mkdirSync(curDir, { recursive: true });
  fs.writeFileSync(
    path.join(curDir, MARKER),
    'Synthetic CUR written by credit-desk demo-data; safe to delete.\n',
  );
}

async function loadDimensions(conn: DuckDBConnection, parties: DemoParties): Promise<void> {
  await conn.run(`CREATE TABLE ${DIM.accounts} (idx INTEGER, account_id VARCHAR, payer_id VARCHAR)`);
  await conn.run(
    `CREATE TABLE ${DIM.grants} (idx INTEGER, account_id VARCHAR, payer_id VARCHAR, description VARCHAR, product_code VARCHAR)`,
  );
  await conn.run(
    `CREATE TABLE ${DIM.products} (idx INTEGER, product_code VARCHAR, servicecode VARCHAR, usage_description VARCHAR)`,
  );
  const payerOf = new Map([...parties.payers, ...parties.linked].map((a) => [a.accountId, a.payerAccountId]));
  await appendRows(
    conn,
    DIM.accounts,
    [...parties.payers, ...parties.linked].map((a, i) => [i, a.accountId, a.payerAccountId]),
  );
  await appendRows(
    conn,
    DIM.grants,
    parties.grants.map((g, i) => [
      i,
      g.accountId,
      payerOf.get(g.accountId) ?? '',
      g.description,
      g.productCode,
    ]),
  );
  await appendRows(
    conn,
    DIM.products,
    PRODUCTS.map((p, i) => [i, p.productCode, p.serviceCode, p.usageDescription]),
  );
}

async function appendRows(conn: DuckDBConnection, table: string, rows: (string | number)[][]): Promise<void> {
  const appender = await conn.createAppender(table);
  for (const row of rows) {
    for (const v of row) {
      if (typeof v === 'number') appender.appendInteger(v);
      else appender.appendVarchar(v);
    }
    appender.endRow();
  }
  appender.closeSync();
}

/** Writes rows of text under the given headers as RFC 4180 CSV (DuckDB quotes commas, quotes and newlines). */
async function writeCsv(
  conn: DuckDBConnection,
  file: string,
  headers: readonly string[],
  rows: string[][],
): Promise<void> {
  const table = `csv_${path.basename(file).replace(/\W/g, '_')}`;
  await conn.run(
    `CREATE OR REPLACE TABLE ${table} (${headers.map((h) => `"${h.replace(/"/g, '""')}" VARCHAR`).join(', ')})`,
  );
  const appender = await conn.createAppender(table);
  for (const row of rows) {
    for (const v of row) appender.appendVarchar(v);
    appender.endRow();
  }
  appender.closeSync();
  await conn.run(`COPY ${table} TO ${sqlString(file)} (FORMAT CSV, HEADER true, DELIMITER ',')`);
}

function accountRows(parties: DemoParties): string[][] {
  return parties.linked
    .filter((a) => !a.unlisted)
    .map((a) => {
      const byField = {
        accountId: a.accountId,
        accountName: a.name,
        customerId: a.customer?.customerId ?? '',
        customerName: a.customer?.name ?? '',
        assetId: a.assetId,
        resellerId: a.customer?.reseller.resellerId ?? '',
        resellerName: a.customer?.reseller.name ?? '',
      };
      return ACCOUNT_COLUMNS.map((c) => byField[c.field]);
    });
}

export async function generateDemoData(opts: DemoOptions): Promise<DemoResult> {
  const months = positiveInt('months', opts.months ?? 3, 120);
  const linesPerMonth = positiveInt('lines per month', opts.linesPerMonth ?? 20_000, 100_000_000);
  const seed = opts.seed ?? 42;
  if (!Number.isSafeInteger(seed) || seed < 0)
    throw new Error(`seed must be a whole number of at least 0 (got ${seed}).`);
  const layout = opts.layout ?? 'cur2';
  const periods = monthsEnding(opts.endPeriod ?? previousMonth(), months);
  const progress = opts.onProgress ?? (() => undefined);

  const outDir = path.resolve(opts.outDir);
  const curDir = path.join(outDir, 'cur');
  prepareCurDir(curDir);
  const parties = demoParties(seed);

  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  try {
    await loadDimensions(conn, parties);
    const parquetFiles: string[] = [];
    for (const [i, period] of periods.entries()) {
      const dir = path.join(curDir, partitionDir(layout, period, i === 0));
      fs.mkdirSync(dir, { recursive: true });
      const file = path.join(dir, 'part-0.parquet');
      const sql = monthSql({
        period,
        lines: linesPerMonth,
        seed,
        accountCount: parties.payers.length + parties.linked.length,
        grantCount: parties.grants.length,
        productCount: PRODUCTS.length,
      });
      await conn.run(`COPY (${sql}) TO ${sqlString(file)} (FORMAT PARQUET)`);
      parquetFiles.push(file);
      progress(`month ${period}: ${linesPerMonth.toLocaleString('en-US')} lines`);
    }
    const accountsCsv = path.join(outDir, 'accounts.csv');
    await writeCsv(
      conn,
      accountsCsv,
      ACCOUNT_COLUMNS.map((c) => c.header),
      accountRows(parties),
    );
    const rulesCsv = path.join(outDir, 'rules.csv');
    const rules = sampleRules(parties, periods, `${periods[0]}-01`);
    await writeCsv(
      conn,
      rulesCsv,
      RULE_HEADERS,
      rules.map((r) => RULE_FIELDS.map((f) => r[f])),
    );
    progress(
      `accounts.csv: ${parties.linked.filter((a) => !a.unlisted).length} accounts; rules.csv: ${rules.length} rules`,
    );
    return { curDir, layout, periods, linesPerMonth, parquetFiles, accountsCsv, rulesCsv };
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}
