/**
 * Choosing "the most appropriate rule" for a credit, fast. See rank.ts for the order; in short:
 *
 *   1. Candidates: enabled rules whose period (From ≤ period ≤ To, open ends allowed), customer, reseller
 *      and service contexts admit the credit, and whose description matches (blank matches everything).
 *   2. Best first: matched description > blank; customer ONLY > EXCLUDE > ALL; reseller likewise; service
 *      likewise; newest Created; Rule ID ascending.
 *   3. No candidate: the caller uses the default configuration (Config tab).
 *
 * How it stays fast (100,000 credits × 1,000 rules): the rules are sorted once into rank order, and the
 * first rule that admits a credit is the answer. Rather than scanning every rule for every credit:
 * - the description-matching rules are worked out once per distinct description (credits share a handful)
 *   and cached; exact-match rules are found through a Map, only contains/regex rules are tested;
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

/** Bounds on the caches, so a run with unusually many distinct descriptions cannot grow memory without end. */
const MAX_CACHED_DESCRIPTIONS = 10_000;

export class RuleIndex {
  /** Every enabled rule, best first. */
  private readonly ranked: CompiledRule[];
  private readonly blankSegment: Segment;
  private readonly exactByText = new Map<string, CompiledRule[]>();
  /** contains and regex rules: tested once per distinct description. */
  private readonly scanned: CompiledRule[];
  private readonly position = new Map<CompiledRule, number>();
  private readonly byDescription = new Map<string, DescriptionEntry>();

  constructor(rules: Rule[]) {
    this.ranked = rules
      .filter((r) => r.enabled)
      .map(compileRule)
      .sort(compareRank);
    this.ranked.forEach((c, i) => this.position.set(c, i));
    const described = this.ranked.filter((c) => c.hasDescription);
    this.blankSegment = segmentOf(this.ranked.filter((c) => !c.hasDescription));
    for (const c of described) {
      if (c.rule.match !== 'exact') continue;
      const key = fold(c.rule.description.trim());
      const list = this.exactByText.get(key) ?? [];
      list.push(c);
      this.exactByText.set(key, list);
    }
    this.scanned = described.filter((c) => c.rule.match !== 'exact');
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
    // The description is folded only when it is new to the index; most credits share one already seen.
    const entry = this.byDescription.get(subject.description) ?? this.entryFor(subject.description);
    const s = foldKeys(subject);
    return firstAdmitting(entry.segment, s) ?? firstAdmitting(this.blankSegment, s);
  }

  private entryFor(description: string): DescriptionEntry {
    const folded = fold(description);
    const exact = this.exactByText.get(folded.trim()) ?? [];
    const tested = this.scanned.filter((c) => c.testDescription(description, folded));
    const matched =
      exact.length && tested.length
        ? [...exact, ...tested].sort((a, b) => this.position.get(a)! - this.position.get(b)!)
        : exact.length
          ? exact
          : tested;
    const entry = { segment: segmentOf(matched) };
    if (this.byDescription.size >= MAX_CACHED_DESCRIPTIONS) this.byDescription.clear();
    this.byDescription.set(description, entry);
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
