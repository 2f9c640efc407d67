/**
 * A source returns the credit lines of the CUR for one billing period, aggregated by credit key, exactly as
 * the credits query (credits-query.ts) returns them. DuckDB runs it over local files; Athena runs it in AWS.
 */

/** One row of the credits query, as text, before validation: the shape core/cur.ts validates. */
import type { RawCurRow as RawCreditRow } from '../../core/cur';
export type { RawCreditRow };

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
