/**
 * Credit rules, after CloudBlue's credit manager. The types the rest of the tool codes against; the logic
 * lives in parse.ts (Rules tab → Rule), select.ts (which rule a credit gets) and validate.ts.
 */
export type MatchType = 'exact' | 'contains' | 'regex';
export type ContextMode = 'ALL' | 'ONLY' | 'EXCLUDE';

export interface Context {
  mode: ContextMode;
  ids: string[];
}

export interface Rule {
  ruleId: string;
  name: string;
  /** '' matches any description (and then the rule gets no description-match priority). */
  description: string;
  match: MatchType;
  /** Basis points: 60% = 6000. customerBp + resellerBp <= 10000. */
  customerBp: number;
  resellerBp: number;
  /** Applicable period, inclusive, YYYY-MM; null = open. */
  from: string | null;
  to: string | null;
  customer: Context;
  reseller: Context;
  service: Context;
  /** Creation date, ISO (YYYY-MM-DD or full timestamp). */
  created: string;
  enabled: boolean;
  /** Sheet row the rule came from (for messages). */
  row: number;
}

/** What a rule is matched against: a credit's fields. */
export interface RuleSubject {
  description: string;
  period: string;
  customerId: string;
  resellerId: string;
  service: string;
}

export interface RuleProblem {
  row: number;
  ruleId: string;
  field: string;
  /**
   * 'error': the rule is left out until fixed. 'warning': the rule is used but probably not as meant
   * (unknown IDs, a rule that can never win). 'info': worth knowing, nothing is wrong (a disabled rule).
   */
  severity: RuleProblemSeverity;
  message: string;
}

export type RuleProblemSeverity = 'error' | 'warning' | 'info';

/** The ranking steps, in order, that decide between rules that all admit a credit (see select.ts). */
export type RankStep = 'description' | 'customer' | 'reseller' | 'service' | 'created' | 'ruleId';

export interface DefaultConfiguration {
  customerBp: number;
  resellerBp: number;
}

export interface Explanation {
  chosen: Rule | null;
  /** One sentence: why this rule (or the default configuration) was chosen. */
  reason: string;
  /** Every enabled rule that admits the credit, best first (the chosen one first). */
  matching: { rule: Rule; why: string }[];
  usedDefault: boolean;
}
