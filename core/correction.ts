/**
 * Corrections after invoicing (docs/decisions/0006-correction-credits.md). AWS amends final reports: a later CUR
 * may change the amount of a credit that was already invoiced (PROCESSED). The invoiced row must stay exactly as
 * invoiced (the Ledger says so), yet the money moved: the difference becomes a credit of its own, a correction,
 * that goes through the lifecycle like any other and bills the beneficiaries (or, when negative, bills them back).
 *
 * - Its key is the original's with `#c<n>` (n = 1, 2, …): deterministic, never a CUR key, so the sync never takes
 *   it for a credit of its own; its Credit ID is issued from that key like any other (core/ids.ts).
 * - Its amount is what is not yet covered: the CUR's amount now − (invoiced amount + every earlier correction of
 *   that credit). A second sync of the same CUR therefore adds nothing, and a further amendment adds only the new
 *   difference. So the period's rows still add up to the CUR (core/summary.ts curDifference).
 * - It starts PENDING_ASSIGN. The original's allocation is only proposed (rules never assign a correction,
 *   core/assignment.ts planRules): a person confirms it with the `assign` command the sync prints.
 *
 * Pure: core/merge.ts calls it for every PROCESSED credit the CUR returns.
 */
import type { AccountDirectory } from './accounts';
import { formatAllocation, parseAllocation, type AllocationSpec, type ShareSpec } from './allocation';
import { UNDECIDED, type Credit } from './credit';
import { resolveCreditAllocation } from './credit-allocation';
import { correctionDescription, correctionKey, parseCorrectionKey } from './correction-key';
import { addMinor, formatMinor, type Minor } from './money';

/** The correction rows of the sheet, by the key of the credit they correct. */
export function correctionsByOriginal(credits: Iterable<Credit>): Map<string, Credit[]> {
  const out = new Map<string, Credit[]>();
  for (const c of credits) {
    const parsed = parseCorrectionKey(c.key);
    if (!parsed) continue;
    const list = out.get(parsed.originalKey);
    if (list) list.push(c);
    else out.set(parsed.originalKey, [c]);
  }
  return out;
}

/**
 * The original's allocation for its correction. An allocation of percentages (or none) is proposed as it is: the
 * same shares of the difference. Fixed amounts were fixed for the original's amount, not for a difference, so each
 * share is proposed as the percentage of the original it came to (rounded down to 0.01 %, the distributor keeps
 * the rest), naming its target. '' when the original's allocation cannot be read any more (a person types one).
 */
export function proposedAllocation(original: Credit, directory: AccountDirectory): string {
  try {
    const spec = parseAllocation(original.allocation, original.currency);
    if (spec.shares.every((s) => s.percentBp !== undefined)) return formatAllocation(spec, original.currency);
    if (original.amount <= 0) return '';
    const lines = resolveCreditAllocation(original, directory).lines;
    const shares: ShareSpec[] = lines
      .filter((l) => l.role !== 'distributor' && l.amount > 0)
      .map((l) => ({
        role: l.role as ShareSpec['role'],
        targetId: l.targetId,
        percentBp: Math.floor((l.amount * 10_000) / original.amount),
      }))
      .filter((s) => (s.percentBp ?? 0) > 0);
    const proposal: AllocationSpec = { shares };
    return formatAllocation(proposal, original.currency);
  } catch {
    return '';
  }
}

export interface PlannedCorrection {
  /** The correction row, without its Credit ID (core/merge.ts issues it with the new credits' IDs). */
  credit: Omit<Credit, 'creditId'>;
  original: Credit;
  /** The original's allocation, proposed (see proposedAllocation); '' when none can be proposed. */
  proposal: string;
  /** The CUR's amount now, and what the invoiced amount and the earlier corrections already cover. */
  cur: Minor;
  covered: Minor;
}

/** What the invoiced amount and the corrections already in the sheet cover of a credit. */
export function coveredAmount(original: Credit, earlier: readonly Credit[]): Minor {
  return earlier.reduce((t, c) => addMinor(t, c.amount), original.amount);
}

/**
 * The correction a PROCESSED credit needs now that the CUR says `curAmount`: null when the original and its
 * corrections already add up to it. `earlier`: the sheet's corrections of this credit (any status).
 */
export function planCorrection(
  original: Credit,
  curAmount: Minor,
  earlier: readonly Credit[],
  directory: AccountDirectory,
  now: string,
): PlannedCorrection | null {
  if (original.status !== 'PROCESSED') return null;
  const covered = coveredAmount(original, earlier);
  const difference = addMinor(curAmount, -covered);
  if (difference === 0) return null;
  const n = 1 + earlier.reduce((max, c) => Math.max(max, parseCorrectionKey(c.key)?.n ?? 0), 0);
  return {
    credit: {
      key: correctionKey(original.key, n),
      period: original.period,
      accountId: original.accountId,
      payerAccountId: original.payerAccountId,
      // The parties the original was invoiced to: "customer 60%" means the same customer for its correction.
      customerId: original.customerId,
      assetId: original.assetId,
      resellerId: original.resellerId,
      service: original.service,
      description: correctionDescription(original, n),
      amount: difference,
      currency: original.currency,
      ...UNDECIDED,
      flags: '',
      notes: '',
      lastChange: now,
    },
    original,
    proposal: proposedAllocation(original, directory),
    cur: curAmount,
    covered,
  };
}

/** The Audit's account of a correction (its `sync-add` row, field `correction`): one line. */
export function correctionAuditText(p: PlannedCorrection): string {
  const c = p.original.currency;
  const money = (m: Minor) => `${formatMinor(m, c)} ${c}`;
  return (
    `of ${p.original.creditId} (usage record ${p.original.usageRecordId}, ${p.original.usageFileId}): ` +
    `the CUR now says ${money(p.cur)}, invoiced ${money(p.original.amount)}` +
    (p.covered !== p.original.amount
      ? `, earlier corrections ${money(addMinor(p.covered, -p.original.amount))}`
      : '') +
    `; proposed allocation ${p.proposal ? JSON.stringify(p.proposal) : '(none: type one)'}, to be confirmed with assign`
  );
}
