/**
 * `credit-desk sync`: the credits of the most recent closed billing period (and late credits of the one before)
 * from the CUR into the sheet, keeping every staff edit.
 */
import { creditsWithSyncRows } from '../../core/amount-proof';
import type { AuditEntry } from '../../core/audit';
import type { Credit } from '../../core/credit';
import { isHeld, parseFlags, type Flag } from '../../core/flags';
import { formatIntake, recordedLeftOut } from './sync-intake';
import {
  formatReconciliation,
  intakeAudit,
  readCurRows,
  type CurReading,
  type ReadCredit,
} from '../../core/cur';
import { mergeCredits, type MergeResult } from '../../core/merge';
import { awsBillOfRows, readAwsBills, withAwsBills, type AwsBill } from '../../core/aws-bill';
import { withoutArchived } from '../../core/archive';
import { unionArchived } from '../../core/archived-ledger';
import { displayMoney } from '../../core/money';
import { CreditDeskError } from '../../core/errors';
import type { Grid } from '../../core/table';
import { checkReferenceFile } from '../../core/input-check';
import { readCsvGrid } from '../io/csv-file';
import { chooseClosedPeriod, currentPeriod, periodsToSync, previousPeriod } from '../../core/periods';
import type { Reporter } from '../progress';
import type { Settings } from '../settings';
import { buildChangeSet, readState, type CreditChange, type DeskState } from '../../core/sheet-state';
import { type Sink } from '../sinks/sink';
import { describeSkipped, hasWork, isEmptyChangeSet, type ChangeSet } from '../../core/sheet-changes';
import { summaryAfter } from '../summary-step';
import { summaryLayout } from '../../core/summary-layout';
import { formatCorrections, sheetArgs } from './sync-corrections';
import { collectedNotInCurWarning, formatAwsBills, formatNotInCur, formatTotals } from './sync-totals';
import { cellBudget, cellBudgetLines } from '../../core/cell-budget';
import type { CreditSource } from '../sources/source';
import { upsertTab } from '../../core/tab-upsert';
import { readReconciled } from '../reconcile-step';
import { plannedGrid } from './planned-grid';
import { planAndApplyRules, type RulesOutcome } from './apply-rules';
import { failedText } from './rules-warnings';
import type { SyncReport } from './sync-report';
import { pushAll } from '../../core/arrays';

export const SYNC_ACTOR = 'credit-desk sync';

export interface SyncFlags {
  applyRules?: boolean;
  dryRun?: boolean;
  /** Deprecated, a no-op: nothing is dropped any more (see core/cur.ts). Accepted so old scripts still run. */
  skipInvalid?: boolean;
  /** With applyRules: apply the valid rules even if some are broken (they are listed); else no rule is applied. */
  allowBrokenRules?: boolean;
  /** Also re-read the period before the target for late credits (default true). */
  previous?: boolean;
}

/** What the CUR gave for the periods read, and per period whether AWS has finalised it (core/aws-bill.ts). */
interface Fetched {
  incoming: ReadCredit[];
  reading: CurReading;
  label: string;
  bills: { period: string; bill: AwsBill }[];
}

export async function fetchIncoming(
  source: CreditSource,
  periods: string[],
  flags: SyncFlags,
  reporter: Reporter,
): Promise<Fetched> {
  const reading: CurReading = { credits: [], leftOut: [], reconciliation: [] };
  const bills: Fetched['bills'] = [];
  let label = '';
  if (flags.skipInvalid)
    reporter.warn(
      '--skip-invalid is no longer needed and does nothing: awkward CUR lines are imported and flagged for review, and only unreadable lines are left out (listed below and in Audit).',
    );
  for (const period of periods) {
    // Source-neutral words: DuckDB reads files, Athena runs a query; each source reports its own steps.
    reporter.progress(`reading the CUR for ${period}…`);
    const result = await source.fetchCredits(period, (m) => reporter.progress(`${period}: ${m}`));
    label = result.label;
    const read = readCurRows(result.rows, period);
    const bill = awsBillOfRows(result.rows);
    if (bill) bills.push({ period, bill });
    // Loops, not push(...array): spreading 150,000 arguments overflows the call stack.
    for (const c of read.credits) reading.credits.push(c);
    for (const l of read.leftOut) reading.leftOut.push(l);
    for (const r of read.reconciliation) reading.reconciliation.push(r);
    reporter.info(
      `${period}: ${read.credits.length} credits${result.rows.length === read.credits.length ? '' : ` from ${result.rows.length} grouped CUR rows`}`,
    );
  }
  return { incoming: reading.credits, reading, label, bills };
}

async function fetchGivenPeriod(
  source: CreditSource,
  period: string,
  withPrevious: boolean,
  flags: SyncFlags,
  reporter: Reporter,
): Promise<{ periods: string[]; fetched: Fetched }> {
  const target = await fetchIncoming(source, [period], flags, reporter);
  if (!withPrevious) return { periods: [period], fetched: target };
  const prev = previousPeriod(period);
  try {
    const before = await fetchIncoming(source, [prev], { ...flags, skipInvalid: false }, reporter);
    if (before.reading.credits.length === 0 && before.reading.leftOut.length === 0)
      return { periods: [period], fetched: target };
    // The earlier period first, as a discovered pair is read; loops, never push(...array).
    for (const c of target.reading.credits) before.reading.credits.push(c);
    for (const l of target.reading.leftOut) before.reading.leftOut.push(l);
    for (const r of target.reading.reconciliation) before.reading.reconciliation.push(r);
    return {
      periods: [prev, period],
      fetched: {
        incoming: before.reading.credits,
        reading: before.reading,
        label: target.label,
        bills: [...before.bills, ...target.bills],
      },
    };
  } catch (err) {
    if (err instanceof CreditDeskError && err.code === 'NO_DATA')
      return { periods: [period], fetched: target };
    throw err;
  }
}

/** Loads --accounts and --rules files into the snapshot's tabs (upsert by ID), returning the tabs to write back. */
export function loadReferenceFiles(
  state: DeskState['snapshot'],
  settings: Settings,
  reporter: Reporter,
): ChangeSet['replaceTabs'] {
  const replace: NonNullable<ChangeSet['replaceTabs']> = {};
  const load = (tab: 'accounts' | 'rules', idField: string, file: string) => {
    const fileGrid: Grid = readCsvGrid(file);
    const { grid, added, updated } = upsertTab(tab, idField, state.tabs[tab], fileGrid, file);
    checkReferenceFile(tab, fileGrid, file);
    if (added || updated) {
      state.tabs[tab] = grid;
      replace[tab] = grid;
      reporter.info(
        `${file}: ${added} added, ${updated} updated in the ${tab === 'accounts' ? 'Accounts' : 'Rules'} tab`,
      );
    }
  };
  if (settings.accounts) load('accounts', 'accountId', settings.accounts);
  if (settings.rules) load('rules', 'ruleId', settings.rules);
  return Object.keys(replace).length ? replace : undefined;
}

export async function runSync(
  settings: Settings,
  flags: SyncFlags,
  deps: {
    source: CreditSource;
    sink: Sink;
    reporter: Reporter;
    now: Date;
    /**
     * Keys and Credit IDs of archived credits listed in an older version's archive/archived-keys.tsv; those the
     * Ledger tab lists are read from the sheet whatever this holds.
     */
    archived?: { keys: ReadonlySet<string>; creditIds: ReadonlySet<string> };
  },
): Promise<SyncReport> {
  const { source, sink, reporter } = deps;
  const now = deps.now.toISOString();
  const withPrevious = flags.previous !== false;
  let periods: string[];
  let fetched: Fetched;
  if (settings.period) {
    // The period is given: no discovery query (on Athena, one query fewer). The target is read first, so an
    // absent one fails as before; the period before it is optional and skipped when the source has none.
    ({ periods, fetched } = await fetchGivenPeriod(source, settings.period, withPrevious, flags, reporter));
  } else {
    const available = await source.listPeriods();
    periods = periodsToSync(available, chooseClosedPeriod(available, deps.now), withPrevious);
    fetched = await fetchIncoming(source, periods, flags, reporter);
  }
  const { reading, label } = fetched;
  if (
    settings.period &&
    !fetched.incoming.some((c) => c.period === settings.period) &&
    !reading.leftOut.length
  )
    periodsToSync(await source.listPeriods(), settings.period, false); // no credits: is the period there at all?
  reporter.progress(`reading ${sink.label}…`);
  const { snapshot, messages: restored } = await readReconciled(sink, {
    usageDir: settings.usageDir,
    now: deps.now,
    reporter,
    write: !flags.dryRun,
    archivedKeys: deps.archived?.keys,
  });
  const replaceTabs = loadReferenceFiles(snapshot, settings, reporter) ?? {};
  const state = readState(snapshot);
  // Whether AWS has finalised each period read, recorded in Config for usage collect (core/aws-bill.ts).
  const config = withAwsBills(snapshot.tabs.config, fetched.bills);
  if (config) {
    replaceTabs.config = config;
    state.awsBills = readAwsBills(config);
  }
  // Archived credits never come back as new ones, and their Credit IDs stay taken (see core/archive.ts): the
  // Ledger's list of them (state.archived, its IDs already in takenIds), and an older archived-keys.tsv.
  const archived = unionArchived(state.archived, deps.archived ?? {});
  const { kept: incoming, skipped } = withoutArchived(fetched.incoming, archived.keys);
  if (skipped) reporter.info(`${skipped} credits were archived earlier and are not imported again`);
  const merge = mergeCredits({
    existing: state.credits,
    incoming,
    directory: state.directory,
    takenIds: new Set([...state.takenIds, ...archived.creditIds]),
    reissuableIds: new Set([...state.reissuableIds].filter((id) => !archived.creditIds.has(id))),
    recordedDrift: state.recordedDrift,
    amountsRecorded: creditsWithSyncRows(snapshot.tabs.audit),
    now,
    actor: SYNC_ACTOR,
    periods,
  });
  for (const c of merge.collectedNotInCur) reporter.warn(collectedNotInCurWarning(c));

  const working = new Map<string, CreditChange>();
  for (const u of merge.updates) working.set(u.key, { before: state.byKey.get(u.key)!, after: u.after });
  for (const a of merge.adds) working.set(a.key, { before: null, after: a });
  const audit: AuditEntry[] = [
    ...merge.audit,
    ...intakeAudit(reading, merge.adds, recordedLeftOut(snapshot), {
      now,
      actor: SYNC_ACTOR,
      show: displayMoney,
    }),
  ];

  let rules: RulesOutcome | null = null;
  if (flags.applyRules) {
    const current: Credit[] = [
      ...state.credits.map((e) => working.get(e.credit.key)?.after ?? e.credit),
      ...merge.adds,
    ].filter((c) => c.status === 'PENDING_ASSIGN');
    rules = planAndApplyRules(current, state, {
      overwriteManual: false,
      actor: SYNC_ACTOR,
      now,
      allowBrokenRules: flags.allowBrokenRules,
    });
    for (const o of rules.outcomes) {
      const prior = working.get(o.credit.key);
      working.set(o.credit.key, {
        before: prior ? prior.before : state.byKey.get(o.credit.key)!,
        after: o.credit,
      });
      for (const a of o.audit) audit.push(a);
    }
  }

  const changes = buildChangeSet([...working.values()], audit);
  if (Object.keys(replaceTabs).length) changes.replaceTabs = replaceTabs;
  const cur = merge.totals.map((t) => ({ period: t.period, currency: t.currency, amount: t.source }));
  const summary = summaryAfter(
    state,
    [...working.values()].map((w) => w.after),
    deps.now,
    cur,
  );
  changes.summary = summaryLayout(summary);
  let written = false;
  if (!flags.dryRun && hasWork(changes)) {
    // Only the Summary to (maybe) redraw: the sink skips it when the tab already shows it, so say nothing.
    if (!isEmptyChangeSet(changes)) reporter.progress(`writing ${sink.label}…`);
    const report = await sink.write(changes);
    for (const line of describeSkipped(report.skipped)) reporter.warn(line);
    written = !isEmptyChangeSet(changes);
  }
  // A dry run wrote nothing: its budget is the sheet as the write would leave it (planned-grid.ts).
  const grid = sink.gridSize ? await sink.gridSize() : null;
  const budget = grid ? cellBudget(flags.dryRun ? plannedGrid(grid, changes) : grid) : null;
  reporter.done();
  return {
    periods,
    bills: fetched.bills.filter((b) => periods.includes(b.period)),
    merge,
    reading,
    rules,
    changes,
    written,
    sourceLabel: label,
    sinkLabel: sink.label,
    restored,
    summary,
    budget,
    currentPeriod: currentPeriod(deps.now),
    sheetArgs: sheetArgs(settings),
  };
}

export function formatSyncReport(r: SyncReport, dryRun: boolean): string {
  const m = r.merge;
  const lines: string[] = [];
  lines.push(
    `${dryRun ? 'Dry run — nothing written. Would sync' : 'Synced'} ${r.periods.join(' and ')} from ${r.sourceLabel} into ${r.sinkLabel}`,
  );
  const row = (label: string, n: number, extra = '') =>
    lines.push(`  ${label.padEnd(10)} ${String(n).padStart(7)}${extra ? '  ' + extra : ''}`);
  row('added', m.adds.length);
  row('updated', m.updates.length);
  row('unchanged', m.unchanged);
  row('locked', m.locked, m.locked ? 'PROCESSING/PROCESSED rows, left as they are' : '');
  row(
    'drift',
    m.drift.length,
    m.drift.length ? 'locked rows that differ from the CUR (see the Audit tab)' : '',
  );
  pushAll(lines, flaggedRow(m));
  pushAll(lines, formatNotInCur(r));
  pushAll(lines, formatCorrections(m.corrections, m.awaitingCorrections, r.sheetArgs, dryRun));
  // Only a repair reads differently in a dry run; a note (another sheet's usage files) is the same sentence.
  for (const m of r.restored) lines.push(`  ${dryRun && m.startsWith('restored') ? `would have ${m}` : m}`);
  pushAll(lines, formatIntake(r));
  if (r.rules) {
    row(
      'assigned',
      r.rules.outcomes.length,
      r.rules.byRule.map((b) => `${b.ruleId}: ${b.credits}`).join(', '),
    );
    if (r.rules.failed.length) {
      const first = r.rules.failed[0];
      row(
        'unassigned',
        r.rules.failed.length,
        `left PENDING_ASSIGN, e.g. ${failedText(first.credit.creditId, first.message)}`,
      );
      lines.push(`             Fix the Accounts tab (or assign by hand), then run credit-desk apply-rules.`);
    }
  }
  // Each credit is rounded on its own and the CUR total once, so a few minor units can differ: shown as rounding.
  lines.push('CUR total = imported + held + left out (+ rounding), per period and currency:');
  for (const t of r.reading.reconciliation) lines.push(`  ${formatReconciliation(t, displayMoney)}`);
  pushAll(lines, formatTotals(r));
  pushAll(lines, formatAwsBills(r.bills, dryRun));
  if (r.budget)
    lines.push(
      ...cellBudgetLines(r.budget, r.currentPeriod).map((l, i) =>
        dryRun && i === 0 ? `${l} (after the write this run would make)` : l,
      ),
    );
  if (dryRun) {
    lines.push(
      `Would write: ${r.changes.updates.length} row updates, ${r.changes.appends.length} new rows, ${r.changes.audit.length} audit entries:`,
    );
    pushAll(lines, describeChanges(r, 25));
  }
  return lines.join('\n');
}

/**
 * The credits this sync gave a Flags word that does not hold them (UNKNOWN_ACCOUNT, BELOW_MINOR_UNIT), by word:
 * held ones (REVIEW_…) have their own row, so each credit is counted once, under the sheet's own word.
 */
function flaggedRow(m: MergeResult): string[] {
  const byWord = new Map<string, number>();
  let credits = 0;
  for (const c of m.flagged) {
    const words = parseFlags(c.flags).filter((f) => !isHeld({ flags: f }));
    if (words.length) credits++;
    for (const w of words) byWord.set(w, (byWord.get(w) ?? 0) + 1);
  }
  const unknown = [...new Set(m.flagged.filter((c) => !c.customerId).map((c) => c.accountId))];
  const parts = [...byWord].map(([w, n]) =>
    w === ('UNKNOWN_ACCOUNT' satisfies Flag) && unknown.length
      ? `${w} ${n} (AWS accounts not in the Accounts tab: ${unknown.slice(0, 5).join(', ')}${unknown.length > 5 ? ', …' : ''})`
      : `${w} ${n}`,
  );
  return [
    `  ${'flagged'.padEnd(10)} ${String(credits).padStart(7)}${parts.length ? '  ' + parts.join(', ') : ''}`,
  ];
}

/** The first `limit` changes a dry run would make, one line each, from the audit entries it would append. */
function describeChanges(r: SyncReport, limit: number): string[] {
  const out: string[] = [];
  const adds = new Map(r.merge.adds.map((c) => [c.creditId, c]));
  for (const a of r.changes.audit) {
    if (out.length >= limit) break;
    const c = adds.get(String(a.creditId));
    if (a.action === 'sync-add' && c) {
      const d = c.description.length > 40 ? c.description.slice(0, 37) + '...' : c.description;
      out.push(
        `  + ${c.creditId}  ${c.period}  ${c.accountId}  ${c.service.padEnd(14)} ${displayMoney(c.amount, c.currency).padStart(16)}  ${JSON.stringify(d)}`,
      );
    } else if (a.action !== 'sync-add') {
      out.push(
        `  ~ ${a.creditId}  ${String(a.field).padEnd(16)} ${JSON.stringify(a.before)} → ${JSON.stringify(a.after)}  (${a.action})`,
      );
    }
  }
  const total = r.changes.audit.length;
  if (total > out.length) out.push(`  … and ${total - out.length} more changes`);
  return out;
}
