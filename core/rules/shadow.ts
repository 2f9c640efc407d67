/**
 * Rules that can never win. A rule B is shadowed when another enabled rule A ranks higher and admits every
 * credit B admits: then whenever B is a candidate, so is A, and A is chosen.
 *
 * How far this goes: pairs of rules only. "A admits everything B admits" is checked criterion by criterion:
 * - description: A blank; or the same match type and text (regex: the same pattern, character for
 *   character); or A is `contains x` and B's exact text or contained text includes x;
 * - period: A's From/To lie at or outside B's;
 * - each context: A is ALL; or both ONLY and B's IDs are among A's; or both EXCLUDE and A excludes a subset
 *   of what B excludes; or A is EXCLUDE and B is ONLY with none of B's IDs excluded by A.
 * A rule covered only by the union of several others (two ONLY rules splitting its customers) is not
 * detected; regexes that happen to be equivalent but written differently are not detected either.
 */
import { fold, type CompiledRule } from './match';
import { compareRank, rankDifference } from './rank';

export function descriptionCovers(a: CompiledRule, b: CompiledRule): boolean {
  if (!a.hasDescription) return true;
  if (!b.hasDescription) return false;
  const ra = a.rule;
  const rb = b.rule;
  if (ra.match === 'regex' || rb.match === 'regex')
    return ra.match === rb.match && ra.description.trim() === rb.description.trim();
  const textA = fold(ra.description.trim());
  const textB = fold(rb.description.trim());
  if (ra.match === 'exact') return rb.match === 'exact' && textA === textB;
  return textB.includes(textA);
}

export function periodCovers(a: CompiledRule, b: CompiledRule): boolean {
  const { from: fa, to: ta } = a.rule;
  const { from: fb, to: tb } = b.rule;
  return (fa === null || (fb !== null && fa <= fb)) && (ta === null || (tb !== null && tb <= ta));
}

function subset(small: ReadonlySet<string>, big: ReadonlySet<string>): boolean {
  for (const x of small) if (!big.has(x)) return false;
  return true;
}

function disjoint(x: ReadonlySet<string>, y: ReadonlySet<string>): boolean {
  for (const v of x) if (y.has(v)) return false;
  return true;
}

export function contextCovers(
  modeA: string,
  idsA: ReadonlySet<string>,
  modeB: string,
  idsB: ReadonlySet<string>,
): boolean {
  if (modeA === 'ALL') return true;
  if (modeA === 'ONLY') return modeB === 'ONLY' && subset(idsB, idsA);
  // A is EXCLUDE
  if (modeB === 'EXCLUDE') return subset(idsA, idsB);
  if (modeB === 'ONLY') return disjoint(idsA, idsB);
  return false;
}

/** A admits every credit B admits. */
export function covers(a: CompiledRule, b: CompiledRule): boolean {
  return (
    periodCovers(a, b) &&
    contextCovers(a.rule.customer.mode, a.customers, b.rule.customer.mode, b.customers) &&
    contextCovers(a.rule.reseller.mode, a.resellers, b.rule.reseller.mode, b.resellers) &&
    contextCovers(a.rule.service.mode, a.services, b.rule.service.mode, b.services) &&
    descriptionCovers(a, b)
  );
}

/** For each enabled rule that can never win, the best-ranked rule that shadows it. */
export function findShadowed(enabled: CompiledRule[]): { shadowed: CompiledRule; by: CompiledRule }[] {
  const ranked = [...enabled].sort(compareRank);
  const out: { shadowed: CompiledRule; by: CompiledRule }[] = [];
  ranked.forEach((b, j) => {
    for (let i = 0; i < j; i++) {
      const a = ranked[i];
      if (rankDifference(a, b).order < 0 && covers(a, b)) {
        out.push({ shadowed: b, by: a });
        return;
      }
    }
  });
  return out;
}
