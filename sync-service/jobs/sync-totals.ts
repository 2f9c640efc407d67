/**
 * The part of the sync summary that checks each period it read: the whole period in the sheet (every row,
 * whatever its status or flags) against the whole period in the CUR — the comparison of the Summary tab's Check
 * column (core/summary.ts curDifference) — with what to look at when they differ, and the credits of those
 * periods the CUR no longer returns. Kept apart from sync.ts so that file stays about the flow.
 */
import type { Credit } from '../../core/credit';
import { addMinor, displayMoney, type Minor } from '../../core/money';
import type { Flag } from '../../core/flags';
import { curDifference, type PeriodTotal, type Summary } from '../../core/summary';
import type { SyncReport } from './sync-report';
import type { AwsBill } from '../../core/aws-bill';

const LIST = 20;

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** The periods and currencies this run read whose sheet total is not the CUR's. */
export function differingPeriods(s: Summary): PeriodTotal[] {
  return s.periods.filter((p) => {
    const d = curDifference(p);
    return d !== null && d !== 0;
  });
}

/** What a difference comes from, as far as the run knows: the rows it found missing, drift on locked rows. */
function differenceHint(r: SyncReport, p: PeriodTotal): string {
  const ofPeriod = (c: { period: string; currency: string }) =>
    c.period === p.period && c.currency === p.currency;
  const money = (credits: readonly Credit[]) =>
    displayMoney(
      credits.reduce((t: Minor, c) => addMinor(t, c.amount), 0),
      p.currency,
    );
  const hints: string[] = [];
  const held = r.merge.notInCur.filter(ofPeriod);
  if (held.length)
    hints.push(
      `${plural(held.length, 'credit')} not in the CUR, flagged ${'REVIEW_NOT_IN_CUR' satisfies Flag} (${money(held)})`,
    );
  const collected = r.merge.collectedNotInCur.filter(ofPeriod);
  if (collected.length)
    hints.push(`${plural(collected.length, 'collected credit')} not in the CUR (${money(collected)})`);
  const drift = r.merge.drift.filter((d) => d.field === 'amount' && ofPeriod(d));
  if (drift.length) hints.push(`${plural(drift.length, 'locked row')} whose amount drifted (Audit tab)`);
  return hints.length ? hints.join('; ') : 'compare the Credits tab with the CUR';
}

/** One line per period and currency read: "CUR → sheet  reconciled", or "DIFFERS by …: what to look at". */
export function formatTotals(r: SyncReport): string[] {
  const lines = ['Totals per period and currency, whole period (CUR → sheet):'];
  // The Summary lists the newest period first; the run reads and reports them oldest first.
  const periods = [...r.summary.periods].sort(
    (a, b) => a.period.localeCompare(b.period) || a.currency.localeCompare(b.currency),
  );
  for (const p of periods) {
    const d = curDifference(p);
    if (d === null) continue;
    const cur = r.merge.totals.find((t) => t.period === p.period && t.currency === p.currency);
    const check =
      d === 0
        ? 'reconciled'
        : `DIFFERS by ${displayMoney(Math.abs(d), p.currency)} (the sheet holds ${d > 0 ? 'more' : 'less'}): ${differenceHint(r, p)}`;
    lines.push(
      `  ${p.period} ${p.currency}  ${displayMoney(p.cur ?? 0, p.currency).padStart(18)} → ${displayMoney(p.amount, p.currency).padStart(18)}  ${check}  (${plural(cur?.credits ?? 0, 'credit')} in the CUR, ${p.credits} in the sheet)`,
    );
  }
  return lines;
}

const COLLECTED = 'collected, left as it is (the Ledger records it); check it with AWS before it is invoiced';
const HELD = `flagged ${'REVIEW_NOT_IN_CUR' satisfies Flag}, held from rules and collection`;

/** The credits of the periods read that the CUR no longer returns: held, or (collected) only reported. */
export function formatNotInCur(r: SyncReport): string[] {
  // Collected ones first: they are the ones already on their way to an invoice.
  const listed = [
    ...r.merge.collectedNotInCur.map((c) => ({ c, what: COLLECTED })),
    ...r.merge.notInCur.map((c) => ({ c, what: HELD })),
  ];
  if (!listed.length) return [];
  const lines = [
    `  ${'not in CUR'.padEnd(10)} ${String(listed.length).padStart(7)}  credits of the periods read that the CUR no longer returns:`,
    ...listed
      .slice(0, LIST)
      .map(
        ({ c, what }) =>
          `             ${c.creditId} ${c.period} ${displayMoney(c.amount, c.currency)} ${c.status}: ${what}`,
      ),
  ];
  if (listed.length > LIST)
    lines.push(
      `             … and ${listed.length - LIST} more (Flags column: ${'REVIEW_NOT_IN_CUR' satisfies Flag})`,
    );
  return lines;
}

/** The warning a collected credit missing from the CUR gets as the sync runs. */
export function collectedNotInCurWarning(c: Credit): string {
  return `${c.creditId} (${c.status}, ${c.period}, ${displayMoney(c.amount, c.currency)}) is no longer in the CUR: ${COLLECTED}.`;
}

/** Whether AWS has finalised each period read (core/aws-bill.ts): what usage collect will make of it. */
export function formatAwsBills(bills: SyncReport['bills'], dryRun = false): string[] {
  if (!bills.length) return [];
  const what: Record<AwsBill, string> = {
    final: 'final (invoice ID in the CUR)',
    estimated:
      'estimated: AWS has not finalised it (no invoice ID in the CUR yet); usage collect skips its credits until a sync reads the final CUR',
    unknown:
      'unknown: the CUR has no invoice ID column; usage collect skips its credits (or --allow-estimated)',
  };
  return [
    `AWS bill per period (${dryRun ? 'would be recorded' : 'recorded'} in the Config tab):`,
    ...[...bills]
      .sort((a, b) => a.period.localeCompare(b.period))
      .map((b) => `  ${b.period}  ${what[b.bill]}`),
  ];
}
