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
import { assignmentWrite } from './credit-writes';
import {
  guardedWrite,
  layoutOf,
  refuseWhileSyncing,
  sheetsService,
  type PlannedWrite,
  type WriteReport,
} from './guarded-write';
import { withApiExclusion, writeFromRead } from './api-write';
import { readDesk, type DeskApi } from './desk-read';
import { currentUserEmail } from '../services/session';
import { gridOf } from '../services/sheets-values';
import type { DefaultConfiguration } from '../../core/rules';
import { decodePreview, encodePreview, fingerprint, type PreviewedCredit } from './preview-token';
import { problemView, rulesPreview } from './views';
import {
  defaultsFrom,
  directoryFrom,
  openSpreadsheet,
  creditsTabFrom,
  readCredits,
  readDefaults,
  readDirectory,
  readRuleRecords,
  readRules,
  ruleRecordsFrom,
  rulesFrom,
  type CreditsTab,
  type RulesData,
} from './live-sheet';

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
  const picked = tab.credits.filter((c) => rows.has(c.sheetRow)).map((c) => c.credit);
  if (picked.length === 0) {
    throw new CreditDeskError(
      'USAGE',
      'The selection holds no credits.',
      'Select rows with credits on the Credits tab.',
    );
  }
  return picked;
}

/**
 * What an action reads and how it writes: through the Sheets API when the project enabled it (desk-read.ts:
 * every tab in two calls, the write in one — api-write.ts), else through SpreadsheetApp, a tab at a time.
 */
interface Source {
  ss: Spreadsheet;
  tab: CreditsTab;
  directory(): AccountDirectory;
  rules(): RulesData;
  defaults(): DefaultConfiguration;
  write(writes: PlannedWrite[], who: string): WriteReport;
}

const RULE_TABS = ['credits', 'accounts', 'rules', 'config', 'audit'] as const;

function appSource(): Source {
  const { ss, timeZone } = openSpreadsheet();
  const tab = readCredits(ss, timeZone);
  return {
    ss,
    tab,
    directory: () => readDirectory(ss, timeZone),
    rules: () => readRules(ss, timeZone),
    defaults: () => readDefaults(ss, timeZone),
    write: (writes, who) => guardedWrite(ss, timeZone, layoutOf(tab), writes, who),
  };
}

/**
 * The Sheets API source. `exclusive`: the read is taken with our write marker set and the sync's lock checked,
 * so it is also the compare-and-set read; the marker is removed when `work` returns.
 */
function withApiSource<T>(api: DeskApi, exclusive: boolean, work: (src: Source) => T): T {
  const ss = SpreadsheetApp.getActiveSpreadsheet();
  const id = ss.getId();
  const run = (sweep?: (expired: string[]) => void) => {
    // Audit is read only to append to it: a preview (not exclusive) leaves it out.
    const read = readDesk(
      api,
      id,
      RULE_TABS.filter((t) => exclusive || t !== 'audit'),
    );
    sweep?.(read.expiredAddonMarkers);
    if (exclusive && read.syncLock) refuseWhileSyncing(read.syncLock);
    const grid = (t: (typeof RULE_TABS)[number]) => {
      const cells = read.cells.get(t);
      return cells ? gridOf(cells) : null;
    };
    const credits = grid('credits');
    if (!credits)
      throw new CreditDeskError(
        'BAD_SHEET',
        `This spreadsheet has no "${TABS.credits.name}" tab.`,
        `Run the Credit Desk sync to create it, or rename the tab back to "${TABS.credits.name}".`,
      );
    const raw = read.cells.get('credits') as unknown[][];
    const tab = creditsTabFrom(
      credits,
      raw,
      () => ss.getSheetByName(TABS.credits.name) as GoogleAppsScript.Spreadsheet.Sheet,
    );
    return work({
      ss,
      tab,
      directory: () => directoryFrom(grid('accounts')),
      rules: () => rulesFrom(ruleRecordsFrom(grid('rules'))),
      defaults: () => defaultsFrom(grid('config')),
      write: (writes) => writeFromRead(api, ss, read, { idx: tab.idx, headers: credits.headers }, writes),
    });
  };
  return exclusive ? withApiExclusion(api, id, currentUserEmail(), run) : run();
}

/** Runs `work` on the API source when there is one, else on SpreadsheetApp. */
function withSource<T>(exclusive: boolean, work: (src: Source) => T): T {
  const api = sheetsService() as unknown as DeskApi | null;
  return api ? withApiSource(api, exclusive, work) : work(appSource());
}

interface Planned {
  src: Source;
  directory: AccountDirectory;
  plan: RulePlan;
  /** Rules left out because they are broken (errors from core validateRules), with why. */
  ignored: RuleProblemView[];
}

function plan(
  scope: RuleScope | Credit[],
  overwriteManual: boolean,
  useDefaultOnly: boolean,
  src: Source,
): Planned {
  const credits = Array.isArray(scope) ? scope : creditsInScope(src.ss, src.tab, scope);
  const directory = src.directory();
  const { index, problems } = src.rules();
  const planned = planRules(credits, index, src.defaults(), directory, {
    overwriteManual: overwriteManual === true,
    useDefaultOnly,
  });
  const ignored = useDefaultOnly ? [] : problems.filter((p) => p.severity === 'error').map(problemView);
  return { src, directory, plan: planned, ignored };
}

/** Credits left alone before writing: set by hand, and collected. */
interface Skips {
  manual: number;
  locked: number;
}

/** Writes the plan's items (compare-and-set against the cells the plan read); `stale` were refused before. */
function carryOut(
  { src, directory, plan: planned, ignored }: Planned,
  stale: { creditId: string; why: string }[] = [],
  skips: Skips = { manual: planned.skippedManual.length, locked: planned.skippedLocked.length },
): ApplyResult {
  const ctx = assignContext(directory);
  const outcomes = applyPlan(planned, ctx);
  const writes = planned.items.map((item, i) =>
    assignmentWrite(item.credit, outcomes[i].credit, outcomes[i].audit),
  );
  const report = src.write(writes, ctx.actor);
  const changed = [...stale, ...report.changed];
  const skipped =
    skips.manual +
    skips.locked +
    planned.failed.length +
    changed.length +
    report.protectedIds.length +
    report.lockedIds.length;
  return {
    applied: report.written.length,
    skipped,
    message: resultMessage(report.written.length, planned, report, changed, ignored, skips),
    changed,
    ignoredRules: ignored,
  };
}

export function resultMessage(
  applied: number,
  p: RulePlan,
  report?: WriteReport,
  changed: { creditId: string; why: string }[] = [],
  ignored: RuleProblemView[] = [],
  skips: Skips = { manual: p.skippedManual.length, locked: p.skippedLocked.length },
): string {
  const parts = [`Assigned ${applied} credit${applied === 1 ? '' : 's'}.`];
  if (skips.manual) parts.push(`${skips.manual} set by hand were left alone.`);
  const locked = skips.locked + (report?.lockedIds.length ?? 0);
  if (locked) parts.push(`${locked} PROCESSING/PROCESSED were left alone.`);
  if (report?.protectedIds.length)
    parts.push(
      `${report.protectedIds.length} on rows protected against you were left alone (first: ${report.protectedIds[0]}).`,
    );
  if (changed.length)
    parts.push(
      `${changed.length} changed since the preview and were not applied (${changed
        .slice(0, 3)
        .map((c) => `${c.creditId}: ${c.why}`)
        .join('; ')}${changed.length > 3 ? '; …' : ''}).`,
    );
  if (p.failed.length) {
    const first = p.failed[0];
    parts.push(
      `${p.failed.length} could not be assigned (first: ${first.credit.creditId}: ${first.message.split('\n')[0]}).`,
    );
  }
  if (ignored.length)
    parts.push(
      `${ignored.length} broken rule${ignored.length === 1 ? ' was' : 's were'} ignored (${ignored
        .slice(0, 3)
        .map((r) => `row ${r.row}${r.ruleId ? ` ${r.ruleId}` : ''}: ${r.message}`)
        .join('; ')}${ignored.length > 3 ? '; …' : ''}).`,
    );
  return parts.join(' ');
}

export function previewRules(scope: RuleScope, overwriteManual: boolean): RulesPreview {
  const s = checkScope(scope);
  const planned = withSource(false, (src) => plan(s, overwriteManual, false, src));
  return {
    ...rulesPreview(s, planned.plan, planTotals(planned.plan), planned.directory),
    token: encodePreview(planned.plan.items, {
      skippedManual: planned.plan.skippedManual.length,
      skippedLocked: planned.plan.skippedLocked.length,
    }),
    ignoredRules: planned.ignored,
  };
}

/**
 * Applies exactly what `previewToken` (from previewRules) showed: the same credits with the same rule and
 * allocation. A credit whose cells changed since the preview, or for which the rules now choose otherwise, is
 * not applied and is listed. The selection is not read again.
 */
export function applyRules(scope: RuleScope, overwriteManual: boolean, previewToken: string): ApplyResult {
  checkScope(scope);
  const { credits: previewed, header } = decodePreview(previewToken);
  return withDocumentLock(() =>
    withSource(true, (src) => {
      // null: the ID is on more than one row (copied by hand), so which credit the preview meant is unknown.
      const byId = new Map<string, Credit | null>();
      for (const { credit } of src.tab.credits)
        byId.set(credit.creditId, byId.has(credit.creditId) ? null : credit);
      const stale: { creditId: string; why: string }[] = [];
      const current: Credit[] = [];
      for (const p of previewed) {
        const credit = byId.get(p.creditId);
        if (credit === null)
          stale.push({
            creditId: p.creditId,
            why: 'its Credit ID is on more than one row (a copy): give the copy its own ID back or delete it',
          });
        else if (!credit) stale.push({ creditId: p.creditId, why: 'it is no longer on Credits' });
        else if (fingerprint(credit) !== p.fingerprint)
          stale.push({ creditId: p.creditId, why: 'its row changed since the preview' });
        else current.push(credit);
      }
      const planned = plan(current, overwriteManual, false, src);
      const wanted = new Map(previewed.map((p) => [p.creditId, p]));
      planned.plan.items = planned.plan.items.filter((item) => {
        const p = wanted.get(item.credit.creditId) as PreviewedCredit;
        if (p.ruleId === item.ruleId && p.allocation === item.allocation) return true;
        stale.push({
          creditId: p.creditId,
          why: `the rules now give ${item.ruleId} (${item.allocation}) instead of ${p.ruleId} (${p.allocation})`,
        });
        return false;
      });
      for (const f of planned.plan.failed)
        stale.push({ creditId: f.credit.creditId, why: f.message.split('\n')[0] });
      planned.plan.failed = [];
      // What the preview left alone is reported again (those credits are not in the token).
      return carryOut(planned, stale, { manual: header.skippedManual, locked: header.skippedLocked });
    }),
  );
}

export function assignSelectedWithDefault(): ApplyResult {
  return withDocumentLock(() => withSource(true, (src) => carryOut(plan('selection', false, true, src))));
}

export function validateRules(): RuleProblemView[] {
  const { ss, timeZone } = openSpreadsheet();
  return coreValidateRules(readRuleRecords(ss, timeZone), readDirectory(ss, timeZone)).map(problemView);
}
