/**
 * `credit-desk apply-rules`: gives every PENDING_ASSIGN credit the allocation of its most appropriate rule, or
 * the default configuration. --dry-run shows the plan (rule per credit, totals per target) without writing.
 * The credits it leaves alone are warned about one line per reason (rules-warnings.ts); --details lists each.
 */
import {
  applyPlan,
  emptyRulePlan,
  planRules,
  planTotals,
  type AssignOutcome,
  type PlanTotals,
  type RulePlan,
} from '../../core/assignment';
import type { Credit } from '../../core/credit';
import { CreditDeskError } from '../../core/errors';
import { addMinor, displayMoney, type Minor } from '../../core/money';
import { parseRules, RuleIndex } from '../../core/rules';
import type { Reporter } from '../progress';
import { buildChangeSet, readState, type DeskState } from '../../core/sheet-state';
import { type Sink } from '../sinks/sink';
import { describeSkipped, hasWork, isEmptyChangeSet, type ChangeSet } from '../../core/sheet-changes';
import { readReconciled } from '../reconcile-step';
import { summaryLayoutAfter } from '../summary-step';
import { count, creditWarnings, hasDetails } from './rules-warnings';

export interface RulesOutcome {
  plan: RulePlan;
  outcomes: AssignOutcome[];
  byRule: PlanTotals['byRule'];
  totals: PlanTotals['byTarget'];
  failed: RulePlan['failed'];
  /** Broken rules (severity error), one line each: row, Rule ID, what is wrong. They are never applied. */
  ruleProblems: string[];
  /** True when no rule was applied at all because some are broken and allowBrokenRules was not given. */
  notApplied: boolean;
}

export function planAndApplyRules(
  credits: Credit[],
  state: DeskState,
  opts: {
    overwriteManual: boolean;
    actor: string;
    now: string;
    dryRun?: boolean;
    allowBrokenRules?: boolean;
  },
): RulesOutcome {
  const { rules, problems } = parseRules(state.ruleRecords);
  const ruleProblems = problems
    .filter((p) => p.severity === 'error')
    .map((p) => `Rules row ${p.row} (${p.ruleId || 'no ID'}): ${p.field}: ${p.message}`);
  if (ruleProblems.length && !opts.allowBrokenRules) {
    // A broken rule might have been meant for these credits: falling back to the default configuration for them
    // would quietly give the money to the wrong party. Nothing is assigned until the rules are fixed.
    return {
      plan: emptyRulePlan(),
      outcomes: [],
      byRule: [],
      totals: [],
      failed: [],
      ruleProblems,
      notApplied: true,
    };
  }
  const index = new RuleIndex(rules);
  const plan = planRules(credits, index, state.defaults, state.directory, {
    overwriteManual: opts.overwriteManual,
  });
  const totals = planTotals(plan);
  const outcomes = opts.dryRun
    ? []
    : applyPlan(plan, { directory: state.directory, actor: opts.actor, now: opts.now });
  return {
    plan,
    outcomes,
    byRule: totals.byRule,
    totals: totals.byTarget,
    failed: plan.failed,
    ruleProblems,
    notApplied: false,
  };
}

export async function runApplyRules(
  opts: {
    dryRun?: boolean;
    overwriteManual?: boolean;
    period?: string;
    allowBrokenRules?: boolean;
    /** Warn about each credit left alone, not one line per reason. */
    details?: boolean;
  },
  deps: { sink: Sink; reporter: Reporter; now: Date; actor: string; usageDir?: string },
): Promise<{ outcome: RulesOutcome; written: boolean }> {
  const { snapshot } = await readReconciled(deps.sink, {
    usageDir: deps.usageDir,
    now: deps.now,
    reporter: deps.reporter,
    write: !opts.dryRun,
  });
  const state = readState(snapshot);
  const pending = state.credits
    .map((e) => e.credit)
    .filter((c) => c.status === 'PENDING_ASSIGN' && (!opts.period || c.period === opts.period));
  if (pending.length === 0) {
    throw new CreditDeskError(
      'NO_DATA',
      `No PENDING_ASSIGN credit${opts.period ? ` in ${opts.period}` : ''} to assign.`,
      'Run `credit-desk sync` first, or check the Status column.',
    );
  }
  const outcome = planAndApplyRules(pending, state, {
    overwriteManual: Boolean(opts.overwriteManual),
    actor: deps.actor,
    now: deps.now.toISOString(),
    dryRun: opts.dryRun,
    allowBrokenRules: opts.allowBrokenRules,
  });
  if (outcome.notApplied) {
    throw new CreditDeskError(
      'BAD_RULE',
      `${outcome.ruleProblems.length} rule${outcome.ruleProblems.length === 1 ? ' is' : 's are'} broken, so no credit was assigned:\n${outcome.ruleProblems.map((p) => `    - ${p}`).join('\n')}`,
      'Fix them in the Rules tab (credit-desk rules validate lists every problem), or pass --allow-broken-rules to apply the other rules and ignore these.',
    );
  }
  for (const p of outcome.ruleProblems)
    deps.reporter.warn(
      `${p} — this rule is ignored (--allow-broken-rules); run \`credit-desk rules validate\`.`,
    );
  for (const line of creditWarnings(outcome, Boolean(opts.details))) deps.reporter.warn(line);
  if (opts.dryRun) return { outcome, written: false };
  const changes = rulesChangeSet(state, outcome, deps.now);
  if (hasWork(changes)) {
    const report = await deps.sink.write(changes);
    for (const line of describeSkipped(report.skipped)) deps.reporter.warn(line);
  }
  return { outcome, written: !isEmptyChangeSet(changes) };
}

/** What applying the rules writes: each assigned credit's row and Audit rows, and the Summary after them. */
export function rulesChangeSet(state: DeskState, outcome: RulesOutcome, now: Date): ChangeSet {
  const changes = buildChangeSet(
    outcome.outcomes.map((o) => ({ before: state.byKey.get(o.credit.key)!, after: o.credit })),
    outcome.outcomes.flatMap((o) => o.audit),
  );
  changes.summary = summaryLayoutAfter(
    state,
    outcome.outcomes.map((o) => o.credit),
    now,
  );
  return changes;
}

/** Rules listed one a line; past this many, the most used and a line for the rest. */
const RULES_LISTED = 10;
/** Targets listed one a line; past this many, one line per currency and role (a big month has thousands). */
const TARGETS_LISTED = 20;

/**
 * What a run did, for the terminal. `commands` are pasteable commands it may point to: `details`, the dry run with
 * --details that lists each credit left alone (printed when the warnings were grouped by reason; absent, the run
 * had --details and lists everything), and `report`, which shows every target's total for the period. Long lists
 * are shortened unless the run had --details: a month of 8,000 accounts printed 9,900 lines of targets.
 */
export function formatRulesOutcome(
  o: RulesOutcome,
  dryRun: boolean,
  commands: { details?: string; report?: string } = {},
): string {
  const all = !commands.details;
  const lines = [
    `${dryRun ? 'Dry run — would assign' : 'Assigned'} ${o.plan.items.length} credit${o.plan.items.length === 1 ? '' : 's'}${o.failed.length ? `; ${o.failed.length} could not be assigned (see warnings)` : ''}${o.plan.skippedHeld.length ? `; ${o.plan.skippedHeld.length} held for review left alone` : ''}${o.plan.skippedCorrections.length ? `; ${o.plan.skippedCorrections.length} correction credit(s) left for a person (\`credit-desk sync\` prints the command that accepts each proposal)` : ''}.`,
  ];
  if (commands.details && hasDetails(o)) lines.push(`Each credit left alone, with why: ${commands.details}`);
  if (o.ruleProblems.length)
    lines.push(
      `Ignored ${o.ruleProblems.length} broken rule${o.ruleProblems.length === 1 ? '' : 's'} (see warnings).`,
    );
  // A heading only over lines: "By rule:" with nothing under it reads as if something were missing.
  if (o.byRule.length) lines.push('By rule:');
  const rules = all ? o.byRule : o.byRule.slice(0, RULES_LISTED);
  for (const r of rules) lines.push(`  ${r.ruleId.padEnd(10)} ${String(r.credits).padStart(6)}  ${r.name}`);
  const rest = o.byRule.slice(rules.length);
  if (rest.length)
    lines.push(
      `  … ${count(rest.length, 'more rule')}, ${count(
        rest.reduce((n, r) => n + r.credits, 0),
        'credit',
      )}`,
    );
  if (!o.totals.length) return lines.join('\n');
  if (all || o.totals.length <= TARGETS_LISTED) {
    lines.push('Totals passed on, per target and currency:');
    for (const t of o.totals)
      lines.push(
        `  ${t.role.padEnd(11)} ${t.targetId.padEnd(16)} ${displayMoney(t.amount, t.currency).padStart(18)}`,
      );
    return lines.join('\n');
  }
  // One line per currency and role, in the order of the full list (currency, then role): exact sums.
  const groups = new Map<string, { role: string; currency: string; targets: number; amount: Minor }>();
  for (const t of o.totals) {
    const k = `${t.currency}|${t.role}`;
    const g = groups.get(k) ?? { role: t.role, currency: t.currency, targets: 0, amount: 0 };
    g.targets++;
    g.amount = addMinor(g.amount, t.amount);
    groups.set(k, g);
  }
  const each = dryRun ? commands.details : commands.report;
  lines.push(
    `Totals passed on, per currency and role (${count(o.totals.length, 'target')}${each ? `; each target's: ${each}` : ''}):`,
  );
  for (const g of groups.values())
    lines.push(
      `  ${g.role.padEnd(11)} ${count(g.targets, 'target').padEnd(16)} ${displayMoney(g.amount, g.currency).padStart(18)}`,
    );
  return lines.join('\n');
}
