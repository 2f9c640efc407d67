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
import { createdMillis } from './cells';
import { fold, foldedIds, type CompiledRule } from './match';
import { CONTEXT_SPECIFICITY } from './rank';
import type { Rule } from './types';

/** What the shadow check needs of a rule: its folded IDs and Created time, no description matcher. */
export type ShadowRule = Pick<
  CompiledRule,
  'rule' | 'hasDescription' | 'customers' | 'resellers' | 'services' | 'createdMs'
>;

/** An ALL context's IDs: one empty set shared by the rules that have one (most), never added to. */
const NO_IDS: Set<string> = new Set();
const idsOf = (context: Rule['customer']) => (context.ids.length ? foldedIds(context) : NO_IDS);

/** The ShadowRule of a rule, cheaper than compileRule (no regex is compiled): validation checks 100,000 rules. */
export function shadowView(rule: Rule, createdCache = new Map<string, number>()): ShadowRule {
  let createdMs = createdCache.get(rule.created);
  if (createdMs === undefined) {
    createdMs = createdMillis(rule.created) ?? -Infinity;
    createdCache.set(rule.created, createdMs);
  }
  return {
    rule,
    hasDescription: rule.description.trim() !== '',
    customers: idsOf(rule.customer),
    resellers: idsOf(rule.reseller),
    services: idsOf(rule.service),
    createdMs,
  };
}

export function descriptionCovers(a: ShadowRule, b: ShadowRule): boolean {
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

export function periodCovers(a: ShadowRule, b: ShadowRule): boolean {
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
export function covers(a: ShadowRule, b: ShadowRule): boolean {
  return (
    periodCovers(a, b) &&
    contextCovers(a.rule.customer.mode, a.customers, b.rule.customer.mode, b.customers) &&
    contextCovers(a.rule.reseller.mode, a.resellers, b.rule.reseller.mode, b.resellers) &&
    contextCovers(a.rule.service.mode, a.services, b.rule.service.mode, b.services) &&
    descriptionCovers(a, b)
  );
}

/**
 * For each enabled rule that can never win, the best-ranked rule that shadows it.
 *
 * Near-linear, not pairwise (100,000 rules must validate in seconds). Two facts narrow the rules that could
 * shadow B to a few index look-ups, and `covers` then decides exactly, so the answer is the pairwise one:
 *
 * - A shadowing rule has B's blank-or-not description and B's three context modes. The ranking compares these
 *   first, and in each context a more specific mode never covers a less specific one (ONLY covers only ONLY,
 *   EXCLUDE never covers ALL), so a rule that ranks higher by a mode cannot cover B; one that ranks lower by
 *   a mode is not better. What is left to rank them is Created and Rule ID.
 * - Its description covers B's: blank (B blank too), the same exact text or regex, or a `contains` text found
 *   in B's text (looked up by B's substrings of the lengths such texts have). Its customer context covers B's:
 *   ONLY must hold one given customer of B; EXCLUDE may exclude only customers B excludes (looked up by its
 *   first excluded ID).
 *
 * Rules are visited best first and indexed after their turn, so every candidate found ranks higher.
 */
export function findShadowed<R extends ShadowRule>(enabled: R[]): { shadowed: R; by: R }[] {
  const ranked = sortByRank(enabled);
  // group (blank?, modes) → description key → customer key → positions in `ranked`, ascending (rank order):
  // positions rather than rules, so "ranks below the best found so far" is a number comparison.
  const index = new Map<string, Map<string, Map<string, number[]>>>();
  const containsStarts = new Map<string, ContainsStarts>();
  for (const r of ranked) {
    if (r.rule.match !== 'contains' || !r.hasDescription) continue;
    const g = groupKey(r);
    const x = fold(r.rule.description.trim());
    let starts = containsStarts.get(g);
    if (!starts) containsStarts.set(g, (starts = { pairs: new Map(), single: false }));
    if (x.length === 1) {
      starts.single = true; // found by its one character, whatever follows it
      continue;
    }
    const lengths = starts.pairs.get(pairAt(x, 0)) ?? [];
    if (!lengths.includes(x.length)) lengths.push(x.length);
    starts.pairs.set(pairAt(x, 0), lengths);
  }

  const out: { shadowed: R; by: R }[] = [];
  for (let position = 0; position < ranked.length; position++) {
    const b = ranked[position];
    const g = groupKey(b);
    let group = index.get(g);
    if (group) {
      let best = -1;
      for (const dKey of descriptionQueryKeys(b, containsStarts.get(g), group)) {
        const byCustomer = group.get(dKey);
        if (!byCustomer) continue;
        for (const cKey of customerQueryKeys(b)) {
          for (const a of byCustomer.get(cKey) ?? []) {
            if (best !== -1 && a >= best) break; // lists are in rank order
            if (covers(ranked[a], b)) {
              best = a;
              break;
            }
          }
        }
      }
      if (best !== -1) out.push({ shadowed: b, by: ranked[best] });
    } else index.set(g, (group = new Map()));
    const dKey = descriptionKey(b);
    let byCustomer = group.get(dKey);
    if (!byCustomer) group.set(dKey, (byCustomer = new Map()));
    for (const cKey of customerKeys(b)) {
      const list = byCustomer.get(cKey);
      if (list) list.push(position);
      else byCustomer.set(cKey, [position]);
    }
  }
  // In the order the pairwise check reported them (rank order of the shadowed rule).
  return out;
}

function groupKey(r: ShadowRule): string {
  return `${r.hasDescription ? 'd' : 'b'}|${r.rule.customer.mode}|${r.rule.reseller.mode}|${r.rule.service.mode}`;
}

function descriptionKey(r: ShadowRule): string {
  if (!r.hasDescription) return 'b';
  const t = r.rule.description.trim();
  return r.rule.match === 'regex' ? `r:${t}` : `${r.rule.match === 'exact' ? 'e' : 'c'}:${fold(t)}`;
}

/** The description keys of the rules that may cover `b` (see descriptionCovers). */
function descriptionQueryKeys(
  b: ShadowRule,
  starts: ContainsStarts | undefined,
  group: Map<string, unknown>,
): string[] {
  if (!b.hasDescription) return ['b'];
  const t = b.rule.description.trim();
  if (b.rule.match === 'regex') return [`r:${t}`];
  const text = fold(t);
  const keys = new Set<string>(b.rule.match === 'exact' ? [`e:${text}`] : []);
  if (!starts) return [...keys];
  // Only where a `contains` text of the group could start (its first two characters are here) is a substring
  // taken: a few strings per description instead of one per position and length.
  for (let i = 0; i < text.length; i++) {
    if (starts.single) {
      const key = `c:${text[i]}`;
      if (group.has(key)) keys.add(key);
    }
    const lengths = i + 1 < text.length ? starts.pairs.get(pairAt(text, i)) : undefined;
    if (!lengths) continue;
    for (const n of lengths) {
      if (i + n > text.length) continue;
      const key = `c:${text.slice(i, i + n)}`;
      if (group.has(key)) keys.add(key);
    }
  }
  return [...keys];
}

/** A group's `contains` texts: their lengths by their first two characters, and whether any has one character. */
interface ContainsStarts {
  pairs: Map<number, number[]>;
  single: boolean;
}

/** The UTF-16 units at i and i + 1 as one number. */
function pairAt(text: string, i: number): number {
  return text.charCodeAt(i) * 65536 + text.charCodeAt(i + 1);
}

/**
 * The ranked order of compareRank (rank.ts's rankKey, step by step), with each rule's key computed once rather
 * than twice per comparison (a sort of 100,000 rules makes ~1.7 million comparisons), and its first four steps,
 * small numbers each, packed into one number.
 */
function sortByRank<R extends ShadowRule>(rules: R[]): R[] {
  const keyed = rules.map((r) => {
    const { rule } = r;
    const id = rule.ruleId;
    return {
      r,
      // rankKey's first four steps: blank description last, then each context ONLY, EXCLUDE, ALL.
      modes:
        (((r.hasDescription ? 0 : 1) * 4 + 2 - CONTEXT_SPECIFICITY[rule.customer.mode]) * 4 +
          2 -
          CONTEXT_SPECIFICITY[rule.reseller.mode]) *
          4 +
        2 -
        CONTEXT_SPECIFICITY[rule.service.mode],
      created: -r.createdMs,
      folded: id.toLowerCase(),
      id,
    };
  });
  keyed.sort((a, b) => {
    if (a.modes !== b.modes) return a.modes - b.modes;
    if (a.created !== b.created) return a.created < b.created ? -1 : 1;
    if (a.folded !== b.folded) return a.folded < b.folded ? -1 : 1;
    if (a.id !== b.id) return a.id < b.id ? -1 : 1;
    return 0;
  });
  return keyed.map((x) => x.r);
}

const ANY = '\u0000any';
const NONE = '\u0000none';

/** Where a rule is filed by its customer context. */
function customerKeys(a: ShadowRule): string[] {
  switch (a.rule.customer.mode) {
    case 'ALL':
      return [ANY];
    case 'ONLY':
      return [ANY, ...a.customers];
    case 'EXCLUDE':
      return [a.customers.size ? [...a.customers].sort()[0] : NONE];
  }
}

/** Where the rules that may cover `b`'s customer context are filed (see contextCovers). */
function customerQueryKeys(b: ShadowRule): string[] {
  switch (b.rule.customer.mode) {
    case 'ALL':
      return [ANY];
    case 'ONLY': {
      // Any one of b's customers must be among a's: the first will do. No customers: any ONLY rule covers.
      const first = b.customers.values().next();
      return [first.done ? ANY : first.value];
    }
    case 'EXCLUDE':
      return [NONE, ...b.customers];
  }
}
