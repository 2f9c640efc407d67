/**
 * choose() must equal the obvious, slow definition: take every rule that admits the credit, sort by the
 * ranking, take the first. The reference below is written from the spec, independently of match.ts / rank.ts.
 */
import fc from 'fast-check';
import { RuleIndex, type Context, type Rule, type RuleSubject } from '../../../core/rules';
import { compileRule } from '../../../core/rules/match';
import { findShadowed } from '../../../core/rules/shadow';

const CUSTOMERS = ['C1', 'C2', 'c3', 'C4', ''];
const RESELLERS = ['RS1', 'RS2', 'RS3', ''];
const SERVICES = ['AmazonEC2', 'AmazonS3', 'AWSLambda'];
const DESCRIPTIONS = [
  'AWS Activate Credit',
  'MAP 2.0 migration credit',
  'クレジット 2026',
  'aws activate credit ',
  'Other',
];
const PERIODS = ['2025-12', '2026-01', '2026-02', '2026-03'];

const contextArb = (ids: string[]): fc.Arbitrary<Context> =>
  fc.oneof(
    fc.constant<Context>({ mode: 'ALL', ids: [] }),
    fc.record({
      mode: fc.constantFrom<'ONLY' | 'EXCLUDE'>('ONLY', 'EXCLUDE'),
      ids: fc.uniqueArray(fc.constantFrom(...ids.filter(Boolean)), { minLength: 1 }),
    }),
  );

const descriptionArb = fc.oneof(
  fc.record({
    match: fc.constant<'exact'>('exact'),
    description: fc.constantFrom(
      '',
      'AWS Activate Credit',
      'aws activate credit',
      'クレジット 2026',
      'Other',
    ),
  }),
  fc.record({
    match: fc.constant<'contains'>('contains'),
    description: fc.constantFrom('', 'activate', 'credit', 'クレジット', 'map'),
  }),
  fc.record({
    match: fc.constant<'regex'>('regex'),
    description: fc.constantFrom('', '^aws', 'credit\\s*$', 'MAP \\d', '\\d{4}'),
  }),
);

const ruleArb = (ruleId: string): fc.Arbitrary<Rule> =>
  fc
    .record({
      desc: descriptionArb,
      from: fc.option(fc.constantFrom(...PERIODS)),
      to: fc.option(fc.constantFrom(...PERIODS)),
      customer: contextArb(CUSTOMERS),
      reseller: contextArb(RESELLERS),
      service: contextArb(SERVICES),
      created: fc.constantFrom('', '2025-06-01', '2026-01-01', '2026-01-01T12:00:00Z', '2026-02-15'),
      enabled: fc.boolean(),
    })
    .map((r) => ({
      ruleId,
      name: '',
      description: r.desc.description,
      match: r.desc.match,
      customerBp: 5000,
      resellerBp: 0,
      from: r.from,
      to: r.to,
      customer: r.customer,
      reseller: r.reseller,
      service: r.service,
      created: r.created,
      enabled: r.enabled,
      row: 2,
    }));

const rulesArb = fc
  .integer({ min: 0, max: 25 })
  .chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => ruleArb(`R-${String(i).padStart(2, '0')}`))));

const subjectArb: fc.Arbitrary<RuleSubject> = fc.record({
  description: fc.constantFrom(...DESCRIPTIONS),
  period: fc.constantFrom(...PERIODS),
  customerId: fc.constantFrom(...CUSTOMERS),
  resellerId: fc.constantFrom(...RESELLERS),
  service: fc.constantFrom(...SERVICES),
});

// --- the reference -------------------------------------------------------------------------------------

const lower = (s: string) => s.normalize('NFC').toLowerCase().trim();

function contextOk(c: Context, id: string): boolean {
  const listed = c.ids.some((x) => lower(x) === lower(id));
  if (c.mode === 'ALL') return true;
  if (c.mode === 'ONLY') return id !== '' && listed;
  return !listed;
}

function descriptionOk(r: Rule, d: string): boolean {
  if (r.description.trim() === '') return true;
  if (r.match === 'exact') return lower(d) === lower(r.description);
  if (r.match === 'contains') return lower(d).includes(lower(r.description));
  return new RegExp(r.description, 'i').test(d);
}

function naiveChoose(rules: Rule[], s: RuleSubject): Rule | null {
  const specificity = { ONLY: 2, EXCLUDE: 1, ALL: 0 };
  const createdMs = (c: string) =>
    c === '' ? -Infinity : Date.parse(c.length === 10 ? `${c}T00:00:00Z` : c);
  const candidates = rules.filter(
    (r) =>
      r.enabled &&
      (r.from === null || r.from <= s.period) &&
      (r.to === null || s.period <= r.to) &&
      contextOk(r.customer, s.customerId) &&
      contextOk(r.reseller, s.resellerId) &&
      contextOk(r.service, s.service) &&
      descriptionOk(r, s.description),
  );
  candidates.sort(
    (a, b) =>
      Number(b.description.trim() !== '') - Number(a.description.trim() !== '') ||
      specificity[b.customer.mode] - specificity[a.customer.mode] ||
      specificity[b.reseller.mode] - specificity[a.reseller.mode] ||
      specificity[b.service.mode] - specificity[a.service.mode] ||
      (createdMs(b.created) === createdMs(a.created)
        ? 0
        : createdMs(b.created) > createdMs(a.created)
          ? 1
          : -1) ||
      (a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : 0),
  );
  return candidates[0] ?? null;
}

describe('RuleIndex.choose equals the naive reference', () => {
  it('on random rules and credits (asked in several orders, so the caches are exercised)', () => {
    fc.assert(
      fc.property(rulesArb, fc.array(subjectArb, { minLength: 1, maxLength: 30 }), (rules, subjects) => {
        const index = new RuleIndex(rules);
        for (const s of [...subjects, ...subjects.reverse()]) {
          expect(index.choose(s)?.ruleId ?? null).toBe(naiveChoose(rules, s)?.ruleId ?? null);
        }
      }),
      { numRuns: 250 },
    );
  });

  it('explain() agrees with choose() and lists exactly the admitting rules, best first', () => {
    fc.assert(
      fc.property(rulesArb, subjectArb, (rules, s) => {
        const index = new RuleIndex(rules);
        const e = index.explain(s);
        expect(e.chosen?.ruleId ?? null).toBe(index.choose(s)?.ruleId ?? null);
        expect(e.usedDefault).toBe(e.chosen === null);
        expect(e.matching[0]?.rule.ruleId ?? null).toBe(e.chosen?.ruleId ?? null);
        const admitting = rules.filter((r) => naiveChoose([r], s) !== null).map((r) => r.ruleId);
        expect(e.matching.map((m) => m.rule.ruleId).sort()).toEqual(admitting.sort());
      }),
      { numRuns: 300 },
    );
  });
});

describe('shadowed rules (validateRules) really never win', () => {
  const everySubject: RuleSubject[] = DESCRIPTIONS.flatMap((description) =>
    PERIODS.flatMap((period) =>
      CUSTOMERS.flatMap((customerId) =>
        RESELLERS.flatMap((resellerId) =>
          SERVICES.map((service) => ({ description, period, customerId, resellerId, service })),
        ),
      ),
    ),
  );

  it('on random rules, no credit in the whole small universe gets a rule reported as shadowed', () => {
    fc.assert(
      fc.property(rulesArb, (rules) => {
        const enabled = rules.filter((r) => r.enabled);
        const shadowed = new Set(findShadowed(enabled.map(compileRule)).map((s) => s.shadowed.rule.ruleId));
        const index = new RuleIndex(enabled);
        for (const s of everySubject) {
          const chosen = index.choose(s);
          if (chosen) expect(shadowed.has(chosen.ruleId)).toBe(false);
        }
      }),
      { numRuns: 30 },
    );
  });
});
