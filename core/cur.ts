/**
 * Reading the credits query's rows (sync-service/sources/credits-query.ts) into credits, without ever blocking
 * a month or losing money:
 *
 * - the rows of one credit key are netted (a reversal is a positive cost in the same key);
 * - awkward credits are imported and held for review (core/review.ts): a net that is not a positive credit,
 *   no usage account (the payer account AWS bills is used instead), no payer account, an unknown currency;
 * - only lines that cannot be read at all are left out: a cost that is not a number, or neither a usage nor a
 *   payer account to attach the credit to. They are listed with the CUR's own line identity.
 *
 * Per period and currency: CUR total = imported + flagged + left out, exactly, in minor units.
 */
import type { AuditEntry } from './audit';
import type { CurCredit } from './credit';
import { NO_CURRENCY, isKnownCurrency } from './currencies';
import { creditKey } from './ids';
import { addMinor, formatMinor, parseDecimal, type Minor } from './money';
import {
  FLAG_CURRENCY,
  FLAG_NOT_POSITIVE,
  FLAG_NO_PAYER_ACCOUNT,
  FLAG_NO_USAGE_ACCOUNT,
  type HoldFlag,
} from './review';
import { importText } from './text';

/** One row of the credits query, as the engine returns it. */
export interface RawCurRow {
  billing_period: string | null;
  payer_account_id: string | null;
  usage_account_id: string | null;
  product_code: string | null;
  description: string | null;
  currency_code: string | null;
  /** SUM of line_item_unblended_cost as an exact decimal string (negative for a credit); NULL if none read. */
  amount: string | null;
  /** Number of CUR lines aggregated. */
  line_count: string | number | null;
  /** CUR lines in the group whose cost was not a number (null or text). */
  bad_cost_lines: string | number | null;
  /**
   * Set (possibly to '') only on a row that stands for unreadable lines: the CUR's identity_line_item_id of the
   * line, or '' when the table has no such column. NULL/absent on a row of readable lines.
   */
  line_id?: string | null;
  /** The unreadable cost as text, for the message. */
  bad_cost?: string | null;
}

/** The reason a credit is held, and what exactly the CUR had. */
export interface Review {
  flag: HoldFlag;
  detail: string;
}

/** A credit read from the CUR, with the key it is filed under and why it is held (if it is). */
export interface ReadCredit extends CurCredit {
  key: string;
  review: Review[];
}

export interface LeftOutLine {
  period: string;
  /** identity_line_item_id, or '' when the CUR table has no such column. */
  lineId: string;
  /** How many CUR lines this entry stands for. */
  lines: number;
  /** The lines' value as a credit (positive), when the cost could be read; null when it could not. */
  amount: Minor | null;
  currency: string;
  reason: string;
  /** Where to find it: payer, account, service, description. */
  where: string;
}

export interface Reconciliation {
  period: string;
  currency: string;
  /** Every readable credit line of the period and currency, as a positive credit value. */
  cur: Minor;
  imported: Minor;
  flagged: Minor;
  leftOut: Minor;
  importedCredits: number;
  flaggedCredits: number;
  /** Lines left out whose cost could be read (their value is in leftOut). */
  leftOutLines: number;
  /** Lines left out whose cost could not be read: counted, no value. */
  unreadableLines: number;
}

export interface CurReading {
  credits: ReadCredit[];
  leftOut: LeftOutLine[];
  reconciliation: Reconciliation[];
}

const ACCOUNT = /^\d{12}$/;

function describe(r: RawCurRow): string {
  const d = r.description ?? '';
  return `payer ${r.payer_account_id ?? 'NULL'}, account ${r.usage_account_id ?? 'NULL'}, service ${r.product_code ?? 'NULL'}, "${d.length > 60 ? d.slice(0, 57) + '...' : d}"`;
}

function count(v: string | number | null | undefined): number {
  const n = Number(v ?? 0);
  return Number.isFinite(n) && n > 0 ? Math.floor(n) : 0;
}

/** Reads the query rows of one or more periods; `period` is used for rows that do not carry their own. */
export function readCurRows(rows: RawCurRow[], period: string): CurReading {
  const byKey = new Map<string, ReadCredit>();
  const leftOut: LeftOutLine[] = [];
  const recon = new Map<string, Reconciliation>();
  const reconOf = (p: string, currency: string): Reconciliation => {
    const k = `${p}|${currency}`;
    let r = recon.get(k);
    if (!r) {
      r = {
        period: p,
        currency,
        cur: 0,
        imported: 0,
        flagged: 0,
        leftOut: 0,
        importedCredits: 0,
        flaggedCredits: 0,
        leftOutLines: 0,
        unreadableLines: 0,
      };
      recon.set(k, r);
    }
    return r;
  };

  for (const r of rows) {
    const p = (r.billing_period ?? '').trim() || period;
    const rawCurrency = (r.currency_code ?? '').trim().toUpperCase();
    const known = isKnownCurrency(rawCurrency);
    const currency = known ? rawCurrency : NO_CURRENCY;
    const where = describe(r);
    const unreadableRow = r.line_id !== null && r.line_id !== undefined;
    const bad = unreadableRow ? Math.max(count(r.bad_cost_lines), 1) : count(r.bad_cost_lines);
    if (bad > 0) {
      reconOf(p, currency).unreadableLines += bad;
      leftOut.push({
        period: p,
        lineId: unreadableRow ? String(r.line_id) : '',
        lines: bad,
        amount: null,
        currency,
        reason: `the cost ${r.bad_cost === null || r.bad_cost === undefined ? 'is empty' : `"${r.bad_cost}"`} is not a number`,
        where,
      });
    }
    if (unreadableRow || r.amount === null || count(r.line_count) <= bad) continue;

    let cost: Minor;
    try {
      cost = parseDecimal(r.amount, currency, { round: true });
    } catch {
      // The engine summed decimals, so this cannot happen with the real query; count it rather than lose it.
      reconOf(p, currency).unreadableLines += count(r.line_count) - bad;
      leftOut.push({
        period: p,
        lineId: '',
        lines: count(r.line_count) - bad,
        amount: null,
        currency,
        reason: `the summed cost "${r.amount}" is not a number`,
        where,
      });
      continue;
    }
    const value = cost === 0 ? 0 : -cost; // a credit is a negative cost
    const total = reconOf(p, currency);
    total.cur = addMinor(total.cur, value);

    const usage = (r.usage_account_id ?? '').trim();
    const payer = (r.payer_account_id ?? '').trim();
    const usageOk = ACCOUNT.test(usage);
    const payerOk = ACCOUNT.test(payer);
    if (!usageOk && !payerOk) {
      total.leftOut = addMinor(total.leftOut, value);
      total.leftOutLines += count(r.line_count) - bad;
      leftOut.push({
        period: p,
        lineId: '',
        lines: count(r.line_count) - bad,
        amount: value,
        currency,
        reason: `neither a usage account nor a payer account (usage ${JSON.stringify(r.usage_account_id)}, payer ${JSON.stringify(r.payer_account_id)}): the credit cannot be attributed`,
        where,
      });
      continue;
    }
    const review: Review[] = [];
    if (!usageOk)
      review.push({
        flag: FLAG_NO_USAGE_ACCOUNT,
        detail: `usage account ${r.usage_account_id === null ? 'NULL' : JSON.stringify(usage)}; the payer ${payer} is shown instead`,
      });
    if (!payerOk)
      review.push({
        flag: FLAG_NO_PAYER_ACCOUNT,
        detail: `payer account ${r.payer_account_id === null ? 'NULL' : JSON.stringify(payer)}`,
      });
    if (!known)
      review.push({
        flag: FLAG_CURRENCY,
        detail: `currency ${r.currency_code === null ? 'NULL' : JSON.stringify(r.currency_code)} is not an ISO 4217 code; shown as ${NO_CURRENCY}`,
      });
    const rawDescription = r.description ?? '';
    const service = (r.product_code ?? '').trim();
    // The key is made of what the CUR said (raw account and currency text), so a held credit never merges with
    // the payer's own credit of the same description, and the same CUR line finds the same row next month.
    const key = creditKey({
      period: p,
      payerAccountId: payer,
      accountId: usage,
      service,
      currency: rawCurrency,
      description: rawDescription,
    });
    const prior = byKey.get(key);
    if (prior) {
      prior.amount = addMinor(prior.amount, value);
      for (const rv of review) if (!prior.review.some((x) => x.flag === rv.flag)) prior.review.push(rv);
      continue;
    }
    byKey.set(key, {
      key,
      period: p,
      payerAccountId: payer,
      accountId: usageOk ? usage : payer,
      service,
      description: importText(rawDescription),
      currency,
      amount: value,
      review,
    });
  }

  const credits = [...byKey.values()];
  for (const c of credits) {
    if (c.amount <= 0)
      c.review.push({
        flag: FLAG_NOT_POSITIVE,
        detail: `the CUR lines net to ${formatMinor(-c.amount, c.currency)} ${c.currency} (a credit is negative): a reversal or adjustment is larger than the credit`,
      });
    const total = reconOf(c.period, c.currency);
    if (c.review.length) {
      total.flagged = addMinor(total.flagged, c.amount);
      total.flaggedCredits++;
    } else {
      total.imported = addMinor(total.imported, c.amount);
      total.importedCredits++;
    }
  }
  return {
    credits,
    leftOut,
    reconciliation: [...recon.values()].sort(
      (a, b) => a.period.localeCompare(b.period) || a.currency.localeCompare(b.currency),
    ),
  };
}

/** One summary line: "2026-10 USD: CUR 1,234.56 = imported 1,200.00 + flagged 30.00 + left out 4.56 …". */
export function formatReconciliation(r: Reconciliation, show: (m: Minor, c: string) => string): string {
  const extra = [
    `${r.importedCredits} imported`,
    `${r.flaggedCredits} flagged`,
    r.leftOutLines ? `${r.leftOutLines} line${r.leftOutLines === 1 ? '' : 's'} left out` : '',
    r.unreadableLines
      ? `${r.unreadableLines} line${r.unreadableLines === 1 ? '' : 's'} with an unreadable cost left out, value unknown`
      : '',
  ].filter(Boolean);
  return `${r.period} ${r.currency}  CUR ${show(r.cur, r.currency)} = imported ${show(r.imported, r.currency)} + flagged ${show(r.flagged, r.currency)} + left out ${show(r.leftOut, r.currency)}  (${extra.join(', ')})`;
}

/** The Audit entry's Before for a left-out line: the period and the CUR's own line identity. */
function leftOutLabel(l: LeftOutLine): string {
  return `${l.period} ${l.lineId ? `identity_line_item_id ${l.lineId}` : `${l.lines} line${l.lines === 1 ? '' : 's'} (no identity_line_item_id)`}`;
}

export function leftOutText(l: LeftOutLine, show: (m: Minor, c: string) => string): string {
  return `${leftOutLabel(l)}: ${l.reason}${l.amount === null ? '' : `; value ${show(l.amount, l.currency)}`} (${l.where})`;
}

/**
 * Audit entries for what the CUR reading found: why each new held credit is held (one `sync-add` entry per
 * flag, field `review`), and each left-out line (action `left-out`) unless the Audit tab already lists it
 * (`recordedLeftOut` holds "before|after" of earlier entries), so a re-sync does not repeat them.
 */
export function intakeAudit(
  reading: CurReading,
  adds: readonly { key: string; creditId: string }[],
  recordedLeftOut: ReadonlySet<string>,
  ctx: { now: string; actor: string; show: (m: Minor, c: string) => string },
): AuditEntry[] {
  const out: AuditEntry[] = [];
  const byKey = new Map(reading.credits.map((c) => [c.key, c]));
  for (const add of adds) {
    for (const r of byKey.get(add.key)?.review ?? [])
      out.push({
        when: ctx.now,
        who: ctx.actor,
        action: 'sync-add',
        creditId: add.creditId,
        field: 'review',
        before: '',
        after: `${r.flag}: ${r.detail}`,
      });
  }
  for (const l of reading.leftOut) {
    const before = leftOutLabel(l);
    const after = leftOutText(l, ctx.show).slice(before.length + 2);
    if (recordedLeftOut.has(`${before}|${after}`)) continue;
    out.push({
      when: ctx.now,
      who: ctx.actor,
      action: 'left-out',
      creditId: '',
      field: 'CUR line',
      before,
      after,
    });
  }
  return out;
}
