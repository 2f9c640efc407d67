/**
 * Exact money. Amounts are integers in the currency's minor unit (cents for USD), kept in a JS number
 * only while they are safe integers; every operation checks that. Nothing here ever sums binary floats.
 */
import { CreditDeskError } from './errors';

/** An amount in minor units (for example cents). Always a safe integer. */
export type Minor = number;

/** ISO 4217 exponents that differ from 2. */
const MINOR_DIGITS: Record<string, number> = {
  BHD: 3,
  BIF: 0,
  CLP: 0,
  DJF: 0,
  GNF: 0,
  IQD: 3,
  ISK: 0,
  JOD: 3,
  JPY: 0,
  KMF: 0,
  KRW: 0,
  KWD: 3,
  LYD: 3,
  OMR: 3,
  PYG: 0,
  RWF: 0,
  TND: 3,
  UGX: 0,
  UYI: 0,
  VND: 0,
  VUV: 0,
  XAF: 0,
  XOF: 0,
  XPF: 0,
};

const CURRENCY_CODE = /^[A-Z]{3}$/;

export function isCurrencyCode(code: string): boolean {
  return CURRENCY_CODE.test(code);
}

/** How many decimal digits the currency's minor unit has (2 for USD, 0 for JPY, 3 for KWD). */
export function minorDigits(currency: string): number {
  if (!isCurrencyCode(currency)) {
    throw new CreditDeskError(
      'BAD_MONEY',
      `"${currency}" is not an ISO 4217 currency code`,
      'Use three capital letters, such as USD.',
    );
  }
  return MINOR_DIGITS[currency] ?? 2;
}

export function assertMinor(value: number, what = 'amount'): Minor {
  if (!Number.isSafeInteger(value)) {
    throw new CreditDeskError(
      'BAD_MONEY',
      `${what} ${value} is out of the exact range`,
      'Amounts must stay below 90 trillion.',
    );
  }
  return value;
}

export function addMinor(a: Minor, b: Minor): Minor {
  return assertMinor(a + b, 'sum');
}

export function sumMinor(values: Iterable<Minor>): Minor {
  let total = 0;
  for (const v of values) total = addMinor(total, v);
  return total;
}

const DECIMAL = /^([+-])?(\d+)(?:\.(\d*))?$|^([+-])?\.(\d+)$/;

/**
 * Parses a decimal string ("12.34", "-0.0000001", "1e-7" is refused) into minor units.
 * Extra digits beyond the currency's precision are refused unless `round` is set, in which case the
 * value is rounded half to even (banker's rounding, as accountants expect for aggregated cents).
 */
export function parseDecimal(text: string, currency: string, opts: { round?: boolean } = {}): Minor {
  const digits = minorDigits(currency);
  const { trimmed, negative, intPart, fracPart } = splitDecimal(text);
  const sign = negative ? -1 : 1;
  const kept = fracPart.slice(0, digits).padEnd(digits, '0');
  const dropped = fracPart.slice(digits);
  if (dropped && /[1-9]/.test(dropped) && !opts.round) {
    throw new CreditDeskError(
      'BAD_MONEY',
      `"${truncate(trimmed)}" has more than ${digits} decimals for ${currency}`,
      `Round it to ${digits} decimals.`,
    );
  }
  let minor = BigInt(intPart + kept);
  if (dropped && opts.round) {
    // Half to even on the dropped digits.
    const first = Number(dropped[0]);
    const restNonZero = /[1-9]/.test(dropped.slice(1));
    if (first > 5 || (first === 5 && (restNonZero || minor % 2n === 1n))) minor += 1n;
  }
  const value = Number(minor) * sign;
  return assertMinor(value === 0 ? 0 : value);
}

/** The parts of a decimal string, or the error parseDecimal and parseExact give for anything else. */
function splitDecimal(text: string): {
  trimmed: string;
  negative: boolean;
  intPart: string;
  fracPart: string;
} {
  const trimmed = String(text).trim();
  const m = DECIMAL.exec(trimmed);
  if (!m) {
    throw new CreditDeskError(
      'BAD_MONEY',
      `"${truncate(trimmed)}" is not a decimal amount`,
      'Write amounts like 1234.56, with a dot and no thousands separators.',
    );
  }
  return { trimmed, negative: (m[1] ?? m[4]) === '-', intPart: m[2] ?? '0', fracPart: m[3] ?? m[5] ?? '' };
}

/**
 * An exact decimal, units × 10^-scale, with every digit it was written with. Amounts that are summed before
 * they are rounded (the CUR rows of one credit, core/cur.ts) are kept in this form, so that the sum is exact
 * and is rounded to minor units once, at the end.
 */
export interface ExactDecimal {
  units: bigint;
  scale: number;
}

export const EXACT_ZERO: ExactDecimal = { units: 0n, scale: 0 };

/** "-0.0150000000" → -150000000 × 10^-10. Refuses what parseDecimal refuses as not a decimal amount. */
export function parseExact(text: string): ExactDecimal {
  const { negative, intPart, fracPart } = splitDecimal(text);
  const units = BigInt(intPart + fracPart);
  return { units: negative ? -units : units, scale: fracPart.length };
}

/** a + b, exactly, at the larger of the two scales. */
export function addExact(a: ExactDecimal, b: ExactDecimal): ExactDecimal {
  if (a.scale === b.scale) return { units: a.units + b.units, scale: a.scale }; // the engine's rows: one scale
  const scale = Math.max(a.scale, b.scale);
  const at = (d: ExactDecimal) => d.units * 10n ** BigInt(scale - d.scale);
  return { units: at(a) + at(b), scale };
}

/**
 * Rounds an exact decimal to the currency's minor units. It goes through parseDecimal's rounding (half to even)
 * rather than a second implementation of it, so a summed amount rounds exactly as a single one always has.
 */
export function roundExact(d: ExactDecimal, currency: string): Minor {
  const digits = (d.units < 0n ? -d.units : d.units).toString().padStart(d.scale + 1, '0');
  const cut = digits.length - d.scale;
  const text = d.scale === 0 ? digits : `${digits.slice(0, cut)}.${digits.slice(cut)}`;
  return parseDecimal(d.units < 0n ? `-${text}` : text, currency, { round: true });
}

/** Formats minor units as a plain decimal string: 123456 USD → "1234.56", -5 → "-0.05". */
export function formatMinor(minor: Minor, currency: string): string {
  assertMinor(minor);
  const digits = minorDigits(currency);
  const negative = minor < 0;
  const abs = String(Math.abs(minor)).padStart(digits + 1, '0');
  const body = digits === 0 ? abs : `${abs.slice(0, abs.length - digits)}.${abs.slice(abs.length - digits)}`;
  return negative ? `-${body}` : body;
}

/** The number written to a spreadsheet cell: exact for any amount with the currency's precision. */
export function toSheetNumber(minor: Minor, currency: string): number {
  return Number(formatMinor(minor, currency));
}

/**
 * Reads an amount back from a spreadsheet cell. A cell holds a double, so 12.34 comes back as the double
 * nearest 12.34; its shortest decimal form ("12.34") is exact, which is what we parse.
 */
export function fromSheetValue(value: unknown, currency: string): Minor {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new CreditDeskError('BAD_MONEY', `amount ${value} is not a number`);
    return parseDecimal(numberToPlainString(value), currency, { round: true });
  }
  if (typeof value === 'string' && value.trim() !== '') {
    const t = value.trim();
    // Commas are thousands separators only in well-formed groups ("1,234.56"); "12,34" (a decimal comma) is refused
    // rather than silently read as 1234.
    const plain = /^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$/.test(t) ? t.replace(/,/g, '') : t;
    return parseDecimal(plain, currency, { round: true });
  }
  throw new CreditDeskError(
    'BAD_MONEY',
    `amount cell is empty or not a number (${JSON.stringify(value)})`,
    'Restore the amount or re-run the sync.',
  );
}

/** 1e-7 → "0.0000001": JS prints small and large numbers in exponent form, which parseDecimal refuses. */
function numberToPlainString(n: number): string {
  const s = String(n);
  if (!/e/i.test(s)) return s;
  return n.toFixed(20).replace(/\.?0+$/, '');
}

/** For display: "1,234.56 USD". */
export function displayMoney(minor: Minor, currency: string): string {
  const plain = formatMinor(minor, currency);
  const [i, f] = plain.replace('-', '').split('.');
  const grouped = i.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${minor < 0 ? '-' : ''}${grouped}${f !== undefined ? '.' + f : ''} ${currency}`;
}

function truncate(s: string): string {
  return s.length > 40 ? s.slice(0, 37) + '...' : s;
}
