/**
 * Whether one rule admits one credit: its description, period and customer / reseller / service contexts.
 *
 * Matching is case-insensitive everywhere: CUR descriptions vary in case from month to month ("MAP 2.0
 * Credit" / "MAP 2.0 credit"), and staff type IDs and product codes by hand ("amazonec2"). Text is compared
 * after NFC normalisation (a "é" typed as e + accent equals the precomposed one) and toLowerCase(), which is
 * locale-independent, so Node and Apps Script agree.
 */
import { createdMillis } from './cells';
import { REGEX_FLAGS } from './regex-safety';
import type { Context, MatchType, Rule, RuleSubject } from './types';

/** The form text is compared in. */
export function fold(value: string): string {
  // ASCII needs no normalisation; skipping it matters when 100,000 credits are folded.
  for (let i = 0; i < value.length; i++)
    if (value.charCodeAt(i) > 0x7f) return value.normalize('NFC').toLowerCase();
  return value.toLowerCase();
}

/** Tests a credit description against one rule's description. Built once per rule. */
export type DescriptionTest = (description: string, folded: string) => boolean;

/**
 * exact: trimmed, case-insensitive equality. contains: case-insensitive substring. regex: a JS RegExp with
 * the 'i' flag, searched anywhere in the full description (not anchored: write ^…$ to anchor). A blank rule
 * description matches every credit. `folded` is fold(description), computed once by the caller.
 */
export function descriptionTest(match: MatchType, ruleDescription: string): DescriptionTest {
  const wanted = fold(ruleDescription.trim());
  if (wanted === '') return () => true;
  switch (match) {
    case 'exact':
      return (_d, folded) => folded.trim() === wanted;
    case 'contains':
      return (_d, folded) => folded.includes(wanted);
    case 'regex': {
      const re = new RegExp(ruleDescription.trim(), REGEX_FLAGS);
      return (description) => re.test(description);
    }
  }
}

/** The IDs of a context as compared (folded), for fast membership tests. */
export function foldedIds(context: Context): Set<string> {
  return new Set(context.ids.map((id) => fold(id.trim())));
}

/**
 * ALL admits anything; ONLY admits the listed IDs; EXCLUDE admits every ID not listed. A credit without an
 * ID (say, an account with no customer yet) is admitted by ALL and EXCLUDE but never by ONLY: it is not
 * one of the selected customers.
 */
export function contextAdmits(mode: Context['mode'], ids: ReadonlySet<string>, foldedId: string): boolean {
  if (mode === 'ALL') return true;
  if (mode === 'ONLY') return foldedId !== '' && ids.has(foldedId);
  return foldedId === '' || !ids.has(foldedId);
}

const PERIOD = /^\d{4}-(0[1-9]|1[0-2])$/;

/**
 * From ≤ period ≤ To, both inclusive, null = open. YYYY-MM strings compare correctly as text. A credit
 * without a readable period is admitted only by rules open at both ends.
 */
export function periodAdmits(
  from: string | null,
  to: string | null,
  period: string,
  periodIsValid = PERIOD.test(period),
): boolean {
  if (from === null && to === null) return true;
  if (!periodIsValid) return false;
  return (from === null || from <= period) && (to === null || period <= to);
}

/** The IDs and period of a credit, folded once, for the context and period tests. */
export interface FoldedKeys {
  period: string;
  periodIsValid: boolean;
  customerId: string;
  resellerId: string;
  service: string;
}

export function foldKeys(subject: RuleSubject): FoldedKeys {
  const period = subject.period.trim();
  return {
    period,
    periodIsValid: PERIOD.test(period),
    customerId: fold(subject.customerId.trim()),
    resellerId: fold(subject.resellerId.trim()),
    service: fold(subject.service.trim()),
  };
}

/** Everything about a subject that matching needs, folded once. */
export interface FoldedSubject extends FoldedKeys {
  description: string;
  foldedDescription: string;
}

export function foldSubject(subject: RuleSubject): FoldedSubject {
  return {
    ...foldKeys(subject),
    description: subject.description,
    foldedDescription: fold(subject.description),
  };
}

/** A rule made ready for matching: the rule itself plus its compiled test and folded ID sets. */
export interface CompiledRule {
  rule: Rule;
  hasDescription: boolean;
  testDescription: DescriptionTest;
  customers: Set<string>;
  resellers: Set<string>;
  services: Set<string>;
  /** Milliseconds since the epoch; -Infinity when the Created text is unreadable (ranks as oldest). */
  createdMs: number;
  /** Period and contexts admit the credit: one closure that skips open periods and ALL contexts. */
  admitsKeys: (keys: FoldedKeys) => boolean;
}

export function compileRule(rule: Rule): CompiledRule {
  const customers = foldedIds(rule.customer);
  const resellers = foldedIds(rule.reseller);
  const services = foldedIds(rule.service);
  return {
    rule,
    hasDescription: rule.description.trim() !== '',
    testDescription: descriptionTest(rule.match, rule.description),
    customers,
    resellers,
    services,
    createdMs: createdMillis(rule.created) ?? -Infinity,
    admitsKeys: keysTest(rule, customers, resellers, services),
  };
}

/**
 * periodAdmits + contextAdmits for one rule, specialised once: choose() calls it for many credits, so
 * leaving out the checks an open period or an ALL context cannot fail is worth it.
 */
function keysTest(
  rule: Rule,
  customers: Set<string>,
  resellers: Set<string>,
  services: Set<string>,
): (k: FoldedKeys) => boolean {
  const checks: ((k: FoldedKeys) => boolean)[] = [];
  const { from, to } = rule;
  if (from !== null || to !== null) checks.push((k) => periodAdmits(from, to, k.period, k.periodIsValid));
  const context = (
    mode: Context['mode'],
    ids: Set<string>,
    key: 'customerId' | 'resellerId' | 'service',
  ): void => {
    if (mode !== 'ALL') checks.push((k) => contextAdmits(mode, ids, k[key]));
  };
  context(rule.customer.mode, customers, 'customerId');
  context(rule.reseller.mode, resellers, 'resellerId');
  context(rule.service.mode, services, 'service');
  if (checks.length === 0) return () => true;
  if (checks.length === 1) return checks[0];
  return (k) => checks.every((check) => check(k));
}

export function admits(c: CompiledRule, s: FoldedSubject): boolean {
  return c.rule.enabled && c.admitsKeys(s) && c.testDescription(s.description, s.foldedDescription);
}
