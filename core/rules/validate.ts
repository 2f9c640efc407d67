/**
 * "Validate rules": everything parseRules reports, plus what only shows when rules are seen together or
 * against the Accounts tab:
 * - IDs in Customers / Resellers that no account in Accounts carries (warning: the rule will not fire for
 *   them, most likely a typo). Services are product codes with no directory, so they are not checked.
 * - rules that can never win because another rule ranks higher and admits everything they admit (warning;
 *   see shadow.ts for how far the check goes);
 * - disabled rules (info: nothing is wrong, but staff looking at "why did this credit get the default"
 *   want to see them).
 */
import type { AccountDirectory } from '../accounts';
import { fold } from './match';
import { headerOf, parseRules, type RuleRecord } from './parse';
import { RANK_STEP_REASON, rankDifference } from './rank';
import { findShadowed, shadowView } from './shadow';
import type { Rule, RuleProblem } from './types';
import { pushAll } from '../arrays';

export function validateRules(records: RuleRecord[], directory?: AccountDirectory): RuleProblem[] {
  const { rules, problems } = parseRules(records);
  const out = [...problems];
  if (directory) pushAll(out, unknownIds(rules, directory));
  for (const rule of rules) {
    if (!rule.enabled) {
      out.push({
        row: rule.row,
        ruleId: rule.ruleId,
        field: headerOf('enabled'),
        severity: 'info',
        message: 'This rule is disabled, so no credit gets it. Set Enabled to TRUE to use it.',
      });
    }
  }
  const createdCache = new Map<string, number>(); // rules share few Created dates
  for (const { shadowed, by } of findShadowed(
    rules.filter((r) => r.enabled).map((r) => shadowView(r, createdCache)),
  )) {
    const step = rankDifference(by, shadowed).step;
    out.push({
      row: shadowed.rule.row,
      ruleId: shadowed.rule.ruleId,
      field: headerOf('ruleId'),
      severity: 'warning',
      message:
        `This rule can never win: rule ${by.rule.ruleId} (row ${by.rule.row}) admits every credit this one admits and ranks higher` +
        `${step ? ` (${RANK_STEP_REASON[step]})` : ''}. Delete or disable one of them, or narrow rule ${by.rule.ruleId}.`,
    });
  }
  return out.sort((a, b) => a.row - b.row);
}

function unknownIds(rules: Rule[], directory: AccountDirectory): RuleProblem[] {
  const customers = new Set([...directory.customers].map((id) => fold(id)));
  const resellers = new Set([...directory.resellers].map((id) => fold(id)));
  const out: RuleProblem[] = [];
  for (const rule of rules) {
    for (const [ids, known, field, noun] of [
      [rule.customer.ids, customers, 'customers', 'customer'],
      [rule.reseller.ids, resellers, 'resellers', 'reseller'],
    ] as const) {
      const unknown = ids.filter((id) => !known.has(fold(id)));
      if (unknown.length === 0) continue;
      const shown =
        unknown.slice(0, 10).join(', ') + (unknown.length > 10 ? ` and ${unknown.length - 10} more` : '');
      out.push({
        row: rule.row,
        ruleId: rule.ruleId,
        field: headerOf(field),
        severity: 'warning',
        message: `${unknown.length === 1 ? `The ${noun} ID` : `${unknown.length} ${noun} IDs`} ${shown} ${unknown.length === 1 ? 'is' : 'are'} on no account in the Accounts tab. Check the spelling, or add the account(s) to Accounts.`,
      });
    }
  }
  return out;
}
