/** Builders for rule tests: a Rules-tab record and a parsed Rule, each with sensible defaults. */
import type { Cell } from '../../../core/table';
import type { RuleField } from '../../../core/sheet-contract';
import type { Rule, RuleSubject } from '../../../core/rules';

export function ruleRecord(overrides: Partial<Record<RuleField, Cell>> = {}): Record<RuleField, Cell> {
  return {
    ruleId: 'R-1',
    name: 'Test rule',
    description: '',
    match: 'exact',
    customerPercent: '60',
    resellerPercent: '40',
    from: '',
    to: '',
    customerContext: 'ALL',
    customers: '',
    resellerContext: 'ALL',
    resellers: '',
    serviceContext: 'ALL',
    services: '',
    created: '2026-01-01',
    enabled: true,
    ...overrides,
  };
}

export function rows(
  ...records: Record<RuleField, Cell>[]
): { row: number; record: Record<RuleField, Cell> }[] {
  return records.map((record, i) => ({ row: i + 2, record }));
}

export function rule(overrides: Partial<Rule> = {}): Rule {
  return {
    ruleId: 'R-1',
    name: '',
    description: '',
    match: 'exact',
    customerBp: 10000,
    resellerBp: 0,
    from: null,
    to: null,
    customer: { mode: 'ALL', ids: [] },
    reseller: { mode: 'ALL', ids: [] },
    service: { mode: 'ALL', ids: [] },
    created: '2026-01-01',
    enabled: true,
    row: 2,
    ...overrides,
  };
}

export function subject(overrides: Partial<RuleSubject> = {}): RuleSubject {
  return {
    description: 'AWS Credit',
    period: '2026-03',
    customerId: 'C1',
    resellerId: 'RS1',
    service: 'AmazonEC2',
    ...overrides,
  };
}
