/**
 * The smallest month the usage process can bill: three USD credits of one AWS account in 2026-10, a month AWS has
 * finalised, and an Accounts file that gives that account a customer and a reseller. For job tests that need a
 * real workbook to collect from, not a realistic month (bench/big-month.ts is that).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CreditSource, RawCreditRow } from '../../sync-service/sources/source';

/** CUR credit row i of 2026-10 (Credit i, USD i0.00, one account), as a source's query returns it. */
export function curRow(i: number, partial: Partial<RawCreditRow> = {}): RawCreditRow {
  return {
    billing_period: '2026-10',
    payer_account_id: '111111111111',
    usage_account_id: '222222222222',
    product_code: 'AmazonEC2',
    description: `Credit ${i}`,
    currency_code: 'USD',
    amount: `-${i}0.00`,
    line_count: 1,
    bad_cost_lines: 0,
    invoiced_lines: 1, // AWS has finalised the month (core/aws-bill.ts)
    ...partial,
  };
}

/** A source that gives these rows for 2026-10. */
export function sourceOfRows(rows: RawCreditRow[]): CreditSource {
  return {
    listPeriods: async () => ['2026-10'],
    fetchCredits: async () => ({ rows, label: 'test' }),
    close: async () => {},
  };
}

export const smallMonthSource = sourceOfRows([1, 2, 3].map((i) => curRow(i)));

/** accounts.csv in `dir` with the month's account (customer CUST-1, reseller RES-1); its path. */
export function writeSmallMonthAccounts(dir: string): string {
  const path = join(dir, 'accounts.csv');
  writeFileSync(
    path,
    'AWS Account,Account Name,Customer ID,Customer Name,Asset ID,Reseller ID,Reseller Name\n222222222222,Prod,CUST-1,Acme,AS-1,RES-1,Partner\n',
  );
  return path;
}
