import { parseRules } from '../../../core/rules';
import { ruleRecord, rows } from './fixtures';

function problemsFor(overrides: Parameters<typeof ruleRecord>[0]) {
  return parseRules(rows(ruleRecord(overrides)));
}

describe('parseRules: a good row', () => {
  it('reads every column', () => {
    const { rules, problems } = problemsFor({
      ruleId: ' R-7 ',
      name: 'MAP 2.0',
      description: 'MAP 2.0 credit',
      match: 'Contains',
      customerPercent: '62.5%',
      resellerPercent: 30,
      from: '2026-01',
      to: '2026-12-01T00:00:00.000Z',
      customerContext: 'Only selected',
      customers: 'C1, C2;C3\nC1',
      resellerContext: 'exclude selected',
      resellers: 'RS9',
      serviceContext: 'all',
      created: '2026-03-01T09:30:00Z',
      enabled: 'yes',
    });
    expect(problems).toEqual([]);
    expect(rules).toEqual([
      {
        ruleId: 'R-7',
        name: 'MAP 2.0',
        description: 'MAP 2.0 credit',
        match: 'contains',
        customerBp: 6250,
        resellerBp: 3000,
        from: '2026-01',
        to: '2026-12',
        customer: { mode: 'ONLY', ids: ['C1', 'C2', 'C3'] },
        reseller: { mode: 'EXCLUDE', ids: ['RS9'] },
        service: { mode: 'ALL', ids: [] },
        created: '2026-03-01T09:30:00Z',
        enabled: true,
        row: 2,
      },
    ]);
  });

  it.each([
    ['', true],
    [true, true],
    ['TRUE', true],
    ['1', true],
    [false, false],
    ['no', false],
    ['0', false],
    ['FALSE', false],
  ])('Enabled %p reads as %p', (cell, enabled) => {
    expect(problemsFor({ enabled: cell }).rules[0].enabled).toBe(enabled);
  });

  it('"Only excluded" (CloudBlue wording) means EXCLUDE', () => {
    expect(problemsFor({ customerContext: 'ONLY EXCLUDED', customers: 'C1' }).rules[0].customer).toEqual({
      mode: 'EXCLUDE',
      ids: ['C1'],
    });
  });

  it('blank Match is exact; a blank Reseller % is 0', () => {
    const { rules } = problemsFor({ match: '', resellerPercent: '' });
    expect(rules[0].match).toBe('exact');
    expect(rules[0].resellerBp).toBe(0);
  });

  it('blank Created is kept with a warning (it ranks as the oldest)', () => {
    const { rules, problems } = problemsFor({ created: '' });
    expect(rules).toHaveLength(1);
    expect(problems).toEqual([expect.objectContaining({ row: 2, field: 'Created', severity: 'warning' })]);
  });

  it('ALL with IDs listed is kept, the IDs dropped, with a warning', () => {
    const { rules, problems } = problemsFor({ resellerContext: 'ALL', resellers: 'RS1' });
    expect(rules[0].reseller).toEqual({ mode: 'ALL', ids: [] });
    expect(problems).toEqual([expect.objectContaining({ field: 'Reseller Context', severity: 'warning' })]);
  });
});

describe('parseRules: errors leave the rule out and say what to write', () => {
  it.each([
    ['missing Rule ID', { ruleId: '' }, 'Rule ID', /blank/],
    ['reserved Rule ID', { ruleId: 'Default' }, 'Rule ID', /reserved/],
    ['unknown match type', { match: 'fuzzy' }, 'Match', /exact, contains or regex/],
    ['bad customer %', { customerPercent: 'sixty' }, 'Customer %', /not a percentage/],
    ['% over 100', { customerPercent: '101' }, 'Customer %', /not a percentage/],
    ['too many decimals', { resellerPercent: '1.234' }, 'Reseller %', /at most 2 decimals/],
    [
      'shares over 100% together',
      { customerPercent: '70', resellerPercent: '40' },
      'Reseller %',
      /110%, over 100%/,
    ],
    ['both shares blank', { customerPercent: '', resellerPercent: '' }, 'Customer %', /both blank/],
    ['bad From', { from: 'March' }, 'From', /YYYY-MM/],
    ['month 13', { to: '2026-13' }, 'To', /YYYY-MM/],
    ['From after To', { from: '2026-05', to: '2026-04' }, 'To', /ends .* before it starts/],
    ['unknown context word', { customerContext: 'some' }, 'Customer Context', /ALL, ONLY or EXCLUDE/],
    [
      'ONLY with an empty list',
      { serviceContext: 'ONLY', services: ' ; ' },
      'Service Context',
      /Services is empty/,
    ],
    ['EXCLUDE with an empty list', { resellerContext: 'EXCLUDE' }, 'Reseller Context', /Resellers is empty/],
    [
      'blank context with IDs',
      { customerContext: '', customers: 'C1' },
      'Customer Context',
      /ONLY .* or EXCLUDE/,
    ],
    ['bad Created', { created: 'yesterday' }, 'Created', /ISO date/],
    ['impossible Created date', { created: '2026-02-30' }, 'Created', /ISO date/],
    ['bad Enabled', { enabled: 'maybe' }, 'Enabled', /TRUE or FALSE/],
    [
      'regex that does not compile',
      { match: 'regex', description: 'MAP (2.0' },
      'Credit Description',
      /not a valid regular expression/,
    ],
    [
      'runaway regex',
      { match: 'regex', description: '(a+)+$' },
      'Credit Description',
      /repeats something that itself repeats/,
    ],
    [
      'regex with a backreference',
      { match: 'regex', description: '(MAP) \\1' },
      'Credit Description',
      /backreference/,
    ],
    [
      'over-long regex',
      { match: 'regex', description: 'x'.repeat(501) },
      'Credit Description',
      /over the limit of 500/,
    ],
  ])('%s', (_what, overrides, field, message) => {
    const { rules, problems } = problemsFor(overrides);
    expect(rules).toEqual([]);
    const errors = problems.filter((p) => p.severity === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ row: 2, field });
    expect(errors[0].message).toMatch(message);
  });

  it('a duplicate Rule ID (ignoring case) reports the second row and names the first; the first is kept', () => {
    const { rules, problems } = parseRules(
      rows(ruleRecord({ ruleId: 'R-1' }), ruleRecord({ ruleId: 'R-2' }), ruleRecord({ ruleId: 'r-1' })),
    );
    expect(rules.map((r) => r.ruleId)).toEqual(['R-1', 'R-2']);
    expect(problems).toEqual([
      expect.objectContaining({ row: 4, ruleId: 'r-1', field: 'Rule ID', severity: 'error' }),
    ]);
    expect(problems[0].message).toContain('row 2');
  });

  it('reports every error of a row, not just the first', () => {
    const { problems } = problemsFor({ match: 'x', from: 'y', enabled: 'z' });
    expect(problems.map((p) => p.field)).toEqual(['Match', 'From', 'Enabled']);
  });

  it('a bad row does not stop the others', () => {
    const { rules } = parseRules(rows(ruleRecord({ ruleId: 'A', match: '?' }), ruleRecord({ ruleId: 'B' })));
    expect(rules.map((r) => r.ruleId)).toEqual(['B']);
  });
});
