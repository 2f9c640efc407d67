/**
 * Allocations: who gets a credit, as staff type it into the Allocation cell of the Credits tab, and the
 * exact amounts that follows from it.
 *
 * The text form (one cell):
 *
 *   customer 100%                          everything to the credit's own customer
 *   customer 60%, reseller 40%             a split between its own customer and reseller
 *   reseller 25%                           25% to its reseller; the other 75% stays with the distributor
 *   customer CUST-0042 50%, reseller RES-7 12.5%, customer CUST-9 10.00
 *                                          explicit IDs, and a fixed amount in the credit's currency
 *   customer 10.00 USD                     a fixed amount may name the currency; it must be the credit's
 *   none        (or an empty cell)         nothing is passed on: the distributor keeps it all
 *
 * - A share is `<role> [<ID>] <quantity> [<currency>]`. The role is `customer` or `reseller` (any case).
 *   Without an ID the share goes to the credit's own customer/reseller from the Accounts tab.
 * - The quantity is a percentage of the whole credit (`60%`, up to 2 decimals, `60 %` is fine too) or a
 *   fixed amount (`10.00`, no more decimals than the currency has, no thousands separators).
 * - Shares are separated by commas or semicolons; extra spaces are ignored.
 * - An ID is the one word between the role and the quantity: letters, digits, `-`, `_` and `.`. Because
 *   it is found by position, an ID may even look like a number (`customer 0042 10%`).
 * - The same target twice, percentages over 100% in total, or shares that add up to more than the credit
 *   are errors. Whatever is not passed on stays with the distributor (shown as its own line, maybe 0).
 *
 * formatAllocation writes the canonical form (`customer 60%, reseller RES-7 12.5%, customer 10.00`,
 * `none` for no shares); parsing it gives back the same spec.
 */
import { formatPercentBp } from './config';
import { CreditDeskError } from './errors';
import { assertMinor, formatMinor, minorDigits, parseDecimal, type Minor } from './money';

export type Role = 'customer' | 'reseller';

/** One share as typed: to the credit's own customer/reseller (targetId null) or to an explicit ID. */
export interface ShareSpec {
  role: Role;
  /** null = the credit's own customer (or reseller). */
  targetId: string | null;
  /** Hundredths of a percent (basis points): 60% = 6000, 12.5% = 1250. Exactly one of percentBp / amount is set. */
  percentBp?: number;
  /** A fixed amount in minor units of the credit's currency. */
  amount?: Minor;
}

export interface AllocationSpec {
  shares: ShareSpec[];
}

export interface AllocationContext {
  creditId: string;
  amount: Minor;
  currency: string;
  /** The credit's own customer and reseller (from Accounts); '' when unknown. */
  customerId: string;
  resellerId: string;
  /** When given, explicit target IDs must be in these sets. */
  knownCustomers?: ReadonlySet<string>;
  knownResellers?: ReadonlySet<string>;
}

export interface AllocationLine {
  role: Role | 'distributor';
  /** The resolved customer/reseller ID; '' on the distributor line. */
  targetId: string;
  /** Basis points for percent shares, null for fixed amounts and for the distributor line. */
  percentBp: number | null;
  amount: Minor;
}

export interface ResolvedAllocation {
  /** Customer/reseller lines in the typed order, then one distributor line (possibly 0). Amounts add up to the credit exactly. */
  lines: AllocationLine[];
  distributorKeeps: Minor;
}

/** A resolved line as the scripting contract and the sidebar show it (see addon/api.ts AllocationLineView). */
export interface AllocationLineJson {
  role: Role | 'distributor';
  targetId: string;
  /** "60" or "12.5"; null for fixed amounts and the distributor line. */
  percent: string | null;
  /** Decimal string in the credit's currency, e.g. "60.00". */
  amount: string;
}

const FULL = 10000; // 100% in basis points
const ROLES: readonly Role[] = ['customer', 'reseller'];
const EXAMPLE = 'customer 60%, reseller 40%';
const EXAMPLE_IDS = 'customer CUST-0042 50%, reseller RES-7 10.00';
const ID_TOKEN = /^[\p{L}\p{N}._-]+$/u;
const PERCENT_LIKE = /%$/;
const AMOUNT_LIKE = /^[+-]?[\d.]*\d[\d.]*$/;
const CURRENCY_LIKE = /^[A-Za-z]{3}$/;

function isQuantityLike(token: string): boolean {
  return PERCENT_LIKE.test(token) || AMOUNT_LIKE.test(token);
}

function badAllocation(
  message: string,
  hint = `Write shares like "${EXAMPLE}" or "${EXAMPLE_IDS}".`,
): CreditDeskError {
  return new CreditDeskError('BAD_ALLOCATION', message, hint);
}

function shareLabel(n: number, text: string): string {
  return `share ${n} "${text}"`;
}

// ---------------------------------------------------------------------------------------------------------
// Parsing the text form

/**
 * Parses the Allocation cell. `currency` is the credit's: fixed amounts are read in it and a typed
 * currency code must match it. Throws BAD_ALLOCATION naming the share (number and text) and what is wrong.
 */
export function parseAllocation(text: string, currency: string): AllocationSpec {
  minorDigits(currency); // refuses a bad currency code before anything else
  const trimmed = String(text ?? '').trim();
  if (trimmed === '' || /^none$/i.test(trimmed)) return { shares: [] };
  // Empty pieces (a trailing comma, ",,") are forgiven: they carry no meaning.
  const pieces = trimmed
    .split(/[,;]/)
    .map((p) => p.trim())
    .filter((p) => p !== '');
  const shares = pieces.map((piece, i) => parseShare(piece, i + 1, currency));
  checkDuplicates(
    shares,
    (i) => shareLabel(i + 1, pieces[i]),
    (s) => s.targetId,
  );
  checkPercentTotal(shares, currency);
  return { shares };
}

function parseShare(piece: string, n: number, currency: string): ShareSpec {
  const where = shareLabel(n, piece);
  // "60 %" is read as "60%": people put a space before the sign.
  const tokens = piece.replace(/\s+%/g, '%').split(/\s+/);
  const roleWord = tokens[0].toLowerCase();
  const role = ROLES.find((r) => r === roleWord);
  if (!role) throw unknownRole(where, tokens[0]);
  const rest = tokens.slice(1);

  let currencyToken: string | null = null;
  if (
    rest.length >= 2 &&
    CURRENCY_LIKE.test(rest[rest.length - 1]) &&
    isQuantityLike(rest[rest.length - 2])
  ) {
    currencyToken = rest.pop() as string;
  }
  const quantity = rest.pop();
  if (quantity === undefined || !isQuantityLike(quantity)) {
    throw badAllocation(
      `${where}: no percentage or amount; each share ends with one (such as 60% or 10.00).`,
      `Add the share's size, for example "${role} 60%" or "${role} ${tokens[1] ?? 'CUST-0042'} 10.00".`,
    );
  }
  if (rest.length > 1) {
    throw badAllocation(
      `${where}: expected at most one ID between "${role}" and the quantity, found ${rest.length} words (${rest.join(' ')}).`,
      'IDs have no spaces; separate shares with a comma, as in "customer CUST-1 50%, reseller RES-7 10%".',
    );
  }
  const targetId = rest.length === 1 ? rest[0] : null;
  if (targetId !== null) {
    // An ID may look like a number (found by position), but never like a percentage.
    if (PERCENT_LIKE.test(targetId)) {
      throw badAllocation(
        `${where}: two quantities (${targetId} and ${quantity}); a share has either a percentage or an amount.`,
        `Keep one, for example "${role} ${quantity}", or split it into two shares for two different targets.`,
      );
    }
    if (!ID_TOKEN.test(targetId)) {
      throw badAllocation(
        `${where}: "${targetId}" is not a valid ID (IDs use only letters, digits, "-", "_" and ".").`,
        `Check the ID in the Accounts tab, for example "${role} CUST-0042 50%".`,
      );
    }
  }

  if (PERCENT_LIKE.test(quantity)) {
    if (currencyToken !== null) {
      throw badAllocation(
        `${where}: a currency code (${currencyToken}) only follows a fixed amount, not a percentage.`,
        `Write "${role} ${quantity}" or a fixed amount such as "${role} 10.00 ${currency}".`,
      );
    }
    return { role, targetId, percentBp: parsePercent(quantity, where) };
  }
  if (currencyToken !== null && currencyToken.toUpperCase() !== currency) {
    throw badAllocation(
      `${where}: the amount is in ${currencyToken.toUpperCase()} but the credit is in ${currency}.`,
      `Fixed amounts are in the credit's currency: write "${role} ${quantity} ${currency}" (or leave the code out), or use a percentage.`,
    );
  }
  return { role, targetId, amount: parseAmount(quantity, where, currency) };
}

function unknownRole(where: string, word: string): CreditDeskError {
  if (/^none$/i.test(word)) {
    return badAllocation(
      `${where}: "none" stands alone; it cannot be combined with other shares.`,
      `Remove "none", or write only "none".`,
    );
  }
  if (PERCENT_LIKE.test(word)) {
    return badAllocation(
      `${where}: say who gets ${word}: a share starts with "customer" or "reseller".`,
      `For example "customer ${word}".`,
    );
  }
  if (AMOUNT_LIKE.test(word)) {
    return badAllocation(
      `${where}: a share starts with "customer" or "reseller", not "${word}".`,
      'If this is part of a number, write amounts without thousands separators (1000.00, not 1,000.00).',
    );
  }
  return badAllocation(`${where}: "${word}" is not a role; use "customer" or "reseller".`);
}

function parsePercent(token: string, where: string): number {
  const body = token.slice(0, -1).replace(/^\+/, '');
  if (body.startsWith('-'))
    throw badAllocation(`${where}: a percentage can't be negative.`, 'Use a percentage from 0% to 100%.');
  const m = /^(\d*)(?:\.(\d*))?$/.exec(body);
  if (!m || !/\d/.test(body)) {
    throw badAllocation(`${where}: "${token}" is not a number.`, 'Write percentages like 60% or 12.5%.');
  }
  const [, whole, frac = ''] = m;
  if (frac.length > 2 && /[1-9]/.test(frac.slice(2))) {
    throw badAllocation(
      `${where}: a percentage can have at most 2 decimals.`,
      'Round it, for example 33.33%.',
    );
  }
  const bp = Number(whole || '0') * 100 + Number(frac.slice(0, 2).padEnd(2, '0'));
  if (bp > FULL)
    throw badAllocation(`${where}: a percentage can't be over 100%.`, 'Use a percentage from 0% to 100%.');
  return bp;
}

function parseAmount(token: string, where: string, currency: string): Minor {
  if (token.startsWith('-')) {
    throw badAllocation(
      `${where}: an amount can't be negative.`,
      `Write the positive amount to pass on, such as 10.00.`,
    );
  }
  const m = /^\+?(\d*)(?:\.(\d*))?$/.exec(token);
  if (!m)
    throw badAllocation(
      `${where}: "${token}" is not a number.`,
      'Write amounts like 1234.56, with a dot and no thousands separators.',
    );
  const digits = minorDigits(currency);
  const frac = m[2] ?? '';
  if (frac.length > digits && /[1-9]/.test(frac.slice(digits))) {
    const allowed = digits === 0 ? 'no decimals' : `at most ${digits} decimal${digits > 1 ? 's' : ''}`;
    throw badAllocation(
      `${where}: ${currency} amounts have ${allowed}.`,
      digits === 0 ? `Round the amount to whole ${currency}.` : `Round the amount to ${digits} decimals.`,
    );
  }
  try {
    return parseDecimal(token, currency);
  } catch (e) {
    throw badAllocation(`${where}: ${(e as Error).message.split('\n')[0]}.`, 'Write amounts like 1234.56.');
  }
}

// ---------------------------------------------------------------------------------------------------------
// Checks shared by parse, format and resolve

/** `targetOf` gives the target a share is compared by: the typed ID (null = own) or, in resolve, the resolved ID. */
function checkDuplicates(
  shares: ShareSpec[],
  label: (i: number) => string,
  targetOf: (s: ShareSpec, i: number) => string | null,
  prefix = '',
): void {
  const seen = new Map<string, number>();
  shares.forEach((s, i) => {
    const target = targetOf(s, i);
    const key = `${s.role}\u0000${target ?? ''}\u0000${target === null ? 'own' : 'id'}`;
    const first = seen.get(key);
    if (first !== undefined) {
      const who = target === null ? `the credit's own ${s.role}` : `${s.role} ${target}`;
      throw badAllocation(
        `${prefix}${label(i)}: ${who} already has ${label(first)}; a target may appear only once.`,
        'Merge the two into one share, for example "customer 60%".',
      );
    }
    seen.set(key, i);
  });
}

function checkPercentTotal(shares: ShareSpec[], currency: string): void {
  const percentShares = shares.filter((s) => s.percentBp !== undefined);
  const total = percentShares.reduce((sum, s) => sum + (s.percentBp as number), 0);
  if (total > FULL) {
    throw badAllocation(
      `the percentages add up to ${formatPercentBp(total)}% (${percentShares.map((s) => formatShare(s, currency)).join(' + ')}), over 100%.`,
      'Lower them so they add up to 100% or less; the rest stays with the distributor.',
    );
  }
}

/** Checks a spec built in code (rules, the default configuration, scripts) as strictly as typed text. */
function checkSpec(spec: AllocationSpec, currency: string): void {
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

// ---------------------------------------------------------------------------------------------------------
// Formatting

function formatShare(s: ShareSpec, currency: string): string {
  const quantity =
    s.percentBp !== undefined ? `${formatPercentBp(s.percentBp)}%` : formatMinor(s.amount as Minor, currency);
  return s.targetId === null ? `${s.role} ${quantity}` : `${s.role} ${s.targetId} ${quantity}`;
}

/** The canonical text form: `customer 60%, reseller RES-7 12.5%, customer 10.00`; `none` for no shares. */
export function formatAllocation(spec: AllocationSpec, currency: string): string {
  minorDigits(currency);
  checkSpec(spec, currency);
  if (spec.shares.length === 0) return 'none';
  return spec.shares.map((s) => formatShare(s, currency)).join(', ');
}

// ---------------------------------------------------------------------------------------------------------
// Exact amounts

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
  const remainders: number[] = [];
  let given = 0;
  for (const w of weightsBp) {
    const part = q * w + Math.floor((r * w) / FULL);
    parts.push(part);
    remainders.push((r * w) % FULL);
    given += part;
  }
  const order = remainders.map((_, i) => i).sort((a, b) => remainders[b] - remainders[a] || a - b);
  for (let k = 0; k < amount - given; k++) parts[order[k]] += 1;
  return parts;
}

/**
 * The exact lines of an allocation for one credit. Percentages are of the whole credit; fixed amounts are
 * taken as given; the distributor keeps the rest. Throws UNKNOWN_TARGET for a target that cannot be found
 * and BAD_ALLOCATION when the shares ask for more than the credit.
 */
export function resolveAllocation(spec: AllocationSpec, ctx: AllocationContext): ResolvedAllocation {
  const { creditId, currency } = ctx;
  minorDigits(currency);
  assertMinor(ctx.amount, `credit ${creditId} amount`);
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
  // rounding is decided once, for all parts together; fixed amounts need no rounding.
  const percentIndexes = spec.shares.flatMap((s, i) => (s.percentBp !== undefined ? [i] : []));
  const split = splitLargestRemainder(ctx.amount, [
    ...percentIndexes.map((i) => spec.shares[i].percentBp as number),
    FULL - percentBp,
  ]);
  const percentAmounts = new Map(percentIndexes.map((shareIndex, k) => [shareIndex, split[k]]));
  const distributorKeeps = split[split.length - 1] - fixed; // ≥ 0: checkFitsCredit proved it (see there)

  const lines: AllocationLine[] = spec.shares.map((s, i) => ({
    role: s.role,
    targetId: targets[i],
    percentBp: s.percentBp ?? null,
    amount: s.percentBp !== undefined ? (percentAmounts.get(i) as Minor) : (s.amount as Minor),
  }));
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

// ---------------------------------------------------------------------------------------------------------
// Builders and views

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
