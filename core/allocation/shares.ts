/**
 * What parsing, formatting and resolving share: the limits of a share, the BAD_ALLOCATION error, one share's
 * text, and the checks a spec must pass however it was made (typed, built by a rule, or by a script).
 */
import { formatPercentBp } from '../config';
import { CreditDeskError } from '../errors';
import { formatMinor, type Minor } from '../money';
import type { AllocationSpec, Role, ShareSpec } from './types';

export const FULL = 10000; // 100% in basis points
export const ROLES: readonly Role[] = ['customer', 'reseller'];
const EXAMPLE = 'customer 60%, reseller 40%';
const EXAMPLE_IDS = 'customer CUST-0042 50%, reseller RES-7 10.00';
export const ID_TOKEN = /^[\p{L}\p{N}._-]+$/u;

export function badAllocation(
  message: string,
  hint = `Write shares like "${EXAMPLE}" or "${EXAMPLE_IDS}".`,
): CreditDeskError {
  return new CreditDeskError('BAD_ALLOCATION', message, hint);
}

export function formatShare(s: ShareSpec, currency: string): string {
  const quantity =
    s.percentBp !== undefined ? `${formatPercentBp(s.percentBp)}%` : formatMinor(s.amount as Minor, currency);
  return s.targetId === null ? `${s.role} ${quantity}` : `${s.role} ${s.targetId} ${quantity}`;
}

/** `targetOf` gives the target a share is compared by: the typed ID (null = own) or, in resolve, the resolved ID. */
export function checkDuplicates(
  shares: ShareSpec[],
  label: (i: number) => string,
  targetOf: (s: ShareSpec, i: number) => string | null,
  prefix = '',
): void {
  // Pairs compared, not keys in a map: an allocation has a share or two, and this runs for every credit.
  const targets = shares.map((s, i) => targetOf(s, i));
  for (let i = 1; i < shares.length; i++)
    for (let first = 0; first < i; first++) {
      const target = targets[i];
      if (shares[first].role !== shares[i].role || targets[first] !== target) continue;
      const who = target === null ? `the credit's own ${shares[i].role}` : `${shares[i].role} ${target}`;
      throw badAllocation(
        `${prefix}${label(i)}: ${who} already has ${label(first)}; a target may appear only once.`,
        'Merge the two into one share, for example "customer 60%".',
      );
    }
}

export function checkPercentTotal(shares: ShareSpec[], currency: string): void {
  let total = 0;
  for (const s of shares) if (s.percentBp !== undefined) total += s.percentBp;
  if (total > FULL) {
    const percentShares = shares.filter((s) => s.percentBp !== undefined);
    throw badAllocation(
      `the percentages add up to ${formatPercentBp(total)}% (${percentShares.map((s) => formatShare(s, currency)).join(' + ')}), over 100%.`,
      'Lower them so they add up to 100% or less; the rest stays with the distributor.',
    );
  }
}

/** Checks a spec built in code (rules, the default configuration, scripts) as strictly as typed text. */
export function checkSpec(spec: AllocationSpec, currency: string): void {
  if (!spec || !Array.isArray(spec.shares)) throw badAllocation('the allocation has no list of shares.');
  spec.shares.forEach((s, i) => {
    const where = `share ${i + 1}`;
    if (!ROLES.includes(s.role))
      throw badAllocation(`${where}: "${String(s.role)}" is not a role; use "customer" or "reseller".`);
    if (s.targetId !== null && (typeof s.targetId !== 'string' || !ID_TOKEN.test(s.targetId))) {
      throw badAllocation(
        `${where}: "${String(s.targetId)}" is not a valid ID (letters, digits, "-", "_", ".").`,
      );
    }
    const hasPercent = s.percentBp !== undefined && s.percentBp !== null;
    const hasAmount = s.amount !== undefined && s.amount !== null;
    if (hasPercent === hasAmount)
      throw badAllocation(`${where}: needs exactly one of a percentage or a fixed amount.`);
    if (
      hasPercent &&
      !(Number.isInteger(s.percentBp) && (s.percentBp as number) >= 0 && (s.percentBp as number) <= FULL)
    ) {
      throw badAllocation(
        `${where}: ${String(s.percentBp)} basis points is not a percentage from 0% to 100% (0 to 10000).`,
      );
    }
    if (hasAmount && !(Number.isSafeInteger(s.amount) && (s.amount as number) >= 0)) {
      throw badAllocation(
        `${where}: ${String(s.amount)} is not a non-negative whole number of ${currency} minor units.`,
      );
    }
  });
  checkDuplicates(
    spec.shares,
    (i) => `share ${i + 1} "${formatShare(spec.shares[i], currency)}"`,
    (s) => s.targetId,
  );
  checkPercentTotal(spec.shares, currency);
}
