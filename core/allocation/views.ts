/** Specs built in code (rules, the default configuration) and the JSON lines scripts and the sidebar show. */
import { formatPercentBp } from '../config';
import { formatMinor } from '../money';
import { badAllocation, FULL } from './shares';
import type { AllocationLineJson, AllocationSpec, ResolvedAllocation, ShareSpec } from './types';

/** The spec a rule or the default configuration produces: own customer and own reseller; 0% shares left out. */
export function percentAllocation(customerBp: number, resellerBp: number): AllocationSpec {
  for (const [name, bp] of [
    ['customer', customerBp],
    ['reseller', resellerBp],
  ] as const) {
    if (!Number.isInteger(bp) || bp < 0 || bp > FULL) {
      throw badAllocation(
        `the ${name} share ${bp} is not a percentage from 0% to 100% in basis points (0 to 10000).`,
      );
    }
  }
  if (customerBp + resellerBp > FULL) {
    throw badAllocation(
      `customer ${formatPercentBp(customerBp)}% and reseller ${formatPercentBp(resellerBp)}% add up to over 100%.`,
      'Lower one of them so the two add up to 100% or less.',
    );
  }
  const shares: ShareSpec[] = [];
  if (customerBp > 0) shares.push({ role: 'customer', targetId: null, percentBp: customerBp });
  if (resellerBp > 0) shares.push({ role: 'reseller', targetId: null, percentBp: resellerBp });
  return { shares };
}

/** JSON-friendly lines for scripts and the sidebar: percent as "60"/"12.5" (or null), amount as "60.00". */
export function allocationJson(resolved: ResolvedAllocation, currency: string): AllocationLineJson[] {
  return resolved.lines.map((l) => ({
    role: l.role,
    targetId: l.targetId,
    percent: l.percentBp === null ? null : formatPercentBp(l.percentBp),
    amount: formatMinor(l.amount, currency),
  }));
}
