// CONTRACT — implementation in progress (helper B).
import type { Cell } from '../table';
import type { RuleField } from '../sheet-contract';
import type { AccountDirectory } from '../accounts';
import type { Explanation, Rule, RuleProblem, RuleSubject } from './types';
export * from './types';

/** Parses Rules-tab records; invalid rules are left out and reported as problems with their row. */
export declare function parseRules(records: { row: number; record: Record<RuleField, Cell> }[]): { rules: Rule[]; problems: RuleProblem[] };
/** Everything "Validate rules" reports: parse problems plus unknown IDs, periods ending before they start, rules that can never win. */
export declare function validateRules(records: { row: number; record: Record<RuleField, Cell> }[], directory?: AccountDirectory): RuleProblem[];
/** Built once per run; picks the most appropriate rule for a credit in well under a microsecond amortised. */
export declare class RuleIndex {
  constructor(rules: Rule[]);
  choose(subject: RuleSubject): Rule | null;
  explain(subject: RuleSubject): Explanation;
}
