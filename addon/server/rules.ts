/**
 * Rules over many credits: preview (what would happen) and apply (do it), for the selected rows or every
 * PENDING_ASSIGN credit; and "assign selected with the default configuration". Each tab is read once, the
 * core plans and applies in memory, the assignment columns are written in a few rectangles and the Audit
 * rows in one append.
 */
import { applyPlan, planRules, planTotals, type RulePlan } from '../../core/assignment';
import type { AccountDirectory } from '../../core/accounts';
import type { Credit } from '../../core/credit';
import { CreditDeskError } from '../../core/errors';
import { TABS } from '../../core/sheet-contract';
import { validateRules as coreValidateRules } from '../../core/rules';
import type { ApplyResult, RuleProblemView, RuleScope, RulesPreview } from '../api';
import { withDocumentLock } from '../services/lock';
import { assignContext } from './assign';
import { appendAudit } from './audit-log';
import { writeAssignments } from './credit-writes';
import { refreshSnapshot } from './locked-snapshot';
import { problemView, rulesPreview } from './views';
import {
  openSpreadsheet,
  readCredits,
  readDefaults,
  readDirectory,
  readRuleRecords,
  readRules,
  type CreditsTab,
} from './workbook';

type Spreadsheet = GoogleAppsScript.Spreadsheet.Spreadsheet;

function checkScope(scope: unknown): RuleScope {
  if (scope === 'selection' || scope === 'pending') return scope;
  throw new CreditDeskError('USAGE', `"${String(scope)}" is not a scope.`, 'Use "selection" or "pending".');
}

/** Sheet rows the user selected on Credits (several ranges allowed); header row excluded. */
export function selectedRows(ss: Spreadsheet): Set<number> {
  const sheet = ss.getActiveSheet();
  const list = ss.getActiveRangeList();
  if (sheet.getName() !== TABS.credits.name || !list) {
    throw new CreditDeskError(
      'USAGE',
      'Nothing is selected on the Credits tab.',
      'Select the credit rows on the Credits tab first.',
    );
  }
  const rows = new Set<number>();
  for (const range of list.getRanges()) {
    const first = range.getRow();
    const last = first + range.getNumRows() - 1;
    for (let r = Math.max(2, first); r <= last; r++) rows.add(r);
  }
  return rows;
}

function creditsInScope(ss: Spreadsheet, tab: CreditsTab, scope: RuleScope): Credit[] {
  if (scope === 'pending')
    return tab.credits.filter((c) => c.credit.status === 'PENDING_ASSIGN').map((c) => c.credit);
  const rows = selectedRows(ss);
  const picked = tab.credits.filter((c) => rows.has(c.row)).map((c) => c.credit);
  if (picked.length === 0) {
    throw new CreditDeskError(
      'USAGE',
      'The selection holds no credits.',
      'Select rows with credits on the Credits tab.',
    );
  }
  return picked;
}

interface Planned {
  ss: Spreadsheet;
  tab: CreditsTab;
  directory: AccountDirectory;
  plan: RulePlan;
}

function plan(scope: RuleScope, overwriteManual: boolean, useDefaultOnly: boolean): Planned {
  const { ss, timeZone } = openSpreadsheet();
  const tab = readCredits(ss, timeZone);
  const credits = creditsInScope(ss, tab, scope);
  const directory = readDirectory(ss, timeZone);
  const { index } = readRules(ss, timeZone);
  const planned = planRules(credits, index, readDefaults(ss, timeZone), directory, {
    overwriteManual: overwriteManual === true,
    useDefaultOnly,
  });
  return { ss, tab, directory, plan: planned };
}

function carryOut({ ss, tab, directory, plan: planned }: Planned): ApplyResult {
  const outcomes = applyPlan(planned, assignContext(directory));
  const rowOf = new Map(tab.credits.map((c) => [c.credit.key, c.row]));
  writeAssignments(
    tab,
    outcomes.map((o) => ({ row: rowOf.get(o.credit.key) as number, credit: o.credit })),
  );
  appendAudit(
    ss,
    outcomes.flatMap((o) => o.audit),
  );
  refreshSnapshot(ss, tab);
  const skipped = planned.skippedManual.length + planned.skippedLocked.length + planned.failed.length;
  return { applied: outcomes.length, skipped, message: resultMessage(outcomes.length, planned) };
}

export function resultMessage(applied: number, p: RulePlan): string {
  const parts = [`Assigned ${applied} credit${applied === 1 ? '' : 's'}.`];
  if (p.skippedManual.length) parts.push(`${p.skippedManual.length} set by hand were left alone.`);
  if (p.skippedLocked.length) parts.push(`${p.skippedLocked.length} PROCESSING/PROCESSED were left alone.`);
  if (p.failed.length) {
    const first = p.failed[0];
    parts.push(
      `${p.failed.length} could not be assigned (first: ${first.credit.creditId}: ${first.message.split('\n')[0]}).`,
    );
  }
  return parts.join(' ');
}

export function previewRules(scope: RuleScope, overwriteManual: boolean): RulesPreview {
  const s = checkScope(scope);
  const planned = plan(s, overwriteManual, false);
  return rulesPreview(s, planned.plan, planTotals(planned.plan));
}

export function applyRules(scope: RuleScope, overwriteManual: boolean): ApplyResult {
  const s = checkScope(scope);
  return withDocumentLock(() => carryOut(plan(s, overwriteManual, false)));
}

export function assignSelectedWithDefault(): ApplyResult {
  return withDocumentLock(() => carryOut(plan('selection', false, true)));
}

export function validateRules(): RuleProblemView[] {
  const { ss, timeZone } = openSpreadsheet();
  return coreValidateRules(readRuleRecords(ss, timeZone), readDirectory(ss, timeZone)).map(problemView);
}
