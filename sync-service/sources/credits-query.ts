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

/** The bound values of creditsQuery, in the order of its `?`: the invoice count's period filter comes first. */
export function creditsParams(layout: CurLayout, period: string, opts: CreditsQueryOptions = {}): string[] {
  const one = periodParams(layout, period);
  return opts.invoiceIds ? [...one, ...one] : one;
}

export interface CreditsQueryOptions {
  /** The table has identity_line_item_id: unreadable lines are named by it. */
  lineIds?: boolean;
  /**
   * The table has bill_invoice_id (CUR 2.0, and legacy bill/InvoiceId by its Athena name): `invoiced_lines`
   * counts the lines of the WHOLE period (any line type) that carry an invoice ID. AWS leaves it blank "until
   * the report is final" (https://docs.aws.amazon.com/cur/latest/userguide/table-dictionary-cur2-bill.html), so
   * any such line says AWS has finalised the month (core/aws-bill.ts). Without the column it is NULL: unknown.
   */
  invoiceIds?: boolean;
}

/** A line that carries an invoice ID; counted over the whole period (any line type), not only its credits. */
const INVOICED = "CASE WHEN TRIM(COALESCE(CAST(bill_invoice_id AS VARCHAR), '')) <> '' THEN 1 ELSE 0 END";

/**
 * Readable lines are summed exactly per group (a reversal is a positive cost in the same group, so it nets).
 * The groups are the CUR's raw text, so one credit can come back as several rows (descriptions that differ only
 * in whitespace or Unicode form): core/cur.ts sums those exactly too and rounds each credit once. Lines whose
 * cost is not a number cannot be summed: they come back as rows of their own, with `line_id` set to the CUR's
 * identity_line_item_id (when the table has it: `lineIds`) so they can be named, never silently dropped.
 * Account IDs come back as text whatever the column's type; a numeric column's lost leading zeros are put back
 * by the reader (core/ids.ts accountText), as SQL's LPAD would cut an over-long value instead of flagging it.
 * `positive_lines` counts the lines with a positive cost (a reversal or an adjustment), so that a credit whose
 * lines net to nothing is explained truthfully: by a reversal only when there is one.
 * `invoiced_lines` (CreditsQueryOptions.invoiceIds) is the same on every row: the period's count.
 */
export function creditsQuery(table: string, layout: CurLayout, opts: CreditsQueryOptions = {}): string {
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
  SUM(CASE WHEN ${cost} > 0 THEN 1 ELSE 0 END) AS positive_lines,
  MAX(CASE WHEN ${cost} IS NULL THEN CAST(line_item_unblended_cost AS VARCHAR) END) AS bad_cost,
  ${opts.invoiceIds ? 'MAX(period_bill.invoiced_lines)' : 'CAST(NULL AS BIGINT)'} AS invoiced_lines
FROM ${table}${
    // A one-row derived table, not a CTE or a window: Athena broadcasts it, and a window over the whole month
    // would put every line on one node. Its period filter takes the same bound values (creditsParams).
    opts.invoiceIds
      ? `\nCROSS JOIN (SELECT SUM(${INVOICED}) AS invoiced_lines FROM ${table} WHERE ${periodFilter(layout)}) period_bill`
      : ''
  }
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
