/**
 * Credit rules, after CloudBlue's credit manager: read them from the Rules tab (parse.ts), pick the most
 * appropriate one for a credit (select.ts, ranking in rank.ts), and check them (validate.ts).
 */
export * from './types';
export { parseRules, type RuleRecord } from './parse';
export { validateRules } from './validate';
export { RuleIndex, ruleRankKey } from './select';
export { checkRegex, MAX_REGEX_LENGTH, type RegexRefusal, type RegexVerdict } from './regex-safety';
