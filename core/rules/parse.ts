/**
 * Rules tab → Rule objects. A row with any error is left out (and reported with its row), so a typo can
 * never apply a rule that means something else; the remaining rules still work.
 */
import {
  AMBIGUOUS_PERCENT_HINT,
  ambiguousPercentMessage,
  formatPercentBp,
  isAmbiguousPercentCell,
  parsePercentBp,
} from '../config';
import { RULE_DEFAULT, RULE_MANUAL } from '../credit';
import { RULE_COLUMNS, type RuleField } from '../sheet-contract';
import { text, type Cell } from '../table';
import {
  isRefusal,
  quote,
  readContextMode,
  readCreated,
  readEnabled,
  readIdList,
  readMatch,
  readPeriod,
  type Read,
} from './cells';
import { checkRegex, type RegexVerdict } from './regex-safety';
import type { Context, Rule, RuleProblem, RuleProblemSeverity } from './types';
import { pushAll } from '../arrays';

export type RuleRecord = { row: number; record: Record<RuleField, Cell> };

const HEADER: Record<RuleField, string> = Object.fromEntries(
  RULE_COLUMNS.map((c) => [c.field, c.header]),
) as Record<RuleField, string>;

/** The header a problem points at, e.g. "Customer %". */
export function headerOf(field: RuleField): string {
  return HEADER[field];
}

export function parseRules(records: RuleRecord[]): { rules: Rule[]; problems: RuleProblem[] } {
  const rules: Rule[] = [];
  const problems: RuleProblem[] = [];
  const firstRowById = new Map<string, number>();
  const seen: Seen = { regex: new Map(), created: new Map() };
  for (const { row, record } of records) {
    const { rule, problems: rowProblems } = parseRuleRow(row, record, firstRowById, seen);
    pushAll(problems, rowProblems);
    if (rule) rules.push(rule);
  }
  return { rules, problems };
}

/**
 * What rows repeat, checked once per text: a sheet of 100,000 rules holds a few hundred distinct regexes and
 * Created dates, and the regex check parses the pattern (a third of validating such a sheet, measured).
 */
interface Seen {
  regex: Map<string, RegexVerdict>;
  created: Map<string, ReturnType<typeof readCreated>>;
}

/** One row. `firstRowById` (folded Rule ID → first row) detects duplicates across rows. */
function parseRuleRow(
  row: number,
  record: Record<RuleField, Cell>,
  firstRowById: Map<string, number>,
  seen: Seen,
): { rule: Rule | null; problems: RuleProblem[] } {
  const ruleId = text(record.ruleId);
  const problems: RuleProblem[] = [];
  const report = (field: RuleField, message: string, severity: RuleProblemSeverity = 'error'): void => {
    problems.push({ row, ruleId, field: HEADER[field], severity, message });
  };
  const take = <T>(field: RuleField, value: Read<T>): T | undefined => {
    if (isRefusal(value)) {
      report(field, value.refused);
      return undefined;
    }
    return value;
  };

  readRuleId(ruleId, row, firstRowById, report);

  const description = text(record.description);
  const match = take('match', readMatch(record.match));
  if (match === 'regex' && description !== '') {
    let verdict = seen.regex.get(description);
    if (!verdict) seen.regex.set(description, (verdict = checkRegex(description)));
    if (!verdict.ok) report('description', `The regex cannot be used: ${verdict.message}. ${verdict.hint}`);
  }

  const { customerBp, resellerBp } = readShares(record, report);

  const from = take('from', readPeriod(record.from, 'From'));
  const to = take('to', readPeriod(record.to, 'To'));
  if (from && to && from > to) {
    report(
      'to',
      `The period ends (To ${to}) before it starts (From ${from}). Swap them, or correct the month that is wrong.`,
    );
  }

  const customer = readContext(
    record.customerContext,
    record.customers,
    'customerContext',
    'Customer',
    report,
  );
  const reseller = readContext(
    record.resellerContext,
    record.resellers,
    'resellerContext',
    'Reseller',
    report,
  );
  const service = readContext(record.serviceContext, record.services, 'serviceContext', 'Service', report);

  let created = '';
  if (text(record.created) === '') {
    report(
      'created',
      'Created is blank, so this rule ranks as the oldest when it ties with others. Write the date the rule was made, e.g. 2026-03-01.',
      'warning',
    );
  } else {
    const key = text(record.created);
    let read = seen.created.get(key);
    if (!read) seen.created.set(key, (read = readCreated(record.created)));
    created = take('created', read)?.text ?? '';
  }
  const enabled = take('enabled', readEnabled(record.enabled));

  if (problems.some((p) => p.severity === 'error')) return { rule: null, problems };
  return {
    rule: {
      ruleId,
      name: text(record.name),
      description,
      match: match!,
      customerBp: customerBp!,
      resellerBp: resellerBp!,
      from: from ?? null,
      to: to ?? null,
      customer: customer!,
      reseller: reseller!,
      service: service!,
      created,
      enabled: enabled!,
      row,
    },
    problems,
  };
}

type Report = (field: RuleField, message: string, severity?: RuleProblemSeverity) => void;

function readRuleId(ruleId: string, row: number, firstRowById: Map<string, number>, report: Report): void {
  if (ruleId === '') {
    report(
      'ruleId',
      'Rule ID is blank. Give the rule a short unique ID such as R-12; credits record it in their Rule column.',
    );
    return;
  }
  const folded = ruleId.toLowerCase();
  if (folded === RULE_DEFAULT || folded === RULE_MANUAL) {
    report(
      'ruleId',
      `Rule ID ${quote(ruleId)} is reserved: the Rule column uses it for credits assigned ${folded === RULE_DEFAULT ? 'by the default configuration' : 'by hand'}. Choose another ID, such as R-12.`,
    );
    return;
  }
  const first = firstRowById.get(folded);
  if (first !== undefined) {
    report(
      'ruleId',
      `Rule ID ${quote(ruleId)} is already used on row ${first} (IDs are compared ignoring case). Give this rule its own ID.`,
    );
    return;
  }
  firstRowById.set(folded, row);
}

/** Blank counts as 0 (a customer-only rule leaves Reseller % blank), but not both: that is a forgotten row. */
function readShares(
  record: Record<RuleField, Cell>,
  report: Report,
): { customerBp?: number; resellerBp?: number } {
  const customerBlank = text(record.customerPercent) === '';
  const resellerBlank = text(record.resellerPercent) === '';
  if (customerBlank && resellerBlank) {
    report(
      'customerPercent',
      'Customer % and Reseller % are both blank. Write the shares the rule passes on (0 and 0 keeps the whole credit).',
    );
    return {};
  }
  const read = (field: 'customerPercent' | 'resellerPercent', blank: boolean): number | undefined => {
    if (blank) return 0;
    if (isAmbiguousPercentCell(record[field])) {
      report(field, `${ambiguousPercentMessage(HEADER[field], record[field])} ${AMBIGUOUS_PERCENT_HINT}`);
      return undefined;
    }
    const bp = parsePercentBp(record[field]);
    if (bp === null) {
      report(
        field,
        `${HEADER[field]} is ${quote(record[field])}, not a percentage from 0 to 100. Write a number such as 60 or 12.5 (at most 2 decimals).`,
      );
      return undefined;
    }
    return bp;
  };
  const customerBp = read('customerPercent', customerBlank);
  const resellerBp = read('resellerPercent', resellerBlank);
  if (customerBp !== undefined && resellerBp !== undefined && customerBp + resellerBp > 10000) {
    report(
      'resellerPercent',
      `Customer % and Reseller % add up to ${formatPercentBp(customerBp + resellerBp)}%, over 100%. Lower one of them; whatever is below 100% stays with the distributor.`,
    );
  }
  return { customerBp, resellerBp };
}

function readContext(
  modeCell: Cell,
  idsCell: Cell,
  field: 'customerContext' | 'resellerContext' | 'serviceContext',
  label: 'Customer' | 'Reseller' | 'Service',
  report: Report,
): Context | undefined {
  const ids = readIdList(idsCell);
  const listHeader = `${label}s`;
  const mode = readContextMode(modeCell, label, ids.length > 0);
  if (isRefusal(mode)) {
    report(field, mode.refused);
    return undefined;
  }
  if (mode !== 'ALL' && ids.length === 0) {
    report(
      field,
      `${label} Context is ${mode} but ${listHeader} is empty. List the IDs it applies to, or set the context to ALL.`,
    );
    return undefined;
  }
  if (mode === 'ALL' && ids.length > 0) {
    report(
      field,
      `${label} Context is ALL, so the ${ids.length} ID${ids.length > 1 ? 's' : ''} in ${listHeader} are ignored. Set ONLY or EXCLUDE to use them, or clear ${listHeader}.`,
      'warning',
    );
    return { mode, ids: [] };
  }
  return { mode, ids };
}
