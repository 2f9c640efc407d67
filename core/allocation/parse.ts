/** Reading the Allocation cell's text form (see index.ts) into a spec, with a message per bad share. */
import { CreditDeskError } from '../errors';
import { minorDigits, parseDecimal, type Minor } from '../money';
import { badAllocation, checkDuplicates, checkPercentTotal, FULL, ID_TOKEN, ROLES } from './shares';
import type { AllocationSpec, ShareSpec } from './types';

const PERCENT_LIKE = /%$/;
const AMOUNT_LIKE = /^[+-]?[\d.]*\d[\d.]*$/;
const CURRENCY_LIKE = /^[A-Za-z]{3}$/;

function isQuantityLike(token: string): boolean {
  return PERCENT_LIKE.test(token) || AMOUNT_LIKE.test(token);
}

function shareLabel(n: number, text: string): string {
  return `share ${n} "${text}"`;
}

/**
 * Parses the Allocation cell. `currency` is the credit's: fixed amounts are read in it and a typed
 * currency code must match it. Throws BAD_ALLOCATION naming the share (number and text) and what is wrong.
 */
export function parseAllocation(text: string, currency: string): AllocationSpec {
  // A month's credits share a few hundred allocation texts, and one credit's is parsed by the rules, the
  // collection's screen, its plan and the Summary: each text is parsed once per currency and the (frozen) spec
  // handed out again. Only a text that parses is kept; one that does not throws afresh, with its message.
  const id = `${currency}\u0000${String(text ?? '')}`;
  const known = parsed.get(id);
  if (known) return known;
  const spec = parseFresh(text, currency);
  for (const share of spec.shares) Object.freeze(share);
  Object.freeze(spec.shares);
  if (parsed.size >= PARSED_MAX) parsed.clear(); // bounded: a sheet of distinct fixed amounts does not grow it
  parsed.set(id, Object.freeze(spec));
  return spec;
}

const parsed = new Map<string, AllocationSpec>();
const PARSED_MAX = 10_000;

function parseFresh(text: string, currency: string): AllocationSpec {
  minorDigits(currency); // refuses a bad currency code before anything else
  const trimmed = String(text ?? '').trim();
  if (trimmed === '' || /^none$/i.test(trimmed)) return { shares: [] };
  // Checked before splitting on commas, which would cut "1,000.00" into two shares with puzzling messages.
  const grouped = /(?:^|\s)(\d{1,3}(?:,\d{3})+(?:\.\d+)?)(?=\s|%|$)/.exec(trimmed);
  if (grouped) {
    throw badAllocation(
      `"${grouped[1]}" looks like a number with a thousands separator, but commas separate shares.`,
      `Write amounts without thousands separators: ${grouped[1].replace(/,/g, '')}, not ${grouped[1]}.`,
    );
  }
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
  const digits = minorDigits(currency);
  if (currencyToken === null && digits > 0 && /^\+?\d+$/.test(quantity)) {
    const amount = `${quantity.replace(/^\+/, '')}.${'0'.repeat(digits)}`;
    throw badAllocation(
      `${where}: ${quantity} has no unit; write ${quantity.replace(/^\+/, '')}% or ${amount} ${currency}.`,
      'A share is a percentage (with %) or a fixed amount (with decimals or the currency code).',
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
