/**
 * The reconciliation identity over random CUR months: every readable credit line lands in exactly one of
 * imported, flagged (held for review) or left out, to the minor unit; unreadable lines are counted and named;
 * nothing blocks, and merging into an empty sheet adds exactly the imported and flagged credits.
 */
import fc from 'fast-check';
import { readCurRows, type RawCurRow } from '../../core/cur';
import { mergeCredits } from '../../core/merge';
import { holdFlags } from '../../core/flags';
import { directory, NOW } from '../helpers/domain';

interface Line {
  payer: string | null;
  usage: string | null;
  description: string;
  currency: string | null;
  /** Minor units of the currency as it is written (a credit is negative); null = an unreadable cost. */
  cost: number | null;
  id: string;
}

const DIGITS: Record<string, number> = { USD: 2, JPY: 0, KWD: 3 };

function costText(minor: number, currency: string | null): string {
  const d = DIGITS[currency ?? ''] ?? 2;
  const sign = minor < 0 ? '-' : '';
  const abs = String(Math.abs(minor)).padStart(d + 1, '0');
  return d === 0 ? `${sign}${abs}` : `${sign}${abs.slice(0, -d)}.${abs.slice(-d)}`;
}

/** What the credits query returns for these lines (the SQL's GROUP BY, done by hand). */
function queryRows(lines: Line[]): RawCurRow[] {
  const groups = new Map<string, { row: RawCurRow; sum: number; readable: number }>();
  for (const l of lines) {
    const bad = l.cost === null;
    const k = JSON.stringify([l.payer, l.usage, l.description, l.currency, bad ? l.id : null]);
    let g = groups.get(k);
    if (!g) {
      g = {
        row: {
          billing_period: '2026-10',
          payer_account_id: l.payer,
          usage_account_id: l.usage,
          product_code: 'AmazonEC2',
          description: l.description,
          currency_code: l.currency,
          amount: null,
          line_count: 0,
          bad_cost_lines: 0,
          line_id: bad ? l.id : null,
          bad_cost: bad ? 'n/a' : null,
        },
        sum: 0,
        readable: 0,
      };
      groups.set(k, g);
    }
    g.row.line_count = Number(g.row.line_count) + 1;
    if (bad) g.row.bad_cost_lines = Number(g.row.bad_cost_lines) + 1;
    else {
      g.sum += l.cost!;
      g.readable++;
    }
  }
  return [...groups.values()].map((g) => ({
    ...g.row,
    amount: g.readable ? costText(g.sum, g.row.currency_code) : null,
  }));
}

const line: fc.Arbitrary<Line> = fc.record({
  payer: fc.constantFrom('111111111111', '111111111111', '999999999999', null, 'n/a'),
  usage: fc.constantFrom('222222222222', '333333333333', '111111111111', null, ''),
  description: fc.constantFrom('MAP credit', 'MAP  credit', 'Promo', 'Support credit'),
  currency: fc.constantFrom('USD', 'USD', 'JPY', 'KWD', 'dollars', null),
  // Mostly credits (negative), some reversals (positive), some unreadable.
  cost: fc.oneof(
    { weight: 6, arbitrary: fc.integer({ min: -1_000_000, max: -1 }) },
    { weight: 2, arbitrary: fc.integer({ min: 1, max: 1_000_000 }) },
    { weight: 1, arbitrary: fc.constant(null) },
  ),
  id: fc.integer({ min: 0, max: 0xffffffff }).map((n) => n.toString(16).padStart(8, '0')),
});

describe('CUR reconciliation (property)', () => {
  it('CUR total = imported + flagged + left out, per currency, and every readable line is counted once', () => {
    fc.assert(
      fc.property(fc.array(line, { maxLength: 60 }), (lines) => {
        const reading = readCurRows(queryRows(lines), '2026-10');

        // Independent expectation, straight from the lines.
        const expected = new Map<string, { total: number; out: number; unreadable: number }>();
        for (const l of lines) {
          const cur = l.currency && DIGITS[l.currency] !== undefined ? l.currency : 'XXX';
          const e = expected.get(cur) ?? { total: 0, out: 0, unreadable: 0 };
          expected.set(cur, e);
          if (l.cost === null) {
            e.unreadable++;
            continue;
          }
          e.total -= l.cost;
          const attributable = [l.payer, l.usage].some((a) => a !== null && /^\d{12}$/.test(a));
          if (!attributable) e.out -= l.cost;
        }
        const got = new Map(reading.reconciliation.map((r) => [r.currency, r]));
        expect([...got.keys()].sort()).toEqual([...expected.keys()].sort());
        for (const [currency, e] of expected) {
          const r = got.get(currency)!;
          expect(r.cur).toBe(e.total === 0 ? 0 : e.total);
          expect(r.imported + r.flagged + r.leftOut).toBe(r.cur);
          expect(r.leftOut).toBe(e.out === 0 ? 0 : e.out);
          expect(r.unreadableLines).toBe(e.unreadable);
        }
        expect(reading.leftOut.reduce((n, l) => n + l.lines, 0)).toBe(
          lines.filter(
            (l) => l.cost === null || ![l.payer, l.usage].some((a) => a !== null && /^\d{12}$/.test(a)),
          ).length,
        );

        // Held exactly when something is awkward; a credit not held is a positive amount.
        for (const c of reading.credits) {
          if (c.review.length === 0) expect(c.amount).toBeGreaterThan(0);
          if (c.amount <= 0) expect(c.review.map((v) => v.flag)).toContain('REVIEW_NOT_POSITIVE');
        }

        // Into an empty sheet: every credit is added, held ones carry their flags, the money is the same.
        const merged = mergeCredits({
          existing: [],
          incoming: reading.credits,
          directory: directory([{ accountId: '222222222222', customerId: 'C-1' }]),
          takenIds: new Set(),
          recordedDrift: new Set(),
          now: NOW,
          actor: 'test',
          periods: ['2026-10'],
        });
        expect(merged.adds).toHaveLength(reading.credits.length);
        const byKey = new Map(merged.adds.map((c) => [c.key, c]));
        for (const c of reading.credits) {
          const added = byKey.get(c.key)!;
          expect(added.amount).toBe(c.amount);
          expect(holdFlags(added.flags)).toEqual(c.review.map((v) => v.flag));
        }
      }),
      { numRuns: 300 },
    );
  });
});
