/**
 * A credit's allocation resolved against the Accounts directory: the one way every part of the system (merge,
 * assignment, usage, export, add-on) turns a credit and its allocation text into exact lines.
 */
import type { AccountDirectory } from './accounts';
import {
  parseAllocation,
  resolveAllocation,
  type AllocationContext,
  type ResolvedAllocation,
} from './allocation';
import type { Credit } from './credit';
import { isCorrection } from './correction-key';

/** `key` tells a correction credit (core/correction.ts), whose negative amount bills its beneficiaries back. */
type CreditFacts = Pick<Credit, 'creditId' | 'amount' | 'currency' | 'customerId' | 'resellerId'> &
  Partial<Pick<Credit, 'key'>>;

export function allocationContext(credit: CreditFacts, directory: AccountDirectory): AllocationContext {
  return {
    creditId: credit.creditId,
    amount: credit.amount,
    currency: credit.currency,
    customerId: credit.customerId,
    resellerId: credit.resellerId,
    knownCustomers: directory.customers,
    knownResellers: directory.resellers,
    billsBack: isCorrection(credit),
  };
}

/** Resolves `text` (default: the credit's own Allocation cell) for the credit; throws what the allocation parser throws. */
export function resolveCreditAllocation(
  credit: CreditFacts & Pick<Credit, 'allocation'>,
  directory: AccountDirectory,
  text: string = credit.allocation,
): ResolvedAllocation {
  return resolveAllocation(parseAllocation(text, credit.currency), allocationContext(credit, directory));
}
