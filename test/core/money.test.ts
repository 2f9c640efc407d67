import fc from 'fast-check';
import { CreditDeskError } from '../../core/errors';
import {
  addExact,
  addMinor,
  assertMinor,
  displayMoney,
  formatMinor,
  fromSheetValue,
  isCurrencyCode,
  minorDigits,
  parseDecimal,
  parseExact,
  roundExact,
  sumMinor,
  toSheetNumber,
} from '../../core/money';

const currencyArb = fc.constantFrom('USD', 'EUR', 'JPY', 'KWD', 'BHD', 'KRW');

function errorOf(fn: () => unknown): CreditDeskError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(CreditDeskError);
    return e as CreditDeskError;
  }
  throw new Error('expected a CreditDeskError, nothing was thrown');
}

/**
 * Reference rounding, independent of parseDecimal: the decimal string as an exact rational N / 10^k
 * (BigInt), rounded half to even to `digits` decimals.
 */
function referenceRound(text: string, digits: number): bigint {
  const negative = text.startsWith('-');
  const [i, f = ''] = text.replace(/^[+-]/, '').split('.');
  const scale = Math.max(f.length, digits);
  const n = BigInt((i || '0') + f.padEnd(scale, '0'));
  const div = 10n ** BigInt(scale - digits);
  let q = n / div;
  const twice = (n % div) * 2n;
  if (twice > div || (twice === div && q % 2n === 1n)) q += 1n;
  return negative ? -q : q;
}

describe('currencies', () => {
  it('knows the minor digits of each currency', () => {
    expect(minorDigits('USD')).toBe(2);
    expect(minorDigits('EUR')).toBe(2);
    expect(minorDigits('JPY')).toBe(0);
    expect(minorDigits('KWD')).toBe(3);
    expect(minorDigits('BHD')).toBe(3);
  });

  it.each(['usd', 'US', 'USDX', '', '12A'])('refuses %j as a currency code', (code) => {
    expect(isCurrencyCode(code)).toBe(false);
    const err = errorOf(() => minorDigits(code));
    expect(err.code).toBe('BAD_MONEY');
    expect(err.hint).toMatch(/three capital letters/);
  });
});

describe('parseDecimal', () => {
  it.each<[string, string, number]>([
    ['12.34', 'USD', 1234],
    ['-0.05', 'USD', -5],
    ['+7', 'USD', 700],
    ['.5', 'USD', 50],
    ['-.5', 'USD', -50],
    ['5.', 'USD', 500],
    ['  0012.30  ', 'USD', 1230],
    ['1.2300', 'USD', 123], // trailing zeros are not extra precision
    ['-0.00', 'USD', 0],
    ['1500', 'JPY', 1500],
    ['1.234', 'KWD', 1234],
    ['90071992547409.91', 'USD', Number.MAX_SAFE_INTEGER],
  ])('reads %j %s as %d', (text, currency, minor) => {
    expect(parseDecimal(text, currency)).toBe(minor);
  });

  it('never returns negative zero', () => {
    expect(Object.is(parseDecimal('-0.00', 'USD'), 0)).toBe(true);
    expect(Object.is(parseDecimal('-0.004', 'USD', { round: true }), 0)).toBe(true);
  });

  it.each<[string, string, number]>([
    ['0.125', 'USD', 12], // half → even (2)
    ['0.135', 'USD', 14], // half → even (4)
    ['0.1250001', 'USD', 13], // above half → up
    ['0.1249999', 'USD', 12],
    ['-0.125', 'USD', -12], // symmetric for negatives
    ['-0.135', 'USD', -14],
    ['0.995', 'USD', 100], // carries into the units
    ['2.5', 'JPY', 2],
    ['3.5', 'JPY', 4],
    ['1.0005', 'KWD', 1000],
    ['1.0015', 'KWD', 1002],
  ])('rounds %j %s half to even: %d', (text, currency, minor) => {
    expect(parseDecimal(text, currency, { round: true })).toBe(minor);
  });

  it.each<[string, string, RegExp]>([
    ['1e-7', 'USD', /"1e-7" is not a decimal amount/],
    ['12,34', 'USD', /not a decimal amount/],
    ['$5', 'USD', /not a decimal amount/],
    ['1.2.3', 'USD', /not a decimal amount/],
    ['--5', 'USD', /not a decimal amount/],
    ['', 'USD', /"" is not a decimal amount/],
    ['.', 'USD', /not a decimal amount/],
    ['1.234', 'USD', /"1.234" has more than 2 decimals for USD/],
    ['1.5', 'JPY', /has more than 0 decimals for JPY/],
    ['90071992547409.92', 'USD', /out of the exact range/],
    ['x'.repeat(100), 'USD', /"x{37}\.\.\." is not a decimal amount/], // long input is shortened in the message
  ])('refuses %j %s', (text, currency, message) => {
    const err = errorOf(() => parseDecimal(text, currency));
    expect(err.code).toBe('BAD_MONEY');
    expect(err.message).toMatch(message);
    expect(err.hint).not.toBe('');
  });

  it('property: rounding matches an exact half-to-even reference', () => {
    fc.assert(
      fc.property(
        currencyArb,
        fc.boolean(),
        fc.stringMatching(/^[0-9]{1,12}$/),
        fc.stringMatching(/^[0-9]{0,8}$/),
        (currency, negative, whole, frac) => {
          const text = `${negative ? '-' : ''}${whole}${frac ? '.' + frac : ''}`;
          const expected = referenceRound(text, minorDigits(currency));
          expect(parseDecimal(text, currency, { round: true })).toBe(Number(expected) || 0);
        },
      ),
    );
  });

  it('property: without rounding, extra non-zero digits are refused', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[0-9]{1,6}\.[0-9]{2}[0-9]*[1-9]$/), (text) => {
        expect(errorOf(() => parseDecimal(text, 'USD')).message).toMatch(/more than 2 decimals/);
      }),
    );
  });
});

describe('formatMinor and displayMoney', () => {
  it.each<[number, string, string]>([
    [123456, 'USD', '1234.56'],
    [-5, 'USD', '-0.05'],
    [0, 'USD', '0.00'],
    [7, 'JPY', '7'],
    [-1234, 'JPY', '-1234'],
    [5, 'KWD', '0.005'],
    [Number.MAX_SAFE_INTEGER, 'USD', '90071992547409.91'],
  ])('formats %d %s as %j', (minor, currency, text) => {
    expect(formatMinor(minor, currency)).toBe(text);
  });

  it('refuses a non-integer amount', () => {
    expect(errorOf(() => formatMinor(1.5, 'USD')).code).toBe('BAD_MONEY');
  });

  it('groups thousands for display', () => {
    expect(displayMoney(123456789, 'USD')).toBe('1,234,567.89 USD');
    expect(displayMoney(-5, 'USD')).toBe('-0.05 USD');
    expect(displayMoney(1234567, 'JPY')).toBe('1,234,567 JPY');
    expect(displayMoney(1234567, 'KWD')).toBe('1,234.567 KWD');
  });

  it('property: format(parse(text)) = text for canonical decimal strings', () => {
    fc.assert(
      fc.property(
        currencyArb,
        fc.boolean(),
        fc.stringMatching(/^(0|[1-9][0-9]{0,11})$/),
        fc.stringMatching(/^[0-9]{3}$/),
        (currency, negative, whole, fracDigits) => {
          const digits = minorDigits(currency);
          const body = digits === 0 ? whole : `${whole}.${fracDigits.slice(0, digits)}`;
          const isZero = !/[1-9]/.test(body);
          const text = negative && !isZero ? `-${body}` : body;
          expect(formatMinor(parseDecimal(text, currency), currency)).toBe(text);
        },
      ),
    );
  });

  it('property: parse(format(minor)) = minor for every safe integer', () => {
    fc.assert(
      fc.property(
        currencyArb,
        fc.integer({ min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }),
        (currency, minor) => {
          expect(parseDecimal(formatMinor(minor, currency), currency)).toBe(minor);
        },
      ),
    );
  });
});

describe('sheet values', () => {
  it.each<[unknown, string, number]>([
    [0.1 + 0.2, 'USD', 30], // 0.30000000000000004
    [1.1 * 3, 'USD', 330], // 3.3000000000000003
    [0.07 * 3, 'USD', 21], // 0.21000000000000002
    [100 - 99.99, 'USD', 1], // 0.010000000000005116
    [12.34, 'USD', 1234],
    [-12.34, 'USD', -1234],
    [1e-7, 'USD', 0], // printed as 1e-7 by JS; read as 0.0000001
    [1234, 'JPY', 1234],
    [1234.5, 'JPY', 1234], // half to even
    [1.2345, 'KWD', 1234], // half to even on the shortest form "1.2345"
    ['1,234.56', 'USD', 123456], // text with thousands separators, as Sheets may show it
    [' 12.3 ', 'USD', 1230],
  ])('reads %j %s as %d', (value, currency, minor) => {
    expect(fromSheetValue(value, currency)).toBe(minor);
  });

  it.each([[''], ['   '], [null], [undefined], [true], [Number.NaN], [Number.POSITIVE_INFINITY], ['abc']])(
    'refuses %j',
    (value) => {
      expect(errorOf(() => fromSheetValue(value, 'USD')).code).toBe('BAD_MONEY');
    },
  );

  it('writes exact numbers for the sheet', () => {
    expect(toSheetNumber(1234, 'USD')).toBe(12.34);
    expect(toSheetNumber(-5, 'USD')).toBe(-0.05);
    expect(toSheetNumber(1234, 'JPY')).toBe(1234);
    expect(toSheetNumber(1234, 'KWD')).toBe(1.234);
  });

  it('property: fromSheetValue(toSheetNumber(minor)) = minor for |minor| ≤ 10^13', () => {
    fc.assert(
      fc.property(currencyArb, fc.integer({ min: -1e13, max: 1e13 }), (currency, minor) => {
        expect(fromSheetValue(toSheetNumber(minor, currency), currency)).toBe(minor);
      }),
      { numRuns: 1000 },
    );
  });

  it('property: a 2-decimal value that went through float arithmetic still reads as its cents', () => {
    // A sheet formula like =A1+B1 on two cent amounts gives a double near, not at, the exact sum.
    fc.assert(
      fc.property(fc.integer({ min: -1e9, max: 1e9 }), fc.integer({ min: -1e9, max: 1e9 }), (a, b) => {
        const sum = toSheetNumber(a, 'USD') + toSheetNumber(b, 'USD');
        expect(fromSheetValue(sum, 'USD')).toBe(a + b);
      }),
    );
  });
});

describe('exact arithmetic', () => {
  it('adds and sums within the safe range', () => {
    expect(addMinor(1, 2)).toBe(3);
    expect(sumMinor([100, -30, 5])).toBe(75);
    expect(sumMinor([])).toBe(0);
  });

  it('refuses to leave the safe range', () => {
    const err = errorOf(() => addMinor(Number.MAX_SAFE_INTEGER, 1));
    expect(err.code).toBe('BAD_MONEY');
    expect(err.message).toMatch(/out of the exact range/);
    expect(() => sumMinor([Number.MAX_SAFE_INTEGER, 1])).toThrow(CreditDeskError);
    expect(() => assertMinor(0.5)).toThrow(/0.5 is out of the exact range/);
    expect(assertMinor(-42)).toBe(-42);
  });
});

describe('exact decimals (summed first, rounded once)', () => {
  it('keeps every digit and adds across scales', () => {
    expect(parseExact('-0.0150000000')).toEqual({ units: -150000000n, scale: 10 });
    expect(parseExact('+.5')).toEqual({ units: 5n, scale: 1 });
    expect(parseExact('12')).toEqual({ units: 12n, scale: 0 });
    expect(addExact(parseExact('-0.015'), parseExact('-0.0150000000'))).toEqual({
      units: -300000000n,
      scale: 10,
    });
    expect(errorOf(() => parseExact('1e-7')).message).toMatch(/not a decimal amount/);
  });

  it('rounds the sum once: two costs of -0.015 make -0.03, where rounding each first makes -0.04', () => {
    const line = parseExact('-0.015');
    expect(roundExact(addExact(line, line), 'USD')).toBe(-3);
    expect(2 * parseDecimal('-0.015', 'USD', { round: true })).toBe(-4);
    expect(Object.is(roundExact(parseExact('-0.004'), 'USD'), 0)).toBe(true);
    expect(roundExact(parseExact('-1.0005'), 'KWD')).toBe(-1000);
    expect(roundExact(parseExact('2.5'), 'JPY')).toBe(2);
  });

  it('property: rounding an exact sum matches the half-to-even reference on the summed text', () => {
    fc.assert(
      fc.property(
        currencyArb,
        fc.array(fc.tuple(fc.bigInt({ min: -(10n ** 12n), max: 10n ** 12n }), fc.nat({ max: 10 })), {
          minLength: 1,
          maxLength: 8,
        }),
        (currency, parts) => {
          const exact = parts.map(([units, scale]) => ({ units, scale }));
          const sum = exact.reduce(addExact);
          // The reference: every part brought to scale 10 by hand, summed, and rounded from its text.
          const at10 = exact.reduce((n, d) => n + d.units * 10n ** BigInt(10 - d.scale), 0n);
          const abs = (at10 < 0n ? -at10 : at10).toString().padStart(11, '0');
          const text = `${at10 < 0n ? '-' : ''}${abs.slice(0, -10)}.${abs.slice(-10)}`;
          const expected = referenceRound(text, minorDigits(currency));
          if (!Number.isSafeInteger(Number(expected))) return; // out of range: refused, as parseDecimal refuses it
          expect(roundExact(sum, currency)).toBe(Number(expected) || 0);
        },
      ),
    );
  });
});

describe('fromSheetValue with text', () => {
  it('reads thousands separators in well-formed groups and refuses a decimal comma instead of misreading it', () => {
    expect(fromSheetValue('1,234.56', 'USD')).toBe(123456);
    expect(() => fromSheetValue('12,34', 'USD')).toThrow(/not a decimal amount/);
    expect(() => fromSheetValue('1,5', 'EUR')).toThrow(/not a decimal amount/);
  });
});
