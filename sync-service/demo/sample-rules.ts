/**
 * Sample credit rules for the demo data's Rules tab. They match the generated credit descriptions, so a
 * demo sync shows every kind of rule at work: contains, exact, regex, a reseller context, a period-bounded
 * rule, a service context and a disabled rule. Keyed by the Rules tab headers (RULE_COLUMNS).
 */
import { RULE_COLUMNS, type RuleField } from '../../core/sheet-contract';
import type { DemoParties } from './parties';

type RuleValues = Record<RuleField, string>;

const OPEN: Pick<
  RuleValues,
  | 'from'
  | 'to'
  | 'customerContext'
  | 'customers'
  | 'resellerContext'
  | 'resellers'
  | 'serviceContext'
  | 'services'
> = {
  from: '',
  to: '',
  customerContext: 'ALL',
  customers: '',
  resellerContext: 'ALL',
  resellers: '',
  serviceContext: 'ALL',
  services: '',
};

/** `periods` are the generated months, oldest first; `created` is a YYYY-MM-DD date. */
export function sampleRules(parties: DemoParties, periods: readonly string[], created: string): RuleValues[] {
  const activateReseller = parties.resellers[1];
  const excludedCustomer = parties.customers[0];
  const latest = periods[periods.length - 1];
  const rules: RuleValues[] = [
    {
      ruleId: 'R-001',
      name: 'MAP credits 70/30',
      description: 'MAP 2.0 Migration Credit',
      match: 'contains',
      customerPercent: '70',
      resellerPercent: '30',
      ...OPEN,
      created,
      enabled: 'TRUE',
    },
    {
      ruleId: 'R-002',
      name: `Activate for ${activateReseller.name} customers`,
      description: 'AWS Activate Credit',
      match: 'exact',
      customerPercent: '100',
      resellerPercent: '0',
      ...OPEN,
      resellerContext: 'ONLY',
      resellers: activateReseller.resellerId,
      created,
      enabled: 'TRUE',
    },
    {
      ruleId: 'R-003',
      name: 're:Invent credits, any year',
      description: '^AWS Credit - re:Invent \\d{4}\\b',
      match: 'regex',
      customerPercent: '50',
      resellerPercent: '50',
      ...OPEN,
      created,
      enabled: 'TRUE',
    },
    {
      ruleId: 'R-004',
      name: 'Promotional credits (paused)',
      description: 'AWS Promotional Credit',
      match: 'exact',
      customerPercent: '100',
      resellerPercent: '0',
      ...OPEN,
      created,
      enabled: 'FALSE',
    },
    {
      ruleId: 'R-005',
      name: 'SPP credits, latest month only',
      description: 'Solution Provider Program Credit',
      match: 'contains',
      customerPercent: '80',
      resellerPercent: '20',
      ...OPEN,
      from: latest,
      to: latest,
      created,
      enabled: 'TRUE',
    },
    {
      ruleId: 'R-006',
      name: 'Support credits stay with the customer',
      description: '',
      match: 'contains',
      customerPercent: '100',
      resellerPercent: '0',
      ...OPEN,
      serviceContext: 'ONLY',
      services: 'AWSSupportBusiness',
      created,
      enabled: 'TRUE',
    },
    {
      ruleId: 'R-007',
      name: `Promotional, except ${excludedCustomer.name}`,
      description: 'Promotional',
      match: 'contains',
      customerPercent: '90',
      resellerPercent: '0',
      ...OPEN,
      customerContext: 'EXCLUDE',
      customers: excludedCustomer.customerId,
      created,
      enabled: 'TRUE',
    },
  ];
  return rules;
}

export const RULE_HEADERS: readonly string[] = RULE_COLUMNS.map((c) => c.header);
export const RULE_FIELDS: readonly RuleField[] = RULE_COLUMNS.map((c) => c.field);
