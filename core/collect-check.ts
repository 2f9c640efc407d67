/**
 * Before the usage process collects, every candidate credit is checked on its own, so that one unreadable row
 * (a garbage Allocation cell, a held credit) is skipped and named instead of stopping the whole collection.
 */
import type { AccountDirectory } from './accounts';
import type { Credit } from './credit';
import { resolveCreditAllocation } from './credit-allocation';
import { explainHold, isHeld } from './review';
import { formatMinor } from './money';
import { isSyncedAmount } from './amount-proof';
import { text, type Cell } from './table';
import { missingAssetHint, missingAssetText, missingAssets } from './usage-billing';

export interface SkippedCredit {
  /** Sheet row number (1 = the header row). */
  sheetRow: number;
  creditId: string;
  reason: string;
}

/**
 * Splits the ASSIGNED credits (of `period`, if given) into those the usage process can collect and those it must
 * skip, with the reason and what to do. Credits in other statuses are passed through untouched.
 */
export function screenForCollect(
  credits: readonly { sheetRow: number; credit: Credit }[],
  directory: AccountDirectory,
  period?: string,
  /** Credit ID → the amount the sync last recorded (core/amount-proof.ts); absent: amounts are not checked. */
  syncedAmounts?: ReadonlyMap<string, Cell>,
): { collectable: Credit[]; skipped: SkippedCredit[] } {
  const collectable: Credit[] = [];
  const skipped: SkippedCredit[] = [];
  for (const { sheetRow, credit } of credits) {
    if (credit.status !== 'ASSIGNED' || (period && credit.period !== period)) {
      collectable.push(credit);
      continue;
    }
    const skip = (reason: string) => skipped.push({ sheetRow, creditId: credit.creditId, reason });
    if (isHeld(credit)) {
      skip(
        `held for review: ${explainHold(credit.flags)}. Resolve it, then delete the flag from the Flags cell and collect again.`,
      );
      continue;
    }
    if (
      syncedAmounts &&
      !isSyncedAmount(syncedAmounts.get(credit.creditId), credit.amount, credit.currency)
    ) {
      const amount = formatMinor(credit.amount, credit.currency);
      const synced = syncedAmounts.get(credit.creditId);
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
