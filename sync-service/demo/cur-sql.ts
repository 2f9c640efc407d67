/**
 * The SQL that makes one month of synthetic CUR 2.0 lines inside DuckDB. Rows are drawn from a seeded
 * hash of the line number (hash(i, seed, month number, k)), so generation runs at DuckDB's speed, streams
 * straight into COPY … TO parquet without holding rows in JS, and the same seed gives the same rows.
 * Pure string building: generate.ts runs it. Every value placed in the text is validated or quoted here.
 */
import { assertPeriod } from '../sources/credits-query';
import { LINE_TYPE_SHARES, REGIONS, USAGE_LINE, type LineTypeShare } from './catalog';

/** Names of the small tables generate.ts loads before running monthSql. */
export const DIM = { accounts: 'demo_accounts', grants: 'demo_grants', products: 'demo_products' } as const;

export interface MonthSqlInput {
  period: string;
  lines: number;
  seed: number;
  accountCount: number;
  grantCount: number;
  productCount: number;
}

export function sqlString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

function assertCount(name: string, n: number, min: number): void {
  if (!Number.isSafeInteger(n) || n < min)
    throw new Error(`${name} must be a whole number of at least ${min} (got ${n})`);
}

/** '2026-09' → the first instant of the next month, as 'YYYY-MM-01'. */
export function nextMonthStart(period: string): string {
  const [y, m] = period.split('-').map(Number);
  return m === 12 ? `${y + 1}-01-01` : `${y}-${String(m + 1).padStart(2, '0')}-01`;
}

function daysIn(period: string): number {
  const [y, m] = period.split('-').map(Number);
  return new Date(Date.UTC(y, m, 0)).getUTCDate();
}

/** CASE over h % 10000 that picks each line's type by its share. */
function lineTypeCase(shares: readonly LineTypeShare[]): string {
  let upTo = 0;
  const whens = shares.map((s) => {
    upTo += s.per10k;
    return `WHEN r_type < ${upTo} THEN ${sqlString(s.type)}`;
  });
  if (upTo >= 10000) throw new Error('line type shares leave no room for Usage lines');
  return `CASE ${whens.join(' ')} ELSE ${sqlString(USAGE_LINE.type)} END`;
}

/** Cost in (0, maxCost] with the type's decimals, signed; DOUBLE as in the CUR, exact to 10 decimals. */
function costCase(shares: readonly LineTypeShare[]): string {
  const one = (s: LineTypeShare): string => {
    const scale = 10 ** s.decimals;
    const range = Math.round(s.maxCost * scale);
    return `${s.sign < 0 ? '-' : ''}(CAST(h_cost % ${range} + 1 AS DOUBLE) / ${scale}.0)`;
  };
  return `CASE ${shares.map((s) => `WHEN line_type = ${sqlString(s.type)} THEN ${one(s)}`).join(' ')} ELSE ${one(USAGE_LINE)} END`;
}

function descriptionCase(shares: readonly LineTypeShare[]): string {
  const whens = shares
    .filter((s) => s.description)
    .map(
      (s) =>
        `WHEN line_type = ${sqlString(s.type)} THEN replace(${sqlString(s.description)}, '$product', p.product_code)`,
    );
  return `CASE WHEN line_type = 'Credit' THEN g.description ${whens.join(' ')} ELSE p.usage_description END`;
}

export function monthSql(input: MonthSqlInput): string {
  assertPeriod(input.period);
  assertCount('lines', input.lines, 1);
  assertCount('seed', input.seed, 0);
  assertCount('accountCount', input.accountCount, 1);
  assertCount('grantCount', input.grantCount, 1);
  assertCount('productCount', input.productCount, 1);
  const { period, seed } = input;
  const start = `TIMESTAMP '${period}-01 00:00:00'`;
  const end = `TIMESTAMP '${nextMonthStart(period)} 00:00:00'`;
  // Integers only: hashing a text key on every line costs a third of the generation time.
  const [year, month] = period.split('-').map(Number);
  const key = `${seed}, ${year * 12 + month}`;
  const regions = `[${REGIONS.map(sqlString).join(', ')}]`;
  return `
WITH drawn AS (
  SELECT i,
    hash(i, ${key}, 0) AS h_id,
    hash(i, ${key}, 1) % 10000 AS r_type,
    hash(i, ${key}, 2) AS h_party,
    hash(i, ${key}, 3) AS h_product,
    hash(i, ${key}, 4) AS h_cost,
    hash(i, ${key}, 5) AS h_when
  FROM range(${input.lines}) t(i)
), typed AS (
  SELECT *, ${lineTypeCase(LINE_TYPE_SHARES)} AS line_type FROM drawn
), priced AS (
  SELECT *, ${costCase(LINE_TYPE_SHARES)} AS cost FROM typed
)
SELECT
  lower(hex(h_id)) AS identity_line_item_id,
  ${start} AS bill_billing_period_start_date,
  ${end} AS bill_billing_period_end_date,
  CASE WHEN line_type = 'Credit' THEN g.payer_id ELSE a.payer_id END AS bill_payer_account_id,
  'INV' || ${sqlString(period.replace('-', ''))} || '-' || right(CASE WHEN line_type = 'Credit' THEN g.payer_id ELSE a.payer_id END, 5) AS bill_invoice_id,
  CASE WHEN line_type = 'Usage' AND h_when % 97 = 0 THEN 'AWS Marketplace' ELSE 'AWS' END AS bill_billing_entity,
  CASE WHEN line_type = 'Credit' THEN g.account_id ELSE a.account_id END AS line_item_usage_account_id,
  line_type AS line_item_line_item_type,
  CASE WHEN line_type = 'Credit' THEN g.product_code ELSE p.product_code END AS line_item_product_code,
  ${descriptionCase(LINE_TYPE_SHARES)} AS line_item_line_item_description,
  ${start} + to_days(CAST(h_when % ${daysIn(period)} AS INTEGER)) + to_hours(CAST(h_when % 24 AS INTEGER)) AS line_item_usage_start_date,
  ${start} + to_days(CAST(h_when % ${daysIn(period)} AS INTEGER)) + to_hours(CAST(h_when % 24 AS INTEGER) + 1) AS line_item_usage_end_date,
  'USD' AS line_item_currency_code,
  cost AS line_item_unblended_cost,
  cost AS line_item_blended_cost,
  CAST(h_product % 100000 AS DOUBLE) / 1000.0 AS line_item_usage_amount,
  CASE WHEN line_type = 'Credit' THEN g.product_code ELSE p.servicecode END AS product_servicecode,
  ${regions}[1 + CAST(h_when % ${REGIONS.length} AS INTEGER)] AS product_region
FROM priced
JOIN ${DIM.accounts} a ON a.idx = h_party % ${input.accountCount}
JOIN ${DIM.grants} g ON g.idx = h_party % ${input.grantCount}
JOIN ${DIM.products} p ON p.idx = h_product % ${input.productCount}`;
}
