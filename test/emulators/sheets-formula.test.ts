/**
 * The local Sheets server's formula evaluator and typed-date reader, property-tested: arithmetic with Sheets'
 * precedence agrees with JavaScript's on random expressions, and a typed date survives being read and
 * rendered in the pattern it was typed in.
 */
import fc from 'fast-check';
import { formatDate, parseTypedDate } from '../../emulators/sheets-dates';
import { evaluate, parseFormula, UnsupportedFormula } from '../../emulators/sheets-formula';

const noCells = () => '' as const;

describe('formulas', () => {
  test('random arithmetic over + - * / and parentheses gives what JavaScript computes (same precedence)', () => {
    const op = fc.constantFrom('+', '-', '*', '/');
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 999 }), { minLength: 2, maxLength: 6 }),
        fc.array(op, { minLength: 5, maxLength: 5 }),
        fc.boolean(),
        (nums, ops, paren) => {
          let src = String(nums[0]);
          for (let i = 1; i < nums.length; i++) src += `${ops[i - 1]}${nums[i]}`;
          if (paren && nums.length > 2) src = `(${src.replace(/^(\d+[-+*/]\d+)/, '($1)')})`;
          // JS and Sheets agree on these operators' precedence and associativity.
          const expected = Function(`return (${src});`)() as number;
          const got = evaluate(parseFormula(`=${src}`), noCells);
          expect(got).toBeCloseTo(expected, 9);
        },
      ),
    );
  });

  test('as in Sheets, unary minus binds tighter than ^ (-2^2 is 4); & joins text; comparisons give booleans', () => {
    expect(evaluate(parseFormula('=2^3*2'), noCells)).toBe(16);
    expect(evaluate(parseFormula('=-2+5'), noCells)).toBe(3);
    expect(evaluate(parseFormula('=-2^2'), noCells)).toBe(4);
    expect(evaluate(parseFormula('="a"&1+1&TRUE'), noCells)).toBe('a2TRUE');
    expect(evaluate(parseFormula('=1<2'), noCells)).toBe(true);
  });

  test('a reference reads the cell it names; a missing sheet is #REF!; text in arithmetic is #VALUE!', () => {
    const cells: Record<string, string | number> = { A1: 4, B2: 'x', 'Tab!C3': 10 };
    const lookup = (sheet: string | undefined, r: number, c: number) => {
      if (sheet === 'Nope') return undefined;
      const key = `${sheet ? `${sheet}!` : ''}${String.fromCharCode(65 + c)}${r + 1}`;
      return cells[key] ?? '';
    };
    expect(evaluate(parseFormula('=$A$1*Tab!C3+Z9'), lookup)).toBe(40);
    expect(evaluate(parseFormula("='Nope'!A1"), lookup)).toBe('#REF!');
    expect(evaluate(parseFormula('=B2+1'), lookup)).toBe('#VALUE!');
  });

  test.each(['=SUM(A1:A3)', '=A1:A3', '=NOW()', '=1+', '=MyRange*2'])('%s is refused, naming it', (f) => {
    expect(() => parseFormula(f)).toThrow(UnsupportedFormula);
    expect(() => parseFormula(f)).toThrow(f);
  });
});

describe('typed dates', () => {
  test('a date typed in ISO or the locale order is that day, and renders back as typed (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.date({
          min: new Date('1900-03-01T00:00:00Z'),
          max: new Date('2199-12-31T00:00:00Z'),
          noInvalidDate: true,
        }),
        fc.constantFrom('en_US', 'en_GB', 'fr_FR'),
        fc.constantFrom('iso', 'padded', 'bare'),
        (d, locale, style) => {
          const day = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
          const y = day.getUTCFullYear();
          const m = day.getUTCMonth() + 1;
          const dd = day.getUTCDate();
          const p = (n: number) => (style === 'padded' ? String(n).padStart(2, '0') : String(n));
          const typed =
            style === 'iso'
              ? day.toISOString().slice(0, 10)
              : locale === 'en_US'
                ? `${p(m)}/${p(dd)}/${y}`
                : `${p(dd)}/${p(m)}/${y}`;
          const got = parseTypedDate(typed, locale);
          expect(got?.date.getTime()).toBe(day.getTime());
          expect(formatDate(got!.date, got!.pattern)).toBe(typed);
        },
      ),
    );
  });

  test('what is not a real date stays text', () => {
    for (const t of ['2026-02-30', '13/13/2026', '2026-03', 'June 12', '1/2'])
      expect(parseTypedDate(t, 'en_GB')).toBeNull();
  });
});
