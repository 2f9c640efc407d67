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
 * Money is netted before it is rounded: the query rows of one credit (rows whose descriptions differ only in
 * whitespace or Unicode form are one credit) are summed exactly, at the engine's full scale, and the credit is
 * rounded to minor units once, half to even (parseDecimal's rule). Rounding each row first would make two rows
 * of -0.015 USD a credit of 0.04 instead of 0.03.
 *
 * Per period and currency: CUR total = imported + flagged + left out + rounding, exactly, in minor units (see
 * Reconciliation).
 */
import type { AuditEntry } from './audit';
import type { CurCredit } from './credit';
import { NO_CURRENCY, isKnownCurrency } from './currencies';
import { accountText, creditKey } from './ids';
import {
  EXACT_ZERO,
  addExact,
  addMinor,
  assertMinor,
  formatMinor,
  minorDigits,
  parseExact,
  roundExact,
  type ExactDecimal,
  type Minor,
} from './money';
import type { Flag, HoldFlag } from './flags';
import { importedFrom, importText } from './text';

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
   * CUR lines in the group with a positive cost (a reversal or an adjustment). Absent or NULL when the source
   * does not say: then no reversal is claimed.
   */
  positive_lines?: string | number | null;
  /**
   * Set (possibly to '') only on a row that stands for unreadable lines: the CUR's identity_line_item_id of the
   * line, or '' when the table has no such column. NULL/absent on a row of readable lines.
   */
  line_id?: string | null;
  /** The unreadable cost as text, for the message. */
  bad_cost?: string | null;
  /**
   * Lines of the whole period (not only this row's) that carry an invoice ID, the same on every row of a period;
   * NULL/absent when the CUR has no invoice column. Read by core/aws-bill.ts: whether AWS finalised the month.
   */
  invoiced_lines?: string | number | null;
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
  /** Set with belowMinorUnit: the exact value, for the Audit tab. */
  belowMinorDetail?: string;
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

/**
 * CUR total = imported + flagged + left out + rounding. `cur` is what the CUR says, the exact sum of the lines
 * rounded once; the other three add up amounts that were each rounded on their own (a credit, a left-out row),
 * so they can differ from it by a few minor units. That difference is `rounding`, shown rather than hidden in
 * one of the other terms, so the line balances exactly and every term is true.
 */
export interface Reconciliation {
  period: string;
  currency: string;
  /** Every readable credit line of the period and currency, as a positive credit value, summed exactly. */
  cur: Minor;
  imported: Minor;
  flagged: Minor;
  leftOut: Minor;
  /** cur − (imported + flagged + leftOut): what rounding each credit and left-out row on its own made. */
  rounding: Minor;
  importedCredits: number;
  flaggedCredits: number;
  /** Imported credits worth less than one minor unit (Amount 0, flagged BELOW_MINOR_UNIT): among importedCredits. */
  belowMinorCredits: number;
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

/** The exact decimal as text ("0.0007180008"), without rounding. */
function exactText(d: ExactDecimal): string {
  const neg = d.units < 0n;
  const digits = (neg ? -d.units : d.units).toString().padStart(d.scale + 1, '0');
  const text = d.scale ? `${digits.slice(0, -d.scale)}.${digits.slice(-d.scale)}` : digits;
  return `${neg ? '-' : ''}${text.includes('.') ? text.replace(/0+$/, '').replace(/\.$/, '') : text}`;
}

/**
 * Why a credit is not a positive credit, saying only what the lines show: a reversal or adjustment only when some
 * line is a positive cost; lines of zero when that is all there is; otherwise (the source did not count the
 * positive lines) just what the lines net to.
 */
function notPositiveDetail(
  value: ExactDecimal,
  currency: string,
  lines: number,
  positive: number | null,
): string {
  const charge: ExactDecimal = { units: -value.units, scale: value.scale };
  const rounded = roundExact(charge, currency);
  // Whole minor units read as money ("5.00"); anything finer is shown exactly, not rounded.
  const exact = addExact(charge, { units: -BigInt(rounded), scale: minorDigits(currency) }).units === 0n;
  const net =
    value.units === 0n
      ? `net to exactly 0 ${currency}`
      : `net to a charge of ${exact ? formatMinor(rounded, currency) : exactText(charge)} ${currency}`;
  const many = lines === 1 ? 'line' : `${lines} lines`;
  const head = `the CUR ${lines === 1 ? 'line' : 'lines'} ${lines === 1 ? net.replace('net to', 'comes to') : net}`;
  if (positive === null) return head;
  if (positive > 0)
    return `${head}: ${positive} of the ${many} ${positive === 1 ? 'is a' : 'are'} positive cost${positive === 1 ? '' : 's'}, a reversal or adjustment at least as large as the credit`;
  return `${head}: ${lines === 1 ? 'the line is' : 'every line is'} zero`;
}

/** Reads the query rows of one or more periods; `period` is used for rows that do not carry their own. */
export function readCurRows(rows: RawCurRow[], period: string): CurReading {
  // Each credit with the exact sum of its rows, and each reconciliation line's exact total: rounded once, after
  // every row is read.
  // `lines` and `positive` count the readable lines of the credit and those with a positive cost (null: unknown).
  const byKey = new Map<
    string,
    { credit: ReadCredit; exact: ExactDecimal; lines: number; positive: number | null }
  >();
  const curExact = new Map<Reconciliation, ExactDecimal>();
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
        rounding: 0,
        importedCredits: 0,
        flaggedCredits: 0,
        belowMinorCredits: 0,
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

    let cost: ExactDecimal;
    try {
      cost = parseExact(r.amount);
      // A row of a trillion or more may be too large for exact minor units: refused here, as it always was, so
      // that it is left out rather than stopping the month. (Below that, every currency fits: 10^15 < 2^53.)
      if (Math.abs(Number(r.amount)) >= 1e12) roundExact(cost, currency);
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
    const value: ExactDecimal = { units: -cost.units, scale: cost.scale }; // a credit is a negative cost
    const total = reconOf(p, currency);
    const totalSoFar = curExact.get(total);
    curExact.set(total, totalSoFar ? addExact(totalSoFar, value) : value);

    // A CUR whose account columns are typed as numbers has dropped their leading zeros.
    const usage = accountText(r.usage_account_id);
    const payer = accountText(r.payer_account_id);
    const usageOk = ACCOUNT.test(usage);
    const payerOk = ACCOUNT.test(payer);
    if (!usageOk && !payerOk) {
      // Listed row by row, so each row is rounded on its own; any difference this makes is in `rounding`.
      const amount = roundExact(value, currency);
      total.leftOut = addMinor(total.leftOut, amount);
      total.leftOutLines += count(r.line_count) - bad;
      leftOut.push({
        period: p,
        lineId: '',
        lines: count(r.line_count) - bad,
        amount,
        currency,
        reason: `neither a usage account nor a payer account (usage ${JSON.stringify(r.usage_account_id)}, payer ${JSON.stringify(r.payer_account_id)}): the credit cannot be attributed`,
        where,
      });
      continue;
    }
    const review: Review[] = [];
    if (!usageOk)
      review.push({
        flag: 'REVIEW_NO_USAGE_ACCOUNT',
        detail: `usage account ${r.usage_account_id === null ? 'NULL' : JSON.stringify(usage)}; the payer ${payer} is shown instead`,
      });
    if (!payerOk)
      review.push({
        flag: 'REVIEW_NO_PAYER_ACCOUNT',
        detail: `payer account ${r.payer_account_id === null ? 'NULL' : JSON.stringify(payer)}`,
      });
    if (!known)
      review.push({
        flag: 'REVIEW_CURRENCY',
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
    const lines = count(r.line_count) - bad;
    const positive =
      r.positive_lines === null || r.positive_lines === undefined ? null : count(r.positive_lines);
    const prior = byKey.get(key);
    if (prior) {
      prior.exact = addExact(prior.exact, value);
      prior.lines += lines;
      prior.positive = prior.positive === null || positive === null ? null : prior.positive + positive;
      const held = prior.credit.review;
      for (const rv of review) if (!held.some((x) => x.flag === rv.flag)) held.push(rv);
      continue;
    }
    const credit: ReadCredit = {
      key,
      period: p,
      payerAccountId: payer,
      accountId: usageOk ? usage : payer,
      service,
      description: importText(rawDescription),
      currency,
      amount: 0, // rounded from the exact sum once every row is in
      review,
    };
    byKey.set(key, { credit, exact: value, lines, positive });
  }

  const credits: ReadCredit[] = [];
  for (const { credit: c, exact, lines, positive } of byKey.values()) {
    c.amount = roundExact(exact, c.currency);
    credits.push(c);
    if (c.amount === 0 && exact.units > 0n) {
      // A true credit, too small to show in minor units: not held (nothing is wrong with it), never billed.
      c.belowMinorUnit = true;
      c.belowMinorDetail = `the ${lines === 1 ? 'CUR line is a credit' : `${lines} CUR lines net to a credit`} of ${exactText(exact)} ${c.currency}, less than ${formatMinor(1, c.currency)}: Amount shows ${formatMinor(0, c.currency)}, the CUR total balances through rounding, and it is never billed`;
    } else if (c.amount <= 0) {
      c.review.push({
        flag: 'REVIEW_NOT_POSITIVE',
        detail: notPositiveDetail(exact, c.currency, lines, positive),
      });
    }
    const total = reconOf(c.period, c.currency);
    if (c.review.length) {
      total.flagged = addMinor(total.flagged, c.amount);
      total.flaggedCredits++;
    } else {
      total.imported = addMinor(total.imported, c.amount);
      total.importedCredits++;
      if (c.belowMinorUnit) total.belowMinorCredits++;
    }
  }
  for (const total of recon.values()) {
    total.cur = roundExact(curExact.get(total) ?? EXACT_ZERO, total.currency);
    total.rounding = assertMinor(total.cur - total.imported - total.flagged - total.leftOut, 'rounding');
  }
  return {
    credits,
    leftOut,
    reconciliation: [...recon.values()].sort(
      (a, b) => a.period.localeCompare(b.period) || a.currency.localeCompare(b.currency),
    ),
  };
}

/**
 * One summary line: "2026-10 USD: CUR 1,234.56 = imported 1,200.00 + held 30.00 + left out 4.56 …", with
 * "+ rounding 0.01" before the counts when rounding each credit on its own made a difference (see Reconciliation).
 */
export function formatReconciliation(r: Reconciliation, show: (m: Minor, c: string) => string): string {
  const extra = [
    `${r.importedCredits} imported`,
    r.belowMinorCredits
      ? `${r.belowMinorCredits} of them worth less than ${show(1, r.currency)} and shown as ${show(0, r.currency)}`
      : '',
    // "held", the word of the sync summary's held row and the user guide: "flagged" there is the Flags column's
    // other words (UNKNOWN_ACCOUNT), a credit that is imported and not held.
    `${r.flaggedCredits} held`,
    r.leftOutLines ? `${r.leftOutLines} line${r.leftOutLines === 1 ? '' : 's'} left out` : '',
    r.unreadableLines
      ? `${r.unreadableLines} line${r.unreadableLines === 1 ? '' : 's'} with an unreadable cost left out, value unknown`
      : '',
  ].filter(Boolean);
  return `${r.period} ${r.currency}  CUR ${show(r.cur, r.currency)} = imported ${show(r.imported, r.currency)} + held ${show(r.flagged, r.currency)} + left out ${show(r.leftOut, r.currency)}${r.rounding ? ` + rounding ${show(r.rounding, r.currency)}` : ''}  (${extra.join(', ')})`;
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
    const read = byKey.get(add.key);
    if (read?.belowMinorDetail)
      out.push({
        when: ctx.now,
        who: ctx.actor,
        action: 'sync-add',
        creditId: add.creditId,
        field: 'flags',
        before: '',
        after: `${'BELOW_MINOR_UNIT' satisfies Flag}: ${read.belowMinorDetail}`,
      });
    for (const r of read?.review ?? [])
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

/**
 * Whether the reader above could have given `key` to a credit it shows with these cells. The key is made of what
 * the CUR said (the raw usage account, currency and description), and the row shows the payer for a missing usage
 * account and the text importText made of the description; both are told back. An unknown currency (shown
 * NO_CURRENCY) or a usage account that was not one cannot be: never. core/row-proof.ts proves with it that a row
 * still holds the cells the sync wrote. The cells as they are are tried first: that is every ordinary row, one hash.
 */
export function isKeyShownAs(key: string, cells: Parameters<typeof creditKey>[0]): boolean {
  if (cells.currency === NO_CURRENCY) return false;
  const accounts = cells.accountId === cells.payerAccountId ? [cells.accountId, ''] : [cells.accountId];
  const told = importedFrom(cells.description);
  const descriptions = told === cells.description ? [told] : [cells.description, told];
  const { period, payerAccountId, service, currency } = cells;
  return accounts.some((accountId) =>
    descriptions.some(
      (description) =>
        creditKey({ period, payerAccountId, accountId, service, currency, description }) === key,
    ),
  );
}
