/**
 * Who a collected credit is billed to in CloudBlue Connect: one usage-file record per beneficiary, on that
 * beneficiary's asset, at the tier that pays it.
 *
 * Connect bills a usage record against an asset (a subscription) found by `asset_search_criteria` /
 * `asset_search_value`, and under the TR (tiered) usage schema each record names the `tier` whose charge it is
 * (usage.UsageRecord in ../shared/reference/connect-openapi30.yml carries `asset`, `tier` and `amount`;
 * https://connect.cloudblue.com/community/modules/usage_module/usage-file-format/ lists the records columns).
 * We read the tier levels as the usage-file-format page's records table defines them: 0 is the end customer's
 * charge, 1 the Tier-1 reseller's, 2 the Tier-2 reseller's (the Tier-1/Tier-2 models of the AWS Discount and
 * Credit Manager: ../shared/reference/credits-domain.md §1.1). The OpenAPI only says `tier` is an integer ≥ 0;
 * check the levels against the product's own usage template (Connect, product → usage) before the first upload.
 *
 * So, for each line of a credit's allocation:
 * - a customer's share is a tier-0 record on THAT customer's asset (the Accounts tab maps customer → asset);
 * - a reseller's share is a tier-1 record on an asset the reseller sells: the credit's own account's when the
 *   reseller is that account's reseller, else the first of the reseller's accounts (by AWS account ID) with an
 *   asset — the reseller pays less for that subscription, its customer's charge (tier 0) is untouched;
 * - the distributor's kept share is not billed: no record.
 * A share of 0 gets no record. A credit is billed as a negative amount (it lowers the charge), as before.
 *
 * Pure: the rows are planned into the collection's journal (core/usage.ts), so a resumed run writes the same
 * file even if the Accounts tab changed meanwhile.
 */
import type { AccountDirectory } from './accounts';
import type { AllocationLine } from './allocation';
import { CreditDeskError } from './errors';
import type { Minor } from './money';

/** Connect's tier levels (usage-file-format, records tab, `tier`). */
export const TIER_CUSTOMER = 0;
export const TIER_RESELLER = 1;

export interface BilledRow {
  /** The record's ID in the usage .xlsx: the credit's usage record ID and a 1-based suffix (UR-…-00001-1). */
  recordId: string;
  role: 'customer' | 'reseller';
  targetId: string;
  assetId: string;
  tier: typeof TIER_CUSTOMER | typeof TIER_RESELLER;
  /** The beneficiary's share, positive; the usage file bills it negated. */
  amount: Minor;
}

/** A billed share whose target has no asset: it cannot be billed, and must never land on someone else's asset. */
export interface MissingAsset {
  role: 'customer' | 'reseller';
  targetId: string;
}

interface CreditWhere {
  accountId: string;
}

/** The asset a customer's share is billed on; '' when no account of the customer has one. */
export function customerAsset(customerId: string, credit: CreditWhere, directory: AccountDirectory): string {
  return assetOf((a) => a.customerId === customerId, credit, directory);
}

/** The asset a reseller's share is billed on (an asset in its chain); '' when none of its accounts has one. */
export function resellerAsset(resellerId: string, credit: CreditWhere, directory: AccountDirectory): string {
  return assetOf((a) => a.resellerId === resellerId, credit, directory);
}

function assetOf(
  belongs: (a: { customerId: string; resellerId: string }) => boolean,
  credit: CreditWhere,
  directory: AccountDirectory,
): string {
  // The credit's own account first: a customer with several subscriptions is billed on the one that earned it.
  const own = directory.byAccount.get(credit.accountId);
  if (own && belongs(own) && own.assetId) return own.assetId;
  const ids = [...directory.byAccount.keys()].sort();
  for (const id of ids) {
    const a = directory.byAccount.get(id)!;
    if (belongs(a) && a.assetId) return a.assetId;
  }
  return '';
}

function billedLines(lines: readonly AllocationLine[]) {
  return lines.filter(
    (l): l is AllocationLine & { role: 'customer' | 'reseller' } =>
      l.role !== 'distributor' && l.amount !== 0,
  );
}

/** The billed shares of an allocation whose target has no asset in the Accounts tab. */
export function missingAssets(
  lines: readonly AllocationLine[],
  credit: CreditWhere,
  directory: AccountDirectory,
): MissingAsset[] {
  return billedLines(lines)
    .filter(
      (l) =>
        (l.role === 'customer'
          ? customerAsset(l.targetId, credit, directory)
          : resellerAsset(l.targetId, credit, directory)) === '',
    )
    .map((l) => ({ role: l.role, targetId: l.targetId }));
}

/** What staff read when a share has no asset: who, and the fix. */
export function missingAssetText(m: MissingAsset): string {
  return `${m.role} ${m.targetId} has no Asset ID in the Accounts tab, so Connect has no subscription to bill its share on`;
}

/** The fix, then what to run again (`assign it again`, `collect again`). */
export function missingAssetHint(then: string): string {
  return `Add its Asset ID (AS-…) in the Accounts tab, on an account of that customer or reseller, then ${then}.`;
}

/**
 * The rows a credit is billed as. Throws when a share's target has no asset (screenForCollect skips such a
 * credit first, and assign refuses it), so a share is never billed on someone else's asset.
 */
export function billedRows(
  usageRecordId: string,
  creditId: string,
  lines: readonly AllocationLine[],
  credit: CreditWhere,
  directory: AccountDirectory,
): BilledRow[] {
  return billedLines(lines).map((l, i) => {
    const assetId =
      l.role === 'customer'
        ? customerAsset(l.targetId, credit, directory)
        : resellerAsset(l.targetId, credit, directory);
    if (!assetId) {
      throw new CreditDeskError(
        'UNKNOWN_TARGET',
        `credit ${creditId}: ${missingAssetText({ role: l.role, targetId: l.targetId })}.`,
        missingAssetHint('collect again'),
      );
    }
    return {
      recordId: `${usageRecordId}-${i + 1}`,
      role: l.role,
      targetId: l.targetId,
      assetId,
      tier: l.role === 'customer' ? TIER_CUSTOMER : TIER_RESELLER,
      amount: l.amount,
    };
  });
}
