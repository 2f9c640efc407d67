/** Exact splitting of an amount by percentages, to the minor unit. */
import { assertMinor, type Minor } from '../money';
import { badAllocation, FULL } from './shares';

/**
 * Splits `amount` by weights in basis points (they must add up to 10000) with the largest remainder
 * method: every part gets the floor of its exact share, then the units left over go, one each, to the
 * parts with the largest remainders (ties: earlier part first). The parts add up to `amount` exactly and
 * each is within 1 minor unit of its exact share. A negative amount is split as its absolute value, negated.
 */
export function splitLargestRemainder(amount: Minor, weightsBp: number[]): Minor[] {
  assertMinor(amount);
  let total = 0;
  for (const w of weightsBp) {
    if (!Number.isInteger(w) || w < 0)
      throw badAllocation(`split weight ${w} is not a whole, non-negative number of basis points.`);
    total += w;
  }
  if (total !== FULL) throw badAllocation(`split weights add up to ${total} basis points, not 10000.`);
  if (amount < 0) return splitLargestRemainder(-amount, weightsBp).map((p) => (p === 0 ? 0 : -p));

  // amount × w can pass 2^53 for large credits, so split amount = q·10000 + r: then
  // amount × w / 10000 = q·w + r·w / 10000, where q·w ≤ amount and r·w < 10^8 are both exact in a double.
  const q = Math.floor(amount / FULL);
  const r = amount % FULL;
  const parts: Minor[] = [];
  let given = 0;
  for (const w of weightsBp) {
    const part = q * w + Math.floor((r * w) / FULL);
    parts.push(part);
    given += part;
  }
  // Most splits leave nothing over (one share of 100%, an amount in whole hundredths of the weights): no ranking.
  if (given === amount) return parts;
  const remainders = weightsBp.map((w) => (r * w) % FULL);
  const order = remainders.map((_, i) => i).sort((a, b) => remainders[b] - remainders[a] || a - b);
  for (let k = 0; k < amount - given; k++) parts[order[k]] += 1;
  return parts;
}
