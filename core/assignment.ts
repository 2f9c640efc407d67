/**
 * Assigning credits: by hand, by the most appropriate rule, or by the default configuration. Used by the CLI
 * (assign, unassign, apply-rules) and by the add-on, so both behave the same. CONTRACT — the lead implements.
 */
import type { AccountDirectory } from './accounts';
import type { AuditEntry } from './audit';
import type { Credit } from './credit';
import type { Minor } from './money';
import type { DefaultConfiguration, Explanation, RuleIndex } from './rules';
import type { ResolvedAllocation } from './allocation';

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

export type RuleScopeFilter = 'pending' | 'selection';

export interface PlannedAssignment {
  credit: Credit;
  /** Rule ID or 'default'. */
  ruleId: string;
  ruleName: string;
  allocation: string;
  resolved: ResolvedAllocation;
  explanation: Explanation;
}

export interface RulePlan {
  items: PlannedAssignment[];
  /** Left alone because staff set them by hand (Rule = manual) and overwriteManual is off. */
  skippedManual: Credit[];
  /** PROCESSING / PROCESSED credits in the input: never touched. */
  skippedLocked: Credit[];
  /** Credits whose allocation could not be resolved (e.g. no customer for the account), with the reason. */
  failed: { credit: Credit; message: string }[];
}

export interface PlanTotals {
  byRule: { ruleId: string; name: string; credits: number }[];
  byTarget: { role: string; targetId: string; currency: string; amount: Minor }[];
}

/** Assign (or edit) by hand: validates status and allocation; Rule becomes `manual` unless ruleId is given. */
export declare function assignCredit(credit: Credit, allocationText: string, ctx: AssignContext, ruleId?: string): AssignOutcome;
/** Delete the assignment: ASSIGNED → PENDING_ASSIGN, allocation/rule/keeps cleared. */
export declare function unassignCredit(credit: Credit, ctx: AssignContext): AssignOutcome;
/** Decide, for each credit, the most appropriate rule (else the default configuration). Pure: nothing changes yet. */
export declare function planRules(
  credits: Credit[],
  index: RuleIndex,
  defaults: DefaultConfiguration,
  directory: AccountDirectory,
  opts: { overwriteManual: boolean; useDefaultOnly?: boolean },
): RulePlan;
/** Carry out a plan: each item becomes ASSIGNED with its rule's allocation. */
export declare function applyPlan(plan: RulePlan, ctx: AssignContext): AssignOutcome[];
export declare function planTotals(plan: RulePlan): PlanTotals;
