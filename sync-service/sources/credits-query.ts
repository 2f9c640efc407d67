/**
 * The one credits query, for DuckDB and Athena alike. It is written in the SQL subset both engines accept
 * (see shared/reference/sheets-athena-duckdb.md §3.4): no date_format, no maps, explicit DECIMAL casts, and
 * `?` placeholders only in WHERE. The billing period is always a bound parameter; the table name is an
 * identifier that cannot be bound, so it is validated by `quoteTable` before it is placed in the text.
 */

export type CurLayout = 'cur2' | 'legacy';

/** CUR 2.0 partitions by billing_period='YYYY-MM'; legacy CUR by year='YYYY' and month='M' (or 'MM'). */
export function periodFilter(layout: CurLayout): string {
  return layout === 'cur2' ? 'billing_period = ?' : 'year = ? AND month IN (?, ?)';
}

/** The bound values for periodFilter, as plain strings (callers quote them if the engine needs literals). */
export function periodParams(layout: CurLayout, period: string): string[] {
  assertPeriod(period);
  if (layout === 'cur2') return [period];
  const [year, month] = period.split('-');
  return [year, String(Number(month)), month];
}

/**
 * Readable lines are summed exactly per group (a reversal is a positive cost in the same group, so it nets).
 * The groups are the CUR's raw text, so one credit can come back as several rows (descriptions that differ only
 * in whitespace or Unicode form): core/cur.ts sums those exactly too and rounds each credit once. Lines whose
 * cost is not a number cannot be summed: they come back as rows of their own, with `line_id` set to the CUR's
 * identity_line_item_id (when the table has it: `lineIds`) so they can be named, never silently dropped.
 * Account IDs come back as text whatever the column's type; a numeric column's lost leading zeros are put back
 * by the reader (core/ids.ts accountText), as SQL's LPAD would cut an over-long value instead of flagging it.
 */
export function creditsQuery(table: string, layout: CurLayout, opts: { lineIds?: boolean } = {}): string {
  const cost = 'TRY_CAST(line_item_unblended_cost AS DECIMAL(38, 10))';
  const lineId = opts.lineIds ? "COALESCE(CAST(identity_line_item_id AS VARCHAR), '')" : "''";
  return `SELECT
  CAST(bill_payer_account_id AS VARCHAR) AS payer_account_id,
  CAST(line_item_usage_account_id AS VARCHAR) AS usage_account_id,
  line_item_product_code AS product_code,
  line_item_line_item_description AS description,
  line_item_currency_code AS currency_code,
  CASE WHEN ${cost} IS NULL THEN ${lineId} END AS line_id,
  CAST(SUM(${cost}) AS VARCHAR) AS amount,
  COUNT(*) AS line_count,
  SUM(CASE WHEN ${cost} IS NULL THEN 1 ELSE 0 END) AS bad_cost_lines,
  MAX(CASE WHEN ${cost} IS NULL THEN CAST(line_item_unblended_cost AS VARCHAR) END) AS bad_cost
FROM ${table}
WHERE ${periodFilter(layout)}
  AND line_item_line_item_type = 'Credit'
GROUP BY 1, 2, 3, 4, 5, 6
ORDER BY 1, 2, 3, 4, 5, 6`;
}

/** Lists the billing periods with any data, newest first. */
export function periodsQuery(table: string, layout: CurLayout): string {
  return layout === 'cur2'
    ? `SELECT DISTINCT billing_period AS period FROM ${table} ORDER BY 1 DESC`
    : `SELECT DISTINCT year AS year, month AS month FROM ${table}`;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;

/** "db.table" or "table" → a quoted identifier; anything else is refused (identifiers can't be bound). */
export function quoteTable(name: string): string {
  const parts = name.split('.');
  if (parts.length > 3 || parts.some((p) => !IDENTIFIER.test(p))) {
    throw new Error(
      `"${name}" is not a valid table name: use letters, digits and underscores, as database.table.`,
    );
  }
  return parts.map((p) => `"${p}"`).join('.');
}

export function assertPeriod(period: string): void {
  if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(period)) {
    throw new Error(`"${period}" is not a billing period: write it as YYYY-MM, for example 2026-10.`);
  }
}
