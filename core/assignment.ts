/**
 * Assigning credits: by hand, by the most appropriate rule, or by the default configuration. Used by the CLI
 * (assign, unassign, apply-rules) and by the add-on, so both behave the same.
 */
import type { AccountDirectory } from './accounts';
import type { AuditEntry } from './audit';
import type { Credit } from './credit';
import type { Minor } from './money';
import type { DefaultConfiguration, RuleIndex } from './rules';
import {
  formatAllocation,
  parseAllocation,
  percentAllocation,
  resolveAllocation,
  type AllocationSpec,
  type ResolvedAllocation,
} from './allocation';
import { RULE_DEFAULT, RULE_MANUAL } from './credit';
import { allocationContext } from './credit-allocation';
import { CreditDeskError } from './errors';
import { addMinor, formatMinor } from './money';
import { isLocked, transition } from './status';
import { formatPercentBp } from './config';
import { isHeld, withoutFlags } from './flags';
import { isCorrection } from './correction-key';
import { missingAssetHint, missingAssetText, missingAssets } from './usage-billing';

export interface AssignContext {
  directory: AccountDirectory;
  /** Who acts: an email, or "credit-desk cli". */
  actor: string;
  now: string; // ISO timestamp
}

export interface AssignOutcome {
  /** The credit after the change (a new object; the input is not mutated). */
  credit: Credit;
  resolved: ResolvedAllocation | null;
  audit: AuditEntry[];
}

export interface PlannedAssignment {
  credit: Credit;
  /** Rule ID or 'default'. */
  ruleId: string;
  ruleName: string;
  allocation: string;
  resolved: ResolvedAllocation;
}

export interface RulePlan {
  items: PlannedAssignment[];
  /** Left alone because staff set them by hand (Rule = manual) and overwriteManual is off. */
  skippedManual: Credit[];
  /** PROCESSING / PROCESSED credits in the input: never touched. */
  skippedLocked: Credit[];
  /** Credits held for review (a REVIEW_… hold flag, core/review.ts): rules never assign them. */
  skippedHeld: Credit[];
  /**
   * Correction credits (core/correction.ts): their original's allocation is proposed, and a person confirms it
   * with `assign`; a rule or the default configuration never decides how an invoiced credit is corrected.
   */
  skippedCorrections: Credit[];
  /** Credits whose allocation could not be resolved (e.g. no customer for the account), with the reason. */
  failed: { credit: Credit; message: string }[];
}

export interface PlanTotals {
  byRule: { ruleId: string; name: string; credits: number }[];
  byTarget: { role: string; targetId: string; currency: string; amount: Minor }[];
}

/** The fields an assignment's Audit rows show, before and after. */
const AUDITED_ASSIGNMENT_FIELDS = ['status', 'allocation', 'distributorKeeps', 'ruleId', 'flags'] as const;

function showField(credit: Credit, field: (typeof AUDITED_ASSIGNMENT_FIELDS)[number]): string {
  if (field === 'distributorKeeps')
    return credit.distributorKeeps === null ? '' : formatMinor(credit.distributorKeeps, credit.currency);
  return String(credit[field]);
}

function auditDiff(
  before: Credit,
  after: Credit,
  action: AuditEntry['action'],
  ctx: AssignContext,
): AuditEntry[] {
  return AUDITED_ASSIGNMENT_FIELDS.filter((f) => showField(before, f) !== showField(after, f)).map(
    (field) => ({
      when: ctx.now,
      who: ctx.actor,
      action,
      creditId: before.creditId,
      field,
      before: showField(before, field),
      after: showField(after, field),
    }),
  );
}

/**
 * A share Connect could not bill: its customer or reseller has no asset in the Accounts tab (core/usage-billing.ts).
 * Refused when the allocation is set, not found at collect time, so staff fix the Accounts tab while they look.
 */
function refuseMissingAssets(
  credit: Credit,
  resolved: ResolvedAllocation,
  directory: AccountDirectory,
): void {
  const missing = missingAssets(resolved.lines, credit, directory);
  if (!missing.length) return;
  throw new CreditDeskError(
    'UNKNOWN_TARGET',
    `credit ${credit.creditId}: ${missing.map(missingAssetText).join('; ')}.`,
    missingAssetHint('assign it again'),
  );
}

function assignResolved(
  credit: Credit,
  spec: AllocationSpec,
  resolved: ResolvedAllocation,
  ruleId: string,
  ctx: AssignContext,
  action: AuditEntry['action'],
): AssignOutcome {
  const status = transition(credit.creditId, credit.status, 'assign');
  const after: Credit = {
    ...credit,
    status,
    allocation: formatAllocation(spec, credit.currency),
    distributorKeeps: resolved.distributorKeeps,
    ruleId,
    flags: withoutFlags(credit.flags, ['REVIEW_AMOUNT_CHANGED']),
    lastChange: ctx.now,
  };
  const kind: AuditEntry['action'] = action === 'assign' && credit.status === 'ASSIGNED' ? 'edit' : action;
  return { credit: after, resolved, audit: auditDiff(credit, after, kind, ctx) };
}

/** Assign (or edit) by hand: validates status and allocation; Rule becomes `manual` unless ruleId is given. */
export function assignCredit(
  credit: Credit,
  allocationText: string,
  ctx: AssignContext,
  ruleId: string = RULE_MANUAL,
): AssignOutcome {
  // Refuse a locked credit before looking at the allocation: the status is the first thing staff need to know.
  if (isLocked(credit.status)) transition(credit.creditId, credit.status, 'assign');
  if (allocationText.trim() === '') {
    throw new CreditDeskError(
      'BAD_ALLOCATION',
      `The allocation for ${credit.creditId} is empty.`,
      'Type who gets the credit, e.g. "customer 100%", or use Delete assignment to unassign it.',
    );
  }
  const spec = parseAllocation(allocationText, credit.currency);
  const resolved = resolveAllocation(spec, allocationContext(credit, ctx.directory));
  refuseMissingAssets(credit, resolved, ctx.directory);
  return assignResolved(credit, spec, resolved, ruleId, ctx, 'assign');
}

/** Delete the assignment: ASSIGNED → PENDING_ASSIGN, allocation/rule/keeps cleared. */
export function unassignCredit(credit: Credit, ctx: AssignContext): AssignOutcome {
  const status = transition(credit.creditId, credit.status, 'unassign');
  const after: Credit = {
    ...credit,
    status,
    allocation: '',
    distributorKeeps: null,
    ruleId: '',
    lastChange: ctx.now,
  };
  return { credit: after, resolved: null, audit: auditDiff(credit, after, 'unassign', ctx) };
}

/** A plan that assigns nothing and skips nothing (also what applying no rule at all gives). */
export function emptyRulePlan(): RulePlan {
  return {
    items: [],
    skippedManual: [],
    skippedLocked: [],
    skippedHeld: [],
    skippedCorrections: [],
    failed: [],
  };
}

/**
 * Decide, for each credit, the most appropriate rule (else the default configuration). Pure: nothing changes yet.
 * PENDING_ASSIGN credits are always planned; ASSIGNED credits are re-planned (the caller passes them only for a
 * selection), except those staff set by hand unless overwriteManual.
 */
export function planRules(
  credits: Credit[],
  index: RuleIndex,
  defaults: DefaultConfiguration,
  directory: AccountDirectory,
  opts: { overwriteManual: boolean; useDefaultOnly?: boolean },
): RulePlan {
  const plan = emptyRulePlan();
  for (const credit of credits) {
    if (isLocked(credit.status)) {
      plan.skippedLocked.push(credit);
      continue;
    }
    if (isHeld(credit)) {
      plan.skippedHeld.push(credit);
      continue;
    }
    if (isCorrection(credit)) {
      plan.skippedCorrections.push(credit);
      continue;
    }
    if (credit.status === 'ASSIGNED' && credit.ruleId === RULE_MANUAL && !opts.overwriteManual) {
      plan.skippedManual.push(credit);
      continue;
    }
    const subject = {
      description: credit.description,
      period: credit.period,
      customerId: credit.customerId,
      resellerId: credit.resellerId,
      service: credit.service,
    };
    // choose(), not explain(): a bulk run needs the winner only; collecting every matching rule for each of
    // 100,000 credits costs time and memory for an explanation nobody reads (the sidebar explains one credit).
    const rule = opts.useDefaultOnly ? null : index.choose(subject);
    const spec = rule
      ? percentAllocation(rule.customerBp, rule.resellerBp)
      : percentAllocation(defaults.customerBp, defaults.resellerBp);
    try {
      const resolved = resolveAllocation(spec, allocationContext(credit, directory));
      refuseMissingAssets(credit, resolved, directory);
      plan.items.push({
        credit,
        ruleId: rule ? rule.ruleId : RULE_DEFAULT,
        ruleName: rule
          ? rule.name
          : `Default configuration (customer ${formatPercentBp(defaults.customerBp)}%, reseller ${formatPercentBp(defaults.resellerBp)}%)`,
        allocation: formatAllocation(spec, credit.currency),
        resolved,
      });
    } catch (e) {
      plan.failed.push({ credit, message: (e as Error).message });
    }
  }
  return plan;
}

/** Carry out a plan: each item becomes ASSIGNED with its rule's allocation. */
export function applyPlan(plan: RulePlan, ctx: AssignContext): AssignOutcome[] {
  return plan.items.map((item) =>
    assignResolved(
      item.credit,
      parseAllocation(item.allocation, item.credit.currency),
      item.resolved,
      item.ruleId,
      ctx,
      'rule-applied',
    ),
  );
}

export function planTotals(plan: RulePlan): PlanTotals {
  const byRule = new Map<string, { ruleId: string; name: string; credits: number }>();
  const byTarget = new Map<string, { role: string; targetId: string; currency: string; amount: Minor }>();
  for (const item of plan.items) {
    const r = byRule.get(item.ruleId) ?? { ruleId: item.ruleId, name: item.ruleName, credits: 0 };
    r.credits++;
    byRule.set(item.ruleId, r);
    for (const line of item.resolved.lines) {
      if (line.amount === 0) continue;
      const k = `${line.role}|${line.targetId}|${item.credit.currency}`;
      const t = byTarget.get(k) ?? {
        role: line.role,
        targetId: line.targetId,
        currency: item.credit.currency,
        amount: 0,
      };
      t.amount = addMinor(t.amount, line.amount);
      byTarget.set(k, t);
    }
  }
  return {
    byRule: [...byRule.values()].sort((a, b) => b.credits - a.credits || a.ruleId.localeCompare(b.ruleId)),
    byTarget: [...byTarget.values()].sort(
      (a, b) =>
        a.currency.localeCompare(b.currency) ||
        a.role.localeCompare(b.role) ||
        a.targetId.localeCompare(b.targetId),
    ),
  };
}
