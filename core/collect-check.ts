/**
 * Before the usage process collects, every candidate credit is checked on its own, so that one unreadable row
 * (a garbage Allocation cell, a held credit) is skipped and named instead of stopping the whole collection.
 * A skipped credit is also flagged NOT_COLLECTED in the sheet (with its reason in the Audit tab), so staff can
 * filter for what the last collection left behind; the next collection that takes it, or no longer skips it,
 * removes the flag.
 */
import type { AccountDirectory } from './accounts';
import type { Credit } from './credit';
import { resolveCreditAllocation } from './credit-allocation';
import { explainHold, hasFlag, isHeld, withFlags, withoutFlags } from './flags';
import type { AuditEntry } from './audit';
import { formatMinor } from './money';
import { isSyncedAmount } from './amount-proof';
import { unprovenRow, type InvoicedCredits } from './row-proof';
import { notFinalReason } from './aws-bill';
import { isCorrection } from './correction-key';
import { text, type Cell } from './table';
import { missingAssetHint, missingAssetText, missingAssets } from './usage-billing';

export interface SkippedCredit {
  /** Sheet row number (1 = the header row). */
  sheetRow: number;
  creditId: string;
  reason: string;
  /** Set when it was skipped because AWS has not finalised its period (core/aws-bill.ts): that period. */
  notFinalPeriod?: string;
}

export interface CollectScreenOptions {
  period?: string;
  /** Credit ID → the amount the sync last recorded (core/amount-proof.ts); absent: amounts are not checked. */
  syncedAmounts?: ReadonlyMap<string, Cell>;
  /**
   * Keys and Credit IDs the record shows collected (Ledger, usage files, Audit) → their usage file. Reconciliation
   * has already put such rows back as collected; this is the last check that nothing collected is taken again.
   */
  collected?: ReadonlyMap<string, string>;
  /**
   * Keys and Credit IDs only an Audit row shows collected, which the rest of the record gives to another credit
   * (an Audit row edited?) → the usage file it names: not proof of a collection, nor of none; skipped until settled.
   */
  disputed?: ReadonlyMap<string, string>;
  /**
   * Per period, whether AWS has finalised it as the Config tab records it (core/aws-bill.ts). Given, a credit of
   * a period not recorded `final` is skipped (its amount may still change), unless `allowEstimated`.
   */
  awsBills?: ReadonlyMap<string, string>;
  /** `usage collect --allow-estimated`: take credits of periods AWS has not finalised all the same. */
  allowEstimated?: boolean;
  /**
   * The collected credits, by key (core/row-proof.ts). Given, a credit is taken only when its row holds what the
   * sync wrote: its Key cells give its Key, its Customer ID and Reseller ID are the Accounts tab's (a correction's:
   * its original's); absent: not checked.
   */
  invoiced?: InvoicedCredits;
}

/**
 * Splits the ASSIGNED credits (of `period`, if given) into those the usage process can collect and those it must
 * skip, with the reason and what to do. Credits in other statuses are passed through untouched.
 */
export function screenForCollect(
  credits: readonly { sheetRow: number; credit: Credit }[],
  directory: AccountDirectory,
  opts: CollectScreenOptions = {},
): { collectable: Credit[]; skipped: SkippedCredit[] } {
  const { period, syncedAmounts, collected, disputed, awsBills, allowEstimated, invoiced } = opts;
  const collectable: Credit[] = [];
  const skipped: SkippedCredit[] = [];
  for (const { sheetRow, credit } of credits) {
    if (credit.status !== 'ASSIGNED' || (period && credit.period !== period)) {
      collectable.push(credit);
      continue;
    }
    // A credit of 0.00 (worth less than one minor unit, BELOW_MINOR_UNIT) has nothing to bill: it is passed
    // over, not skipped, so it gets no NOT_COLLECTED flag; planCollect leaves it out of the usage file.
    if (credit.amount === 0 && !isHeld(credit)) {
      collectable.push(credit);
      continue;
    }
    const skip = (reason: string) => skipped.push({ sheetRow, creditId: credit.creditId, reason });
    const before = collected?.get(credit.key) ?? collected?.get(credit.creditId);
    if (before) {
      skip(
        `it was collected before, into ${before}, and a credit is billed once. Check the row against that usage file; the next sync puts it back as collected.`,
      );
      continue;
    }
    const doubt = disputed?.get(credit.key) ?? disputed?.get(credit.creditId);
    if (doubt) {
      skip(
        `the Audit tab shows it collected into ${doubt}, but the rest of the record gives that collection to another credit (an Audit row edited?), so it is neither taken nor billed. Put the Audit row back as it was (Version history, or a backup of the workbook), or run where the usage folder (usageDir) holds ${doubt}; then collect again.`,
      );
      continue;
    }
    if (isHeld(credit)) {
      skip(
        `held for review: ${explainHold(credit.flags)}. Resolve it, then delete the flag from the Flags cell and collect again.`,
      );
      continue;
    }
    const notFinal =
      awsBills && !allowEstimated ? notFinalReason(credit.period, awsBills.get(credit.period)) : null;
    if (notFinal) {
      skipped.push({ sheetRow, creditId: credit.creditId, reason: notFinal, notFinalPeriod: credit.period });
      continue;
    }
    if (
      syncedAmounts &&
      !isSyncedAmount(syncedAmounts.get(credit.creditId), credit.amount, credit.currency)
    ) {
      const amount = formatMinor(credit.amount, credit.currency);
      const synced = syncedAmounts.get(credit.creditId);
      if (isCorrection(credit)) {
        // The sync does not rewrite a correction's amount (it is a difference, not a CUR line): say what to do.
        skip(
          synced === undefined || synced === null || synced === ''
            ? `the Audit tab has no record of the sync adding this correction of ${amount} ${credit.currency} (were Audit rows deleted?). Delete its row and run credit-desk sync, which adds the difference again under a new Credit ID, then collect.`
            : `its Amount ${amount} ${credit.currency} is not the ${text(synced)} the sync recorded for this correction (typed by hand?). Type ${text(synced)} back into its Amount cell, then collect.`,
        );
        continue;
      }
      if (synced === undefined || synced === null || synced === '') {
        skip(
          `the Audit tab has no record of the sync reading its amount (${amount} ${credit.currency}) from the CUR (were Audit rows deleted?). Run credit-desk sync, which records it again, then collect.`,
        );
        continue;
      }
      skip(
        `its Amount ${amount} ${credit.currency} is not the ${text(synced)} the last sync read from the CUR (typed by hand?). Run credit-desk sync to put the CUR's amount back, then collect.`,
      );
      continue;
    }
    const unproven = invoiced && unprovenRow(credit, directory, invoiced);
    if (unproven) {
      skip(unproven);
      continue;
    }
    try {
      const resolved = resolveCreditAllocation(credit, directory);
      // A share with no asset to bill it on is never billed on someone else's: the credit waits until it has one.
      const missing = missingAssets(resolved.lines, credit, directory);
      if (missing.length) {
        skip(`${missing.map(missingAssetText).join('; ')}. ${missingAssetHint('collect again')}`);
        continue;
      }
      collectable.push(credit);
    } catch (e) {
      skip(
        `the Allocation ${JSON.stringify(credit.allocation)} cannot be used: ${(e as Error).message.split('\n')[0]}. Correct the cell (or unassign the credit), then collect again.`,
      );
    }
  }
  return { collectable, skipped };
}

/**
 * The Flags changes a collection's screening implies: NOT_COLLECTED added to each skipped credit that lacks it
 * (with an Audit row of the reason), and removed from every other ASSIGNED credit of the screened period that
 * has it. Pure: the caller writes the credits and the Audit entries.
 */
export function notCollectedFlags(
  credits: readonly { credit: Credit }[],
  skipped: readonly SkippedCredit[],
  ctx: { now: string; actor: string; period?: string },
): { changes: { before: Credit; after: Credit }[]; audit: AuditEntry[] } {
  const why = new Map(skipped.filter((s) => s.creditId).map((s) => [s.creditId, s.reason]));
  const out: { changes: { before: Credit; after: Credit }[]; audit: AuditEntry[] } = {
    changes: [],
    audit: [],
  };
  for (const { credit } of credits) {
    if (credit.status !== 'ASSIGNED' || (ctx.period && credit.period !== ctx.period)) continue;
    const has = hasFlag(credit.flags, 'NOT_COLLECTED');
    const reason = why.get(credit.creditId);
    if (reason === undefined && !has) continue;
    if (reason !== undefined && has) continue; // flagged already; its Audit row says why
    const after =
      reason !== undefined
        ? withFlags(credit.flags, ['NOT_COLLECTED'])
        : withoutFlags(credit.flags, ['NOT_COLLECTED']);
    out.changes.push({ before: credit, after: { ...credit, flags: after, lastChange: ctx.now } });
    out.audit.push({
      when: ctx.now,
      who: ctx.actor,
      action: 'collect-skip',
      creditId: credit.creditId,
      field: 'flags',
      before: credit.flags,
      after: reason !== undefined ? `${after}\n${reason}` : after,
    });
  }
  return out;
}
