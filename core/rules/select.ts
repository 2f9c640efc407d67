/**
 * Choosing "the most appropriate rule" for a credit, fast. See rank.ts for the order; in short:
 *
 *   1. Candidates: enabled rules whose period (From ≤ period ≤ To, open ends allowed), customer, reseller
 *      and service contexts admit the credit, and whose description matches (blank matches everything).
 *   2. Best first: matched description > blank; customer ONLY > EXCLUDE > ALL; reseller likewise; service
 *      likewise; newest Created; Rule ID ascending.
 *   3. No candidate: the caller uses the default configuration (Config tab).
 *
 * How it stays fast (100,000 credits × 1,000 rules, whatever the variety of descriptions): the rules are sorted
 * once into rank order, and the first rule that admits a credit is the answer. Rather than scanning every rule
 * for every credit:
 * - the description-matching rules are worked out once per distinct description, at a cost that does not grow
 *   with the number of rules (multi-match.ts): exact rules through a Map, contains rules by one Aho–Corasick
 *   pass, regex rules only where one of their literal fragments occurs (found by a second pass); the result
 *   is cached in two generations, so more distinct descriptions than the cache holds degrade gently;
 * - customer-ONLY rules sit in a Map by customer ID, so only the ones naming this customer are looked at,
 *   and they come before EXCLUDE and ALL rules anyway (customer context is the second ranking step);
 * - each rule's period and context test is specialised once (an open period or an ALL context costs
 *   nothing). A per-credit result cache was tried and dropped: building its keys cost more than it saved.
 */
import {
  admits,
  compileRule,
  fold,
  foldKeys,
  foldSubject,
  type CompiledRule,
  type FoldedKeys,
  type FoldedSubject,
} from './match';
import { PatternSet, requiredFragments } from './multi-match';
import { compareRank, RANK_STEP_REASON, rankDifference, rankKey } from './rank';
import type { Context, Explanation, Rule, RuleSubject } from './types';

/** Rules in rank order, split for lookup: customer-ONLY rules by customer ID, the rest in one list. */
interface Segment {
  onlyByCustomer: Map<string, CompiledRule[]>;
  rest: CompiledRule[];
}

interface DescriptionEntry {
  segment: Segment;
}

/**
 * The per-description cache holds two generations of this many entries: when the current one is full it becomes
 * the previous one (still read) and a new one starts. Memory stays bounded and a run with more distinct
 * descriptions than that loses only the oldest half, never the whole cache at once.
 */
const CACHE_GENERATION = 20_000;

/** Lists shorter than this are scanned in rank order; longer ones get a customer-ONLY map (segmentOf). */
const SEGMENT_MAP_FROM = 16;

const EMPTY_SEGMENT: Segment = { onlyByCustomer: new Map(), rest: [] };
const EMPTY_ENTRY: DescriptionEntry = { segment: EMPTY_SEGMENT };

export class RuleIndex {
  /** Every enabled rule, best first. */
  private readonly ranked: CompiledRule[];
  private readonly blankSegment: Segment;
  /** exact rules by folded text: an ID per distinct text, and the rules of each. */
  private readonly exactIdByText = new Map<string, number>();
  private readonly exactLists: CompiledRule[][] = [];
  /** Which regex rules were tested for the current description (a stamp per rank position). */
  private readonly tested: Int32Array;
  private stamp = 0;
  /** contains rules, by pattern ID (one ID per distinct folded text). */
  private readonly containsPatterns = new PatternSet();
  private readonly containsById: CompiledRule[][] = [];
  /** regex rules with literal fragments, by fragment ID; and those without, tested on every description. */
  private readonly fragmentPatterns = new PatternSet();
  private readonly regexByFragment: CompiledRule[][] = [];
  private readonly unfilteredRegex: CompiledRule[];
  private readonly position = new Map<CompiledRule, number>();
  private cache = new Map<string, DescriptionEntry>();
  private previousCache = new Map<string, DescriptionEntry>();
  /** Entries by the set of rules they hold (rank positions), shared between descriptions. */
  private readonly bySignature = new Map<string, DescriptionEntry>();

  constructor(rules: Rule[]) {
    this.ranked = rules
      .filter((r) => r.enabled)
      .map(compileRule)
      .sort(compareRank);
    this.ranked.forEach((c, i) => this.position.set(c, i));
    this.tested = new Int32Array(this.ranked.length);
    const described = this.ranked.filter((c) => c.hasDescription);
    this.blankSegment = segmentOf(this.ranked.filter((c) => !c.hasDescription));
    const containsIds = new Map<string, number>();
    const fragmentIds = new Map<string, number>();
    const unfiltered: CompiledRule[] = [];
    const listed = <K>(map: Map<K, number>, lists: CompiledRule[][], key: K, c: CompiledRule): number => {
      let id = map.get(key);
      if (id === undefined) {
        id = lists.length;
        map.set(key, id);
        lists.push([]);
      }
      lists[id].push(c);
      return id;
    };
    for (const c of described) {
      const wanted = fold(c.rule.description.trim());
      if (c.rule.match === 'exact') {
        listed(this.exactIdByText, this.exactLists, wanted, c);
      } else if (c.rule.match === 'contains') {
        const known = containsIds.has(wanted);
        const id = listed(containsIds, this.containsById, wanted, c);
        if (!known) this.containsPatterns.add(wanted, id);
      } else {
        const fragments = requiredFragments(c.rule.description.trim());
        if (!fragments) {
          unfiltered.push(c);
          continue;
        }
        for (const f of new Set(fragments)) {
          const known = fragmentIds.has(f);
          const id = listed(fragmentIds, this.regexByFragment, f, c);
          if (!known) this.fragmentPatterns.add(f, id);
        }
      }
    }
    this.containsPatterns.build();
    this.fragmentPatterns.build();
    this.unfilteredRegex = unfiltered;
  }

  /** The most appropriate rule for a credit, or null when the default configuration applies. */
  choose(subject: RuleSubject): Rule | null {
    return this.chooseCompiled(subject)?.rule ?? null;
  }

  /** The choice, why, and every rule that admits the credit, best first. */
  explain(subject: RuleSubject): Explanation {
    const s = foldSubject(subject);
    const matching = this.ranked.filter((c) => admits(c, s));
    const chosen = matching[0] ?? null;
    if (!chosen)
      return { chosen: null, reason: defaultReason(this.ranked, s), matching: [], usedDefault: true };
    return {
      chosen: chosen.rule,
      reason: chosenReason(chosen, matching),
      matching: matching.map((c) => ({ rule: c.rule, why: whyItMatched(c) })),
      usedDefault: false,
    };
  }

  private chooseCompiled(subject: RuleSubject): CompiledRule | null {
    const entry = this.cached(subject.description) ?? this.entryFor(subject.description);
    const s = foldKeys(subject);
    return firstAdmitting(entry.segment, s) ?? firstAdmitting(this.blankSegment, s);
  }

  private cached(description: string): DescriptionEntry | undefined {
    const hit = this.cache.get(description);
    if (hit) return hit;
    const old = this.previousCache.get(description);
    if (old) this.remember(description, old);
    return old;
  }

  private remember(description: string, entry: DescriptionEntry): void {
    if (this.cache.size >= CACHE_GENERATION) {
      this.previousCache = this.cache;
      this.cache = new Map();
    }
    this.cache.set(description, entry);
  }

  /**
   * The description-matching rules for one description, in rank order: one pass per automaton. Descriptions
   * that hit the same exact text, contains patterns and regex rules share one entry (keyed by those IDs), so
   * 100,000 distinct descriptions make a few hundred entries, not 100,000 rule lists.
   */
  private entryFor(description: string): DescriptionEntry {
    const folded = fold(description);
    const exactId = this.exactIdByText.get(folded.trim());
    const containsHits: number[] = [];
    this.containsPatterns.search(folded, (id) => containsHits.push(id));
    const regexHits: number[] = [];
    const stamp = ++this.stamp;
    const test = (c: CompiledRule) => {
      const at = this.position.get(c)!;
      if (this.tested[at] === stamp) return;
      this.tested[at] = stamp;
      if (c.testDescription(description, folded)) regexHits.push(at);
    };
    for (const c of this.unfilteredRegex) test(c);
    if (this.regexByFragment.length)
      this.fragmentPatterns.search(
        description,
        (id) => {
          for (const c of this.regexByFragment[id]) test(c);
        },
        true,
      );
    let entry = EMPTY_ENTRY;
    if (exactId !== undefined || containsHits.length || regexHits.length) {
      containsHits.sort((a, b) => a - b);
      regexHits.sort((a, b) => a - b);
      const signature = `${exactId ?? ''}|${containsHits.join(',')}|${regexHits.join(',')}`;
      const shared = this.bySignature.get(signature);
      if (shared) entry = shared;
      else {
        const rules = new Set<CompiledRule>(exactId === undefined ? [] : this.exactLists[exactId]);
        for (const id of containsHits) for (const c of this.containsById[id]) rules.add(c);
        for (const at of regexHits) rules.add(this.ranked[at]);
        const list = [...rules].sort((a, b) => this.position.get(a)! - this.position.get(b)!);
        entry = {
          segment:
            list.length < SEGMENT_MAP_FROM
              ? { onlyByCustomer: EMPTY_SEGMENT.onlyByCustomer, rest: list }
              : segmentOf(list),
        };
        if (this.bySignature.size >= CACHE_GENERATION) this.bySignature.clear();
        this.bySignature.set(signature, entry);
      }
    }
    this.remember(description, entry);
    return entry;
  }
}

/** The rank key of a rule (smaller is better), for display, sorting and tests. */
export function ruleRankKey(rule: Rule): ReturnType<typeof rankKey> {
  return rankKey(compileRule(rule));
}

function segmentOf(ranked: CompiledRule[]): Segment {
  const onlyByCustomer = new Map<string, CompiledRule[]>();
  const rest: CompiledRule[] = [];
  for (const c of ranked) {
    if (c.rule.customer.mode !== 'ONLY') {
      rest.push(c);
      continue;
    }
    for (const id of c.customers) {
      const list = onlyByCustomer.get(id) ?? [];
      list.push(c);
      onlyByCustomer.set(id, list);
    }
  }
  return { onlyByCustomer, rest };
}

/** Customer-ONLY rules naming this customer rank above every EXCLUDE and ALL rule, so they are tried first. */
function firstAdmitting(segment: Segment, s: FoldedKeys): CompiledRule | null {
  const only = s.customerId === '' ? undefined : segment.onlyByCustomer.get(s.customerId);
  if (only) for (const c of only) if (c.admitsKeys(s)) return c;
  for (const c of segment.rest) if (c.admitsKeys(s)) return c;
  return null;
}

// ---------------------------------------------------------------------------------------------------------
// Explanations: one sentence for the chosen rule, a short "why" for each matching rule.

function label(rule: Rule): string {
  return rule.name ? `Rule ${rule.ruleId} '${rule.name}'` : `Rule ${rule.ruleId}`;
}

const NOUN = { customer: 'customer', reseller: 'reseller', service: 'service' } as const;

function contextPhrase(context: Context, noun: keyof typeof NOUN): string | null {
  if (context.mode === 'ONLY') return `is limited to this ${NOUN[noun]}`;
  if (context.mode === 'EXCLUDE') return `applies to every ${NOUN[noun]} but ${context.ids.length} excluded`;
  return null;
}

function descriptionPhrase(c: CompiledRule): string {
  return c.hasDescription
    ? `matched the description by ${c.rule.match}`
    : 'has a blank description, which matches any credit';
}

function chosenReason(chosen: CompiledRule, matching: CompiledRule[]): string {
  const r = chosen.rule;
  const contexts = [
    contextPhrase(r.customer, 'customer'),
    contextPhrase(r.reseller, 'reseller'),
    contextPhrase(r.service, 'service'),
  ].filter((p): p is string => p !== null);
  const what = [descriptionPhrase(chosen), ...contexts].join(' and ');
  const others = matching.length - 1;
  if (others === 0) return `${label(r)} ${what}; no other rule matched.`;
  const runnerUp = matching[1];
  const step = rankDifference(chosen, runnerUp).step;
  const beats = step ? `; it beats ${runnerUp.rule.ruleId} ${RANK_STEP_REASON[step]}` : '';
  return `${label(r)} ${what}; ${others} other rule${others > 1 ? 's' : ''} also matched${beats}.`;
}

function defaultReason(ranked: CompiledRule[], s: FoldedSubject): string {
  const byDescription = ranked.filter(
    (c) => c.hasDescription && c.testDescription(s.description, s.foldedDescription),
  ).length;
  const hint =
    byDescription > 0
      ? ` (${byDescription} rule${byDescription > 1 ? 's' : ''} match${byDescription > 1 ? '' : 'es'} the description but not the credit's period, customer, reseller or service)`
      : '';
  return `No enabled rule matches this credit${hint}, so the default configuration applies.`;
}

function whyItMatched(c: CompiledRule): string {
  const r = c.rule;
  const parts = [c.hasDescription ? `description by ${r.match}` : 'blank description'];
  for (const [ctx, noun] of [
    [r.customer, 'customer'],
    [r.reseller, 'reseller'],
    [r.service, 'service'],
  ] as const) {
    parts.push(
      ctx.mode === 'ALL' ? `any ${noun}` : ctx.mode === 'ONLY' ? `${noun} listed` : `${noun} not excluded`,
    );
  }
  if (r.from || r.to) parts.push(`period ${r.from ?? '…'} to ${r.to ?? '…'}`);
  parts.push(r.created ? `created ${r.created}` : 'no Created date');
  return parts.join(', ');
}
