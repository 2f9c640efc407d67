import { buildDirectory } from '../../../core/accounts';
import { validateRules } from '../../../core/rules';
import { ruleRecord, rows } from './fixtures';

const directory = buildDirectory(
  [
    {
      row: 2,
      record: {
        accountId: '111111111111',
        accountName: 'A',
        customerId: 'C1',
        customerName: 'One',
        assetId: 'AS-1',
        resellerId: 'RS1',
        resellerName: 'Res',
      },
    },
    {
      row: 3,
      record: {
        accountId: '222222222222',
        accountName: 'B',
        customerId: 'C2',
        customerName: 'Two',
        assetId: 'AS-2',
        resellerId: 'RS1',
        resellerName: 'Res',
      },
    },
  ],
  'Accounts',
);

describe('validateRules', () => {
  it('includes every parse problem', () => {
    const problems = validateRules(rows(ruleRecord({ match: 'nope' })));
    expect(problems).toEqual([expect.objectContaining({ row: 2, field: 'Match', severity: 'error' })]);
  });

  it('warns about customer and reseller IDs that are on no account (ignoring case)', () => {
    const problems = validateRules(
      rows(
        ruleRecord({
          customerContext: 'ONLY',
          customers: 'c1, C9',
          resellerContext: 'EXCLUDE',
          resellers: 'RS7;RS8',
        }),
      ),
      directory,
    );
    expect(problems).toEqual([
      expect.objectContaining({
        row: 2,
        field: 'Customers',
        severity: 'warning',
        message: expect.stringContaining('customer ID C9 is'),
      }),
      expect.objectContaining({
        row: 2,
        field: 'Resellers',
        severity: 'warning',
        message: expect.stringContaining('2 reseller IDs RS7, RS8 are'),
      }),
    ]);
  });

  it('does not check IDs without a directory', () => {
    expect(validateRules(rows(ruleRecord({ customerContext: 'ONLY', customers: 'C9' })))).toEqual([]);
  });

  it('reports a disabled rule as info', () => {
    expect(validateRules(rows(ruleRecord({ enabled: false })))).toEqual([
      expect.objectContaining({ row: 2, severity: 'info', field: 'Enabled' }),
    ]);
  });

  it('warns about an identical but older rule: it can never win', () => {
    const problems = validateRules(
      rows(
        ruleRecord({ ruleId: 'OLD', created: '2025-01-01' }),
        ruleRecord({ ruleId: 'NEW', created: '2026-01-01' }),
      ),
    );
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ row: 2, ruleId: 'OLD', severity: 'warning' });
    expect(problems[0].message).toBe(
      'This rule can never win: rule NEW (row 3) admits every credit this one admits and ranks higher (because it was created more recently). Delete or disable one of them, or narrow rule NEW.',
    );
  });

  // NARROW is older, BROAD newer: on equal specificity BROAD ranks higher, so NARROW can never win when BROAD
  // admits everything it admits. Where NARROW is more specific (ONLY beats EXCLUDE), it still wins.
  it.each([
    ['BROAD has a wider period', { from: '2026-01', to: '2026-06' }, { from: '', to: '' }, ['NARROW']],
    [
      "BROAD contains a word of NARROW's exact text",
      { match: 'exact', description: 'AWS MAP credit' },
      { match: 'contains', description: 'map' },
      ['NARROW'],
    ],
    [
      "BROAD's ONLY list includes NARROW's",
      { customerContext: 'ONLY', customers: 'C1' },
      { customerContext: 'ONLY', customers: 'C1,C2' },
      ['NARROW'],
    ],
    [
      'BROAD excludes a subset of what NARROW excludes',
      { resellerContext: 'EXCLUDE', resellers: 'RS1,RS2' },
      { resellerContext: 'EXCLUDE', resellers: 'RS2' },
      ['NARROW'],
    ],
    [
      'NARROW is ONLY, BROAD is EXCLUDE (ONLY ranks higher)',
      { customerContext: 'ONLY', customers: 'C1' },
      { customerContext: 'EXCLUDE', customers: 'C2' },
      [],
    ],
    ['NARROW has a description, BROAD is blank', { match: 'contains', description: 'map' }, {}, []],
    ["BROAD's period does not cover NARROW's", { from: '2025-01' }, { from: '2026-01' }, []],
    [
      'BROAD excludes a customer NARROW admits',
      { customerContext: 'EXCLUDE', customers: 'C2' },
      { customerContext: 'EXCLUDE', customers: 'C1' },
      [],
    ],
  ])('%s', (_what, narrow, broad, shadowedIds) => {
    const problems = validateRules(
      rows(
        ruleRecord({ ruleId: 'NARROW', created: '2025-01-01', ...narrow }),
        ruleRecord({ ruleId: 'BROAD', created: '2026-01-01', ...broad }),
      ),
    );
    expect(problems.filter((p) => p.message.includes('can never win')).map((p) => p.ruleId)).toEqual(
      shadowedIds,
    );
  });

  it('does not flag rules that each win somewhere', () => {
    const problems = validateRules(
      rows(
        ruleRecord({ ruleId: 'A', description: 'MAP', match: 'contains', created: '2025-01-01' }),
        ruleRecord({ ruleId: 'B', created: '2026-01-01' }),
        ruleRecord({ ruleId: 'C', customerContext: 'ONLY', customers: 'C1', created: '2024-01-01' }),
        ruleRecord({ ruleId: 'D', from: '2026-01', created: '2027-01-01' }),
      ),
    );
    expect(problems).toEqual([]);
  });
});
