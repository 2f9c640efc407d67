/**
 * A source returns the credit lines of the CUR for one billing period, aggregated by credit key, exactly as
 * the credits query (credits.sql) returns them. DuckDB runs it over local files; Athena runs it in AWS.
 */

/** One row of the credits query, as text, before validation (core/cur.ts validates it). */
export interface RawCreditRow {
  billing_period: string | null;
  payer_account_id: string | null;
  usage_account_id: string | null;
  product_code: string | null;
  description: string | null;
  currency_code: string | null;
  /** SUM of line_item_unblended_cost as an exact decimal string (negative for a credit). */
  amount: string | null;
  /** Number of CUR lines aggregated. */
  line_count: string | number | null;
  /** CUR lines in the group whose cost was not a number (null or text). */
  bad_cost_lines: string | number | null;
}

export interface SourceTotals {
  period: string;
  currency: string;
  /** Exact decimal string. */
  amount: string;
}

export interface SourceResult {
  rows: RawCreditRow[];
  /** A human label of where the data came from: "demo-data/cur (CUR 2.0)" or "athena cur.cur_table". */
  label: string;
}

export interface CreditSource {
  /** Billing periods present in the data, newest first (YYYY-MM). */
  listPeriods(): Promise<string[]>;
  /** The credit rows of one period. */
  fetchCredits(period: string, progress?: (msg: string) => void): Promise<SourceResult>;
  close(): Promise<void>;
}
