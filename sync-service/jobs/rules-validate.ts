/**
 * `credit-desk rules validate`: reads the Rules tab and reports what is wrong with each rule, with its row —
 * the same checks the add-on's "Validate rules" runs. It reads the two tabs the checks use, Rules and Accounts
 * (the unknown-ID check): a sheet's Credits, Audit and Ledger rows are most of its bytes and none of its rules.
 */
import { validateRules } from '../../core/rules';
import type { RuleProblem } from '../../core/rules/types';
import type { RuleField } from '../../core/sheet-contract';
import { readDirectory } from '../../core/sheet-state';
import { readRecords } from '../../core/table';
import type { Sink } from '../sinks/sink';

export interface RulesValidation {
  ruleCount: number;
  problems: RuleProblem[];
}

export async function runValidateRules(sink: Sink): Promise<RulesValidation> {
  const snapshot = await sink.read({ only: ['rules', 'accounts'] });
  const records = readRecords<RuleField>('rules', snapshot.tabs.rules);
  return {
    ruleCount: records.length,
    problems: validateRules(records, readDirectory(snapshot)),
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
