import { RuleIndex, type Rule } from '../../../core/rules';
import { rule, subject } from './fixtures';

const pick = (rules: Rule[], s = subject()) => new RuleIndex(rules).choose(s)?.ruleId ?? null;

describe('RuleIndex.choose: ranking steps, each in isolation', () => {
  // Each pair differs in one criterion; both admit the subject. Listed in both orders to rule out input order.
  const pairs: [string, Partial<Rule>, Partial<Rule>][] = [
    ['a matched description beats a blank one', { description: 'aws credit' }, { description: '' }],
    [
      'customer ONLY beats EXCLUDE',
      { customer: { mode: 'ONLY', ids: ['C1'] } },
      { customer: { mode: 'EXCLUDE', ids: ['C9'] } },
    ],
    ['customer EXCLUDE beats ALL', { customer: { mode: 'EXCLUDE', ids: ['C9'] } }, {}],
    [
      'reseller ONLY beats EXCLUDE',
      { reseller: { mode: 'ONLY', ids: ['RS1'] } },
      { reseller: { mode: 'EXCLUDE', ids: ['X'] } },
    ],
    ['reseller EXCLUDE beats ALL', { reseller: { mode: 'EXCLUDE', ids: ['X'] } }, {}],
    [
      'service ONLY beats EXCLUDE',
      { service: { mode: 'ONLY', ids: ['AmazonEC2'] } },
      { service: { mode: 'EXCLUDE', ids: ['AmazonS3'] } },
    ],
    ['service EXCLUDE beats ALL', { service: { mode: 'EXCLUDE', ids: ['AmazonS3'] } }, {}],
    ['the newest Created wins', { created: '2026-03-01' }, { created: '2026-02-28T23:59:59Z' }],
    [
      'a timestamp later on the same day wins',
      { created: '2026-03-01T10:00:00Z' },
      { created: '2026-03-01' },
    ],
    ['a readable Created beats a blank one', { created: '2020-01-01' }, { created: '' }],
  ];
  it.each(pairs)('%s', (_what, better, worse) => {
    const winner = rule({ ruleId: 'R-B', ...better });
    const loser = rule({ ruleId: 'R-A', ...worse });
    expect(pick([loser, winner])).toBe('R-B');
    expect(pick([winner, loser])).toBe('R-B');
  });

  it('Rule ID ascending breaks a full tie', () => {
    expect(pick([rule({ ruleId: 'R-2' }), rule({ ruleId: 'R-10' }), rule({ ruleId: 'r-1' })])).toBe('r-1');
  });

  it('description beats customer specificity, customer beats reseller, reseller beats service, service beats date', () => {
    const only = (ids: string[]) => ({ mode: 'ONLY' as const, ids });
    expect(
      pick([rule({ ruleId: 'A', description: 'AWS Credit' }), rule({ ruleId: 'B', customer: only(['C1']) })]),
    ).toBe('A');
    expect(
      pick([
        rule({ ruleId: 'A', customer: only(['C1']) }),
        rule({ ruleId: 'B', reseller: only(['RS1']), service: only(['AmazonEC2']) }),
      ]),
    ).toBe('A');
    expect(
      pick([
        rule({ ruleId: 'A', reseller: only(['RS1']) }),
        rule({ ruleId: 'B', service: only(['AmazonEC2']) }),
      ]),
    ).toBe('A');
    expect(
      pick([
        rule({ ruleId: 'A', service: only(['AmazonEC2']), created: '2020-01-01' }),
        rule({ ruleId: 'B', created: '2026-01-01' }),
      ]),
    ).toBe('A');
  });

  it('disabled rules are never chosen; no rule means null (the default configuration)', () => {
    expect(pick([rule({ enabled: false })])).toBeNull();
    expect(pick([])).toBeNull();
  });
});

describe('RuleIndex.choose: what a rule admits', () => {
  it.each([
    [null, null, '2026-03', true],
    ['2026-03', '2026-03', '2026-03', true],
    ['2026-03', null, '2026-02', false],
    [null, '2026-03', '2026-04', false],
    ['2025-11', '2026-02', '2026-01', true],
    ['2026-01', null, '', false],
    [null, null, '', true],
  ])('period From %p To %p admits %p: %p', (from, to, period, admitted) => {
    expect(pick([rule({ from, to })], subject({ period }))).toBe(admitted ? 'R-1' : null);
  });

  it.each([
    ['ALL', [], 'C1', true],
    ['ALL', [], '', true],
    ['ONLY', ['C1', 'C2'], 'C2', true],
    ['ONLY', ['C1'], 'C3', false],
    ['ONLY', ['C1'], '', false],
    ['EXCLUDE', ['C1'], 'C1', false],
    ['EXCLUDE', ['C1'], 'C3', true],
    ['EXCLUDE', ['C1'], '', true],
  ] as const)('customer %s %p admits %p: %p', (mode, ids, customerId, admitted) => {
    expect(pick([rule({ customer: { mode, ids: [...ids] } })], subject({ customerId }))).toBe(
      admitted ? 'R-1' : null,
    );
  });

  it('reseller and service contexts filter the same way', () => {
    expect(pick([rule({ reseller: { mode: 'ONLY', ids: ['RS2'] } })])).toBeNull();
    expect(pick([rule({ service: { mode: 'EXCLUDE', ids: ['AmazonEC2'] } })])).toBeNull();
    expect(pick([rule({ service: { mode: 'ONLY', ids: ['AmazonS3', 'AmazonEC2'] } })])).toBe('R-1');
  });

  it('IDs and product codes match ignoring case and surrounding spaces', () => {
    const r = rule({
      customer: { mode: 'ONLY', ids: ['cust-1'] },
      service: { mode: 'ONLY', ids: ['amazonec2'] },
    });
    expect(pick([r], subject({ customerId: ' CUST-1 ', service: 'AmazonEC2' }))).toBe('R-1');
  });

  it.each([
    ['exact', 'aws activate credit', 'AWS Activate Credit', true],
    ['exact', 'AWS Activate Credit', '  AWS Activate Credit ', true],
    ['exact', 'AWS Activate', 'AWS Activate Credit', false],
    ['contains', 'activate', 'AWS ACTIVATE Credit', true],
    ['contains', 'map', 'AWS Activate Credit', false],
    ['regex', '^aws\\s+activate', 'AWS   Activate Credit', true],
    ['regex', 'credit$', 'AWS Activate Credit (2026)', false],
    ['exact', 'クレジット', 'クレジット', true],
    ['contains', 'ائتمان', 'AWS ائتمان ترويجي', true],
    ['regex', 'Crédit', 'CRÉDIT AWS', true],
    ['contains', 'café', 'Cafe\u0301 credit', true],
  ] as const)('%s %p vs description %p: %p', (match, description, credit, admitted) => {
    expect(pick([rule({ match, description })], subject({ description: credit }))).toBe(
      admitted ? 'R-1' : null,
    );
  });

  it('matches a 50,000-character description by exact, contains and regex', () => {
    const long = `MAP 2.0 ${'migration credit for usage '.repeat(2000)}`.slice(0, 50_000);
    expect(long).toHaveLength(50_000);
    expect(
      pick([rule({ match: 'exact', description: long.toUpperCase() })], subject({ description: long })),
    ).toBe('R-1');
    expect(
      pick([rule({ match: 'contains', description: 'usage migration' })], subject({ description: long })),
    ).toBe('R-1');
    expect(
      pick([rule({ match: 'regex', description: '^map 2\\.0 migration' })], subject({ description: long })),
    ).toBe('R-1');
    expect(
      pick([rule({ match: 'regex', description: 'activate' })], subject({ description: long })),
    ).toBeNull();
  });

  it('cached answers stay right when credits differ only in period, customer, reseller or service', () => {
    const index = new RuleIndex([
      rule({ ruleId: 'ONLY-C1', customer: { mode: 'ONLY', ids: ['C1'] }, from: '2026-03' }),
      rule({ ruleId: 'ANY', created: '2025-01-01' }),
    ]);
    expect(index.choose(subject())?.ruleId).toBe('ONLY-C1');
    expect(index.choose(subject({ customerId: 'C2' }))?.ruleId).toBe('ANY');
    expect(index.choose(subject({ period: '2026-02' }))?.ruleId).toBe('ANY');
    expect(index.choose(subject())?.ruleId).toBe('ONLY-C1');
  });
});

describe('RuleIndex.explain', () => {
  it('names the chosen rule, how it matched, how many others matched and why it beat the runner-up', () => {
    const index = new RuleIndex([
      rule({
        ruleId: 'R-12',
        name: 'MAP 2.0 credits',
        match: 'regex',
        description: 'MAP\\s*2',
        customer: { mode: 'ONLY', ids: ['C1'] },
      }),
      rule({ ruleId: 'R-3', match: 'contains', description: 'map' }),
      rule({ ruleId: 'R-4' }),
      rule({ ruleId: 'R-5', created: '2020-01-01' }),
      rule({ ruleId: 'R-6', customer: { mode: 'ONLY', ids: ['C2'] } }),
    ]);
    const e = index.explain(subject({ description: 'AWS MAP 2.0 credit' }));
    expect(e.usedDefault).toBe(false);
    expect(e.chosen?.ruleId).toBe('R-12');
    expect(e.reason).toBe(
      "Rule R-12 'MAP 2.0 credits' matched the description by regex and is limited to this customer; 3 other rules also matched; it beats R-3 on a more specific customer context.",
    );
    expect(e.matching.map((m) => m.rule.ruleId)).toEqual(['R-12', 'R-3', 'R-4', 'R-5']);
    expect(e.matching[0].why).toBe(
      'description by regex, customer listed, any reseller, any service, created 2026-01-01',
    );
    expect(e.matching[3].why).toContain('blank description');
  });

  it('says when the default configuration applies, and how many rules matched only the description', () => {
    const e = new RuleIndex([rule({ description: 'AWS Credit', from: '2027-01' })]).explain(subject());
    expect(e).toMatchObject({ chosen: null, usedDefault: true, matching: [] });
    expect(e.reason).toBe(
      "No enabled rule matches this credit (1 rule matches the description but not the credit's period, customer, reseller or service), so the default configuration applies.",
    );
  });
});
