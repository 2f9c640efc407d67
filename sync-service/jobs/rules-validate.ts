/**
 * `credit-desk rules validate`: reads the Rules tab and reports what is wrong with each rule, with its row —
 * the same checks the add-on's "Validate rules" runs.
 */
import { validateRules } from '../../core/rules';
import type { RuleProblem } from '../../core/rules/types';
import { readState } from '../../core/sheet-state';
import type { Sink } from '../sinks/sink';

export interface RulesValidation {
  ruleCount: number;
  problems: RuleProblem[];
}

export async function runValidateRules(sink: Sink): Promise<RulesValidation> {
  const state = readState(await sink.read());
  return {
    ruleCount: state.ruleRecords.length,
    problems: validateRules(state.ruleRecords, state.directory),
  };
}

export function formatRuleProblems(v: RulesValidation): string {
  if (v.problems.length === 0) return `All ${v.ruleCount} rules are valid.`;
  return v.problems
    .map(
      (p) => `Rules row ${p.row} ${p.ruleId ? `(${p.ruleId}) ` : ''}${p.severity}: ${p.field}: ${p.message}`,
    )
    .join('\n');
}
