/**
 * What `apply-rules` prints after a run (sync-service/jobs/apply-rules.ts formatRulesOutcome). A month of 8,000
 * accounts printed one line per target (9,900 lines); now a long list is the most used rules and one line per
 * currency and role, whose counts and sums are exact, with the command that shows each target. With --details (no
 * commands given) everything is listed, as before.
 */
import fc from 'fast-check';
import { addMinor, displayMoney } from '../../../core/money';
import { formatRulesOutcome, type RulesOutcome } from '../../../sync-service/jobs/apply-rules';

type Target = RulesOutcome['totals'][number];

function outcome(rules: number, totals: Target[]): RulesOutcome {
  const byRule = Array.from({ length: rules }, (_, i) => ({
    ruleId: `R-${String(i + 1).padStart(4, '0')}`,
    name: `Rule ${i + 1}`,
    credits: rules - i,
  }));
  const credits = byRule.reduce((n, r) => n + r.credits, 0);
  return {
    plan: { items: new Array(credits), failed: [], skippedHeld: [], skippedCorrections: [] },
    outcomes: [],
    byRule,
    totals,
    failed: [],
    ruleProblems: [],
    notApplied: false,
  } as unknown as RulesOutcome;
}

const COMMANDS = {
  details: './credit-desk apply-rules --period 2026-10 --dry-run --details',
  report: './credit-desk report --period 2026-10',
};

const targets = fc
  .uniqueArray(
    fc.record({
      role: fc.constantFrom('customer', 'reseller', 'distributor'),
      targetId: fc.constantFrom(...Array.from({ length: 40 }, (_, i) => `T-${i}`)),
      currency: fc.constantFrom('USD', 'EUR', 'JPY'),
      amount: fc.integer({ min: 1, max: 1e12 }),
    }),
    { selector: (t) => `${t.role}|${t.targetId}|${t.currency}`, minLength: 21, maxLength: 120 },
  )
  .map((ts) =>
    [...ts].sort(
      (a, b) =>
        a.currency.localeCompare(b.currency) ||
        a.role.localeCompare(b.role) ||
        a.targetId.localeCompare(b.targetId),
    ),
  );

describe('formatRulesOutcome', () => {
  it('sums a long list of targets per currency and role, exactly, and names the command that shows each', () => {
    fc.assert(
      fc.property(targets, fc.boolean(), (totals, dryRun) => {
        const text = formatRulesOutcome(outcome(3, totals), dryRun, COMMANDS);
        const lines = text.split('\n');
        const head = lines.findIndex((l) => l.startsWith('Totals passed on, per currency and role'));
        expect(lines[head]).toContain(`(${totals.length} targets; each target's: `);
        expect(lines[head]).toContain(dryRun ? COMMANDS.details : COMMANDS.report);
        const expected = new Map<string, { n: number; amount: number }>();
        for (const t of totals) {
          const k = `${t.role} ${t.currency}`;
          const e = expected.get(k) ?? { n: 0, amount: 0 };
          expected.set(k, { n: e.n + 1, amount: addMinor(e.amount, t.amount) });
        }
        const grouped = lines.slice(head + 1);
        expect(grouped).toHaveLength(expected.size);
        for (const line of grouped) {
          const [, role, n, money, currency] = /^ {2}(\S+) +([\d,]+) targets? +(\S+) (\S+)$/.exec(line)!;
          const e = expected.get(`${role} ${currency}`)!;
          expect(Number(n.replace(/,/g, ''))).toBe(e.n);
          expect(`${money} ${currency}`).toBe(displayMoney(e.amount, currency));
        }
        expect(text).not.toMatch(/T-\d+/); // no target one a line
      }),
      { numRuns: 200 },
    );
  });

  it('lists the most used rules and one line for the rest', () => {
    const text = formatRulesOutcome(outcome(14, []), false, COMMANDS);
    const rules = text.split('\n').filter((l) => /^ {2}R-/.test(l));
    expect(rules).toHaveLength(10);
    expect(rules[0]).toMatch(/^ {2}R-0001 +14 {2}Rule 1$/);
    // Rules 11 to 14 were used 4, 3, 2 and 1 times.
    expect(text).toContain('  … 4 more rules, 10 credits');
    expect(formatRulesOutcome(outcome(11, []), false, COMMANDS)).toContain('  … 1 more rule, 1 credit');
  });

  it('lists every rule and target with --details, and a short list as it is', () => {
    const many: Target[] = Array.from({ length: 30 }, (_, i) => ({
      role: 'customer',
      targetId: `T-${i}`,
      currency: 'USD',
      amount: 100 + i,
    }));
    const all = formatRulesOutcome(outcome(14, many), false);
    expect(all.split('\n').filter((l) => /^ {2}R-/.test(l))).toHaveLength(14);
    expect(all.split('\n').filter((l) => / T-\d+ /.test(l))).toHaveLength(30);
    const short = formatRulesOutcome(outcome(2, many.slice(0, 20)), false, COMMANDS);
    expect(short).toContain('Totals passed on, per target and currency:');
    expect(short.split('\n').filter((l) => / T-\d+ /.test(l))).toHaveLength(20);
  });
});
