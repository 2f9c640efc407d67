/** From a spec to the exact lines for one credit: targets found, amounts split, the distributor's rest. */
import { formatPercentBp } from '../config';
import { CreditDeskError } from '../errors';
import { assertMinor, formatMinor, minorDigits, type Minor } from '../money';
import { badAllocation, checkDuplicates, checkSpec, formatShare, FULL } from './shares';
import { splitLargestRemainder } from './split';
import type {
  AllocationContext,
  AllocationLine,
  AllocationSpec,
  ResolvedAllocation,
  ShareSpec,
} from './types';

/**
 * The exact lines of an allocation for one credit. Percentages are of the whole credit; fixed amounts are
 * taken as given; the distributor keeps the rest. Throws UNKNOWN_TARGET for a target that cannot be found
 * and BAD_ALLOCATION when the shares ask for more than the credit.
 */
export function resolveAllocation(spec: AllocationSpec, ctx: AllocationContext): ResolvedAllocation {
  const { creditId, currency } = ctx;
  minorDigits(currency);
  assertMinor(ctx.amount, `credit ${creditId} amount`);
  if (ctx.amount < 0 && ctx.billsBack) {
    // A negative correction bills back: the same shares of the amount taken back, each negated, so the lines
    // still add up to the amount and every party gives back what its share of the difference is.
    const mirror = resolveAllocation(spec, { ...ctx, amount: -ctx.amount, billsBack: false });
    const neg = (m: Minor) => (m === 0 ? 0 : -m);
    return {
      lines: mirror.lines.map((l) => ({ ...l, amount: neg(l.amount) })),
      distributorKeeps: neg(mirror.distributorKeeps),
    };
  }
  if (ctx.amount < 0) {
    throw badAllocation(
      `credit ${creditId}: its amount is negative (${formatMinor(ctx.amount, currency)} ${currency}); only a positive credit can be passed on.`,
      'Check the Amount cell; the next sync rewrites it from the CUR.',
    );
  }
  checkSpec(spec, currency);
  const targets = spec.shares.map((s, i) => resolveTarget(s, i + 1, ctx));
  checkDuplicates(
    spec.shares,
    (i) => `share ${i + 1} "${formatShare(spec.shares[i], currency)}"`,
    (_s, i) => targets[i],
    `credit ${creditId}: `,
  );

  const percentBp = spec.shares.reduce((sum, s) => sum + (s.percentBp ?? 0), 0);
  const fixed = spec.shares.reduce((sum, s) => assertMinor(sum + (s.amount ?? 0), 'fixed total'), 0);
  checkFitsCredit(ctx, percentBp, fixed);

  // One largest-remainder split over every percent share plus the distributor's remainder share, so the
  // rounding is decided once, for all parts together; fixed amounts need no rounding. (Loops, not arrays and
  // maps made per credit: the Summary resolves every credit of the sheet on every write.)
  const weights: number[] = [];
  for (const s of spec.shares) if (s.percentBp !== undefined) weights.push(s.percentBp);
  weights.push(FULL - percentBp);
  const split = splitLargestRemainder(ctx.amount, weights);
  const distributorKeeps = split[split.length - 1] - fixed; // ≥ 0: checkFitsCredit proved it (see there)

  const lines: AllocationLine[] = [];
  let k = 0; // the next percent share's part of the split
  spec.shares.forEach((s, i) =>
    lines.push({
      role: s.role,
      targetId: targets[i],
      percentBp: s.percentBp ?? null,
      amount: s.percentBp !== undefined ? split[k++] : (s.amount as Minor),
    }),
  );
  lines.push({ role: 'distributor', targetId: '', percentBp: null, amount: distributorKeeps });
  return { lines, distributorKeeps };
}

function resolveTarget(s: ShareSpec, n: number, ctx: AllocationContext): string {
  if (s.targetId === null) {
    const own = s.role === 'customer' ? ctx.customerId : ctx.resellerId;
    if (own) return own;
    throw new CreditDeskError(
      'UNKNOWN_TARGET',
      `credit ${ctx.creditId}: share ${n} goes to the credit's own ${s.role}, but its AWS account has no ${s.role} in the Accounts tab.`,
      `Type an explicit ID (for example "${s.role} ${s.role === 'customer' ? 'CUST-0042' : 'RES-7'} 100%"), or add the ${s.role} to the account in Accounts.`,
    );
  }
  const known = s.role === 'customer' ? ctx.knownCustomers : ctx.knownResellers;
  if (known && !known.has(s.targetId)) {
    throw new CreditDeskError(
      'UNKNOWN_TARGET',
      `credit ${ctx.creditId}: share ${n} names ${s.role} ${s.targetId}, which is not in the Accounts tab.`,
      `Check the spelling (IDs are case-sensitive), or add an account for ${s.role} ${s.targetId} in Accounts.`,
    );
  }
  return s.targetId;
}

/**
 * The shares must not ask for more than the credit: exact percent part + fixed total ≤ amount, compared
 * exactly (amount × bp in BigInt). Because the fixed total and the amount are whole minor units, this also
 * guarantees the rounded distributor share (floor or ceil of its exact share) is at least the fixed total.
 */
function checkFitsCredit(ctx: AllocationContext, percentBp: number, fixed: Minor): void {
  // requested ≤ available is fixed × 10000 ≤ amount × (10000 − percentBp); both sides exact in a double below
  // SAFE_FACTOR (checkSpec holds percentBp within 0–10000). BigInt for the rest, and for the message.
  if (ctx.amount <= SAFE_FACTOR && fixed <= SAFE_FACTOR && fixed * FULL <= ctx.amount * (FULL - percentBp))
    return;
  const amount = BigInt(ctx.amount);
  const percentScaled = amount * BigInt(percentBp); // percent part, in minor units × 10000
  const requested = percentScaled + BigInt(fixed) * BigInt(FULL);
  const available = amount * BigInt(FULL);
  if (requested <= available) return;
  const c = ctx.currency;
  const money = (scaled: bigint) => `${formatScaled(scaled, c)} ${c}`;
  const parts: string[] = [];
  if (percentBp > 0) parts.push(`${formatPercentBp(percentBp)}% = ${money(percentScaled)}`);
  if (fixed > 0) parts.push(`fixed amounts ${money(BigInt(fixed) * BigInt(FULL))}`);
  throw badAllocation(
    `credit ${ctx.creditId}: the shares (${parts.join(' + ')}) come to ${money(requested)}, ` +
      `over the ${money(available)} credit by ${money(requested - available)}.`,
    'Lower a percentage or a fixed amount so the shares fit in the credit; the distributor keeps what is left.',
  );
}

/** Below this, an amount × 10000 is a safe integer. */
const SAFE_FACTOR = Math.floor(Number.MAX_SAFE_INTEGER / FULL);

/** Formats a value in minor units × 10000 exactly: trailing zeros past the currency's decimals are dropped. */
function formatScaled(scaled: bigint, currency: string): string {
  const digits = minorDigits(currency) + 4;
  const text = scaled.toString().padStart(digits + 1, '0');
  const whole = text.slice(0, text.length - digits);
  const frac = text
    .slice(text.length - digits)
    .replace(/0+$/, '')
    .padEnd(digits - 4, '0');
  return frac ? `${whole}.${frac}` : whole;
}
