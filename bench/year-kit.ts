/**
 * What the two-sink year bench (bench/year-both.ts) and its one-job runner (bench/year-run.ts) share: the jobs,
 * the sinks, the months' periods and the Google identity. Its own module because the runner starts its job
 * when loaded, so the bench may import only types from it.
 */

/** The measured jobs, in the order a month runs them. */
export const YEAR_JOBS = [
  'sync',
  'resync',
  'validate',
  'apply-rules',
  'assign',
  'export',
  'collect',
  'close',
] as const;
export type YearJob = (typeof YEAR_JOBS)[number];
export type YearSink = 'workbook' | 'google';

/** The service account the bench's Google sink writes as (the local server's caller). */
export const BENCH_IDENTITY = 'credit-sync@bench.iam.gserviceaccount.com';

/** The billing period of month m (0-based) of the bench's year, 2026-01 first. */
export function yearPeriod(m: number): string {
  const d = new Date(Date.UTC(2026, m, 1));
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}
