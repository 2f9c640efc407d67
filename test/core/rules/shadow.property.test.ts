/**
 * The indexed findShadowed gives exactly what the pairwise definition gives — which rules are shadowed and by
 * which (the best-ranked) rule — on random rule sets built to shadow each other often: few descriptions, some
 * contained in others, few IDs, overlapping periods, ties on Created.
 */
import fc from 'fast-check';
import { compileRule, type CompiledRule } from '../../../core/rules/match';
import { compareRank, rankDifference } from '../../../core/rules/rank';
import { covers, findShadowed } from '../../../core/rules/shadow';
import type { Context, Rule } from '../../../core/rules';
import { rule } from './fixtures';

/** The definition: for each rule, the first better-ranked rule that covers it. Quadratic; the reference. */
function pairwise(enabled: CompiledRule[]): { shadowed: string; by: string }[] {
  const ranked = [...enabled].sort(compareRank);
  const out: { shadowed: string; by: string }[] = [];
  ranked.forEach((b, j) => {
    for (let i = 0; i < j; i++) {
      const a = ranked[i];
      if (rankDifference(a, b).order < 0 && covers(a, b)) {
        out.push({ shadowed: b.rule.ruleId, by: a.rule.ruleId });
        return;
      }
    }
  });
  return out;
}

const ids = (pool: string[]) => fc.uniqueArray(fc.constantFrom(...pool), { maxLength: 3 });
const context = (pool: string[]): fc.Arbitrary<Context> =>
  fc.oneof(
    { weight: 4, arbitrary: fc.constant<Context>({ mode: 'ALL', ids: [] }) },
    { weight: 1, arbitrary: ids(pool).map((x): Context => ({ mode: 'ONLY', ids: x })) },
    { weight: 1, arbitrary: ids(pool).map((x): Context => ({ mode: 'EXCLUDE', ids: x })) },
  );
const period = fc.option(fc.constantFrom('2026-01', '2026-03', '2026-06'), { nil: null, freq: 2 });
const description = fc.oneof(
  fc.constant<[Rule['match'], string]>(['exact', '']),
  fc.tuple(
    fc.constantFrom<Rule['match']>('exact', 'contains', 'contains', 'regex'),
    fc.constantFrom('MAP credit', 'map', 'credit', 'AP C', 'Promo credit', 'Promo', '^MAP', 'p', 'c', 'é'),
  ),
);

const rulesArb = fc
  .array(
    fc.record({
      description,
      from: period,
      to: period,
      customer: context(['c1', 'c2', 'c3', 'C1']),
      reseller: context(['r1', 'r2']),
      service: context(['s1']),
      created: fc.constantFrom('2026-01-01', '2026-02-01', 'not a date'),
    }),
    { minLength: 5, maxLength: 25 },
  )
  .map((xs) =>
    xs.map((x, i) =>
      rule({
        ruleId: `R-${String(i).padStart(2, '0')}`,
        match: x.description[0],
        description: x.description[1],
        from: x.from,
        to: x.to,
        customer: x.customer,
        reseller: x.reseller,
        service: x.service,
        created: x.created,
        row: i + 2,
      }),
    ),
  );

describe('findShadowed (indexed) equals the pairwise definition (property)', () => {
  it('same shadowed rules, each with the same best-ranked shadowing rule', () => {
    fc.assert(
      fc.property(rulesArb, (rules) => {
        const compiled = rules.map(compileRule);
        const got = findShadowed(compiled).map((s) => ({
          shadowed: s.shadowed.rule.ruleId,
          by: s.by.rule.ruleId,
        }));
        expect(got).toEqual(pairwise(compiled));
      }),
      { numRuns: 1500 },
    );
  });

  it('finds shadowing at all in these sets (the property is not vacuous)', () => {
    const sample = fc.sample(rulesArb, { numRuns: 200, seed: 7 });
    const found = sample.reduce((n, rules) => n + findShadowed(rules.map(compileRule)).length, 0);
    expect(found).toBeGreaterThan(100);
  });
});
