/** The canonical text form of a spec; parsing it gives back the same spec. */
import { minorDigits } from '../money';
import { checkSpec, formatShare } from './shares';
import type { AllocationSpec } from './types';

/** The canonical text form: `customer 60%, reseller RES-7 12.5%, customer 10.00`; `none` for no shares. */
export function formatAllocation(spec: AllocationSpec, currency: string): string {
  minorDigits(currency);
  checkSpec(spec, currency);
  if (spec.shares.length === 0) return 'none';
  return spec.shares.map((s) => formatShare(s, currency)).join(', ');
}
