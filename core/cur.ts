/**
 * Validates the credits query's rows before anything is merged: a row with no account, a cost that is not a
 * number, or a "credit" that is positive is reported with enough detail to find it in the CUR.
 */
import type { CurCredit } from './credit';
import { isCurrencyCode, parseDecimal } from './money';

/** One row of the credits query (sync-service/sources/credits-query.ts), as the engine returns it. */
export interface RawCurRow {
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

export interface RejectedRow {
  index: number;
  reason: string;
  row: RawCurRow;
}

const ACCOUNT = /^\d{12}$/;

function describe(r: RawCurRow): string {
  const d = r.description ?? '';
  return `payer ${r.payer_account_id ?? 'NULL'}, account ${r.usage_account_id ?? 'NULL'}, service ${r.product_code ?? 'NULL'}, "${d.length > 60 ? d.slice(0, 57) + '...' : d}"`;
}

export function validateCurRows(
  rows: RawCurRow[],
  period: string,
): { credits: CurCredit[]; rejected: RejectedRow[] } {
  const credits: CurCredit[] = [];
  const rejected: RejectedRow[] = [];
  rows.forEach((r, index) => {
    const reject = (reason: string) => rejected.push({ index, reason: `${reason} (${describe(r)})`, row: r });
    const account = (r.usage_account_id ?? '').trim();
    const payer = (r.payer_account_id ?? '').trim();
    const currency = (r.currency_code ?? '').trim().toUpperCase();
    if (!ACCOUNT.test(account))
      return reject(
        `usage account is ${r.usage_account_id === null ? 'NULL' : `"${account}"`}, not a 12-digit AWS account`,
      );
    if (!ACCOUNT.test(payer))
      return reject(
        `payer account is ${r.payer_account_id === null ? 'NULL' : `"${payer}"`}, not a 12-digit AWS account`,
      );
    if (!isCurrencyCode(currency))
      return reject(`currency "${r.currency_code ?? 'NULL'}" is not an ISO 4217 code`);
    if (Number(r.bad_cost_lines ?? 0) > 0)
      return reject(`${r.bad_cost_lines} CUR line(s) have a cost that is not a number`);
    if (r.amount === null) return reject('the cost is NULL');
    let cost: number;
    try {
      cost = parseDecimal(r.amount, currency, { round: true });
    } catch {
      return reject(`the cost "${r.amount}" is not a number`);
    }
    if (cost > 0)
      return reject(
        `the credit lines add up to a positive cost (${r.amount}); credits are negative in the CUR`,
      );
    if (cost === 0) return; // fully reversed within the period: nothing to pass on
    credits.push({
      period,
      payerAccountId: payer,
      accountId: account,
      service: (r.product_code ?? '').trim(),
      description: r.description ?? '',
      currency,
      amount: -cost,
    });
  });
  return { credits, rejected };
}
