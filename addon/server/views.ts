/**
 * What the sidebar is shown (addon/api.ts), built from core values. Pure: amounts become decimal strings,
 * nothing here is a Date, so every value passes through google.script.run.
 */
import { isCorrection } from '../../core/correction-key';
import type { AccountDirectory } from '../../core/accounts';
import {
  allocationJson,
  formatAllocation,
  percentAllocation,
  resolveAllocation,
} from '../../core/allocation';
import type { PlanTotals, RulePlan } from '../../core/assignment';
import { resolveCreditAllocation } from '../../core/credit-allocation';
import { RULE_DEFAULT, RULE_MANUAL, type Credit } from '../../core/credit';
import { formatMinor } from '../../core/money';
import type { DefaultConfiguration, Rule, RuleIndex, RuleProblem } from '../../core/rules';
import { isLocked } from '../../core/status';
import type {
  CreditView,
  PassedOnLine,
  RuleProblemView,
  RuleScope,
  RulesPreview,
  SuggestionView,
  TargetOption,
} from '../api';

export function creditView(credit: Credit, sheetRow: number): CreditView {
  return {
    creditId: credit.creditId,
    sheetRow,
    period: credit.period,
    accountId: credit.accountId,
    payerAccountId: credit.payerAccountId,
    customerId: credit.customerId,
    assetId: credit.assetId,
    resellerId: credit.resellerId,
    service: credit.service,
    description: credit.description,
    amount: formatMinor(credit.amount, credit.currency),
    currency: credit.currency,
    status: credit.status,
    allocation: credit.allocation,
    distributorKeeps:
      credit.distributorKeeps === null ? '' : formatMinor(credit.distributorKeeps, credit.currency),
    ruleId: credit.ruleId,
    usageFileId: credit.usageFileId,
    usageRecordId: credit.usageRecordId,
    processingDate: credit.processingDate,
    lastChange: credit.lastChange,
    locked: isLocked(credit.status),
    ...(isCorrection(credit) ? { correction: true } : {}),
  };
}

/**
 * The rule the core would pick for this credit (or the default configuration), and the exact lines it
 * gives. Same inputs as core planRules (the row's own Customer ID and Reseller ID), so the suggestion is what
 * "Apply rules" would write.
 */
export function suggestionView(
  credit: Credit,
  index: RuleIndex,
  defaults: DefaultConfiguration,
  directory: AccountDirectory,
): SuggestionView {
  const own = { customerId: credit.customerId, resellerId: credit.resellerId };
  const explanation = index.explain({
    description: credit.description,
    period: credit.period,
    customerId: own.customerId,
    resellerId: own.resellerId,
    service: credit.service,
  });
  const chosen = explanation.chosen;
  const spec = chosen
    ? percentAllocation(chosen.customerBp, chosen.resellerBp)
    : percentAllocation(defaults.customerBp, defaults.resellerBp);
  let reason = explanation.reason;
  let lines: SuggestionView['lines'] = [];
  try {
    const resolved = resolveAllocation(spec, {
      creditId: credit.creditId,
      amount: credit.amount,
      currency: credit.currency,
      ...own,
      knownCustomers: directory.customers,
      knownResellers: directory.resellers,
    });
    lines = allocationJson(resolved, credit.currency);
  } catch (e) {
    // The suggestion still shows; the reason says why it cannot be applied as it stands.
    reason = `${reason} It cannot be applied yet: ${(e as Error).message.split('\n')[0]}`;
  }
  return {
    ruleId: chosen ? chosen.ruleId : RULE_DEFAULT,
    ruleName: chosen ? chosen.name : 'Default configuration',
    reason,
    matching: explanation.matching.map((m) => ({ ruleId: m.rule.ruleId, name: m.rule.name, why: m.why })),
    allocation: formatAllocation(spec, credit.currency),
    lines,
  };
}

/** Customers and resellers from the Accounts tab, once each, with their names, sorted by ID. */
export function targetOptions(directory: AccountDirectory): TargetOption[] {
  const seen = new Map<string, TargetOption>();
  for (const a of directory.byAccount.values()) {
    if (a.customerId && !seen.has(`c:${a.customerId}`)) {
      seen.set(`c:${a.customerId}`, { role: 'customer', id: a.customerId, name: a.customerName });
    }
    if (a.resellerId && !seen.has(`r:${a.resellerId}`)) {
      seen.set(`r:${a.resellerId}`, { role: 'reseller', id: a.resellerId, name: a.resellerName });
    }
  }
  return [...seen.values()].sort((x, y) => x.role.localeCompare(y.role) || x.id.localeCompare(y.id));
}

/** "customer|CUST-1" → "Acme": the names the other views show for targets. */
function targetNames(directory: AccountDirectory): Map<string, string> {
  return new Map(targetOptions(directory).map((t) => [`${t.role}|${t.id}`, t.name]));
}

/**
 * A collected credit's allocation as exact lines with names, for the read-only View panel (the Edit panel's
 * preview shows names too). An allocation that no longer resolves (Accounts changed since) shows no lines.
 */
export function passedOnView(credit: Credit, directory: AccountDirectory): PassedOnLine[] {
  let resolved;
  try {
    resolved = resolveCreditAllocation(credit, directory);
  } catch {
    return [];
  }
  const names = targetNames(directory);
  return allocationJson(resolved, credit.currency).map((l) => ({
    ...l,
    name: l.role === 'distributor' ? 'Distributor keeps' : (names.get(`${l.role}|${l.targetId}`) ?? ''),
  }));
}

/** The rule as the suggestion names it: "R1 MAP split", "Default configuration", "Set by hand". */
export function ruleLabel(ruleId: string, rules: readonly Rule[]): string {
  if (ruleId === RULE_DEFAULT) return 'Default configuration';
  if (ruleId === RULE_MANUAL) return 'Set by hand';
  const rule = rules.find((r) => r.ruleId === ruleId);
  return rule && rule.name ? `${ruleId} ${rule.name}` : ruleId;
}

export function rulesPreview(
  scope: RuleScope,
  plan: RulePlan,
  totals: PlanTotals,
  directory: AccountDirectory,
): Omit<RulesPreview, 'token' | 'ignoredRules'> {
  const names = targetNames(directory);
  return {
    scope,
    credits: plan.items.length,
    skippedManual: plan.skippedManual.length,
    byRule: totals.byRule.map((r) => ({ ...r })),
    totals: totals.byTarget.map((t) => ({
      role: t.role,
      targetId: t.targetId,
      name: t.role === 'distributor' ? '' : (names.get(`${t.role}|${t.targetId}`) ?? ''),
      currency: t.currency,
      amount: formatMinor(t.amount, t.currency),
    })),
  };
}

/** The sidebar contract knows errors and warnings; the core's informational notes are shown as warnings. */
export function problemView(p: RuleProblem): RuleProblemView {
  const severity = p.severity === 'error' ? 'error' : 'warning';
  const message = p.severity === 'info' ? `Note: ${p.message}` : p.message;
  return { row: p.row, ruleId: p.ruleId, field: p.field, severity, message };
}
