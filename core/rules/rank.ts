/**
 * The ranking of rules that all admit a credit: "the most appropriate rule" after CloudBlue's credit
 * manager. docs/user-guide.md copies this order.
 *
 *   1. A rule whose (non-blank) description matched beats any rule with a blank description.
 *   2. Customer context: ONLY beats EXCLUDE beats ALL (the more specific selection wins).
 *   3. Reseller context, likewise.
 *   4. Service context, likewise.
 *   5. The NEWEST Created date wins: the latest decision reflects current policy. An unreadable date ranks
 *      as the oldest.
 *   6. Rule ID ascending (case-insensitive, then as written): a deterministic final tie-break.
 *
 * Rules never stack: a credit gets exactly one rule, or none (then the default configuration applies).
 *
 * Since a rule with a description only admits credits whose description it matched, the ranking is a fixed
 * total order of the rules, independent of the credit: the index sorts once and takes the first rule that
 * admits a credit.
 */
import type { CompiledRule } from './match';

/** What ranking needs of a compiled rule (validation ranks rules without compiling their matchers). */
export type Rankable = Pick<CompiledRule, 'rule' | 'hasDescription' | 'createdMs'>;
import type { ContextMode, RankStep } from './types';

export const CONTEXT_SPECIFICITY: Record<ContextMode, number> = { ONLY: 2, EXCLUDE: 1, ALL: 0 };

/** The rank of a rule as a tuple; smaller sorts first (better). Useful for display and tests. */
export function rankKey(c: Rankable): [number, number, number, number, number, string, string] {
  const r = c.rule;
  return [
    c.hasDescription ? 0 : 1,
    -CONTEXT_SPECIFICITY[r.customer.mode],
    -CONTEXT_SPECIFICITY[r.reseller.mode],
    -CONTEXT_SPECIFICITY[r.service.mode],
    -c.createdMs,
    r.ruleId.toLowerCase(),
    r.ruleId,
  ];
}

const STEPS: RankStep[] = ['description', 'customer', 'reseller', 'service', 'created', 'ruleId', 'ruleId'];

/**
 * The first ranking step on which two rules differ, and which one is better there (negative: a is better).
 * Equal rules (same ID) give { step: null, order: 0 }.
 */
export function rankDifference(a: Rankable, b: Rankable): { step: RankStep | null; order: number } {
  const ka = rankKey(a);
  const kb = rankKey(b);
  for (let i = 0; i < ka.length; i++) {
    if (ka[i] !== kb[i]) {
      // -Infinity - -Infinity is NaN, but equal values never reach here.
      const order = ka[i] < kb[i] ? -1 : 1;
      return { step: STEPS[i], order };
    }
  }
  return { step: null, order: 0 };
}

export function compareRank(a: Rankable, b: Rankable): number {
  return rankDifference(a, b).order;
}
/** Why the better of two rules wins at a given step, as the end of a sentence. */
export const RANK_STEP_REASON: Record<RankStep, string> = {
  description: 'because a matched description beats a blank one',
  customer: 'on a more specific customer context',
  reseller: 'on a more specific reseller context',
  service: 'on a more specific service context',
  created: 'because it was created more recently',
  ruleId: 'on Rule ID order, everything else being equal',
};
