/**
 * `credit-desk run-month`: the month in one unattended command — sync the most recent closed period (and late
 * credits of the one before), apply rules to what is new, optionally collect the assigned credits into a usage
 * file, rebuild the Summary, check the cell budget, optionally write the period's credit statements, and post a
 * short summary to a chat webhook.
 *
 * Made for schedulers: no prompt and no TTY needed; `--log-format json` for log collectors; the exit code says
 * what happened (0 done, 3 done but a person should look — see `attention` — 1 failed, 2 bad settings).
 */
import { assignCommand } from './sync-corrections';
import { cellBudgetLines } from '../../core/cell-budget';
import { displayMoney } from '../../core/money';
import { STATUSES } from '../../core/status';
import type { Summary } from '../../core/summary';
import type { Reporter } from '../progress';
import type { Settings } from '../settings';
import type { Sink } from '../sinks/sink';
import type { CreditSource } from '../sources/source';
import { postWebhook, type WebhookResult } from '../notify/webhook';
import { loadSummary } from './report';
import { differingPeriods } from './sync-totals';
import { runSync } from './sync';
import type { SyncReport } from './sync-report';
import { runCollect, type CollectResult } from './usage';
import {
  statementAttention,
  statementLines,
  writeMonthStatements,
  type MonthStatements,
} from './month-statements';
import { isConnectFailure, runConnectTrip, type ConnectTripResult } from './usage-connect';
import type { ConnectUsageApi } from '../connect-api/usage-api';
import { pushAll } from '../../core/arrays';

export const EXIT_OK = 0;
export const EXIT_ATTENTION = 3;

export interface RunMonthOptions {
  collect?: boolean;
  skipInvalid?: boolean;
  previous?: boolean;
  usageDir: string;
  webhook?: URL | null;
  /** Write the statements of the period processed into this folder (month-statements.ts). */
  statementsDir?: string;
}

export interface RunMonthDeps {
  source: CreditSource;
  sink: Sink;
  reporter: Reporter;
  now: Date;
  fetchImpl?: typeof fetch;
  /** Connect's Usage API when settings name it: the usage files are followed there (and submitted with --collect). */
  connectApi?: ConnectUsageApi;
  archived?: { keys: ReadonlySet<string>; creditIds: ReadonlySet<string> };
}

export interface RunMonthResult {
  exitCode: typeof EXIT_OK | typeof EXIT_ATTENTION;
  attention: string[];
  sync: SyncReport;
  collected: CollectResult | null;
  statements: MonthStatements | null;
  /** What Connect said of the usage files (null: Connect not configured, or not reachable: see attention). */
  connect: ConnectTripResult | null;
  summary: Summary;
  webhook: WebhookResult | null;
  text: string;
}

export async function runMonth(
  settings: Settings,
  opts: RunMonthOptions,
  deps: RunMonthDeps,
): Promise<RunMonthResult> {
  const { reporter } = deps;
  const sync = await runSync(
    settings,
    { applyRules: true, skipInvalid: opts.skipInvalid, previous: opts.previous },
    deps,
  );
  reporter.info(
    `synced ${sync.periods.join(', ')}: ${sync.merge.adds.length} added, ${sync.merge.updates.length} updated, ${sync.rules?.outcomes.length ?? 0} assigned by rules`,
  );
  let collected: CollectResult | null = null;
  if (opts.collect) {
    collected = await runCollect(
      {},
      {
        sink: deps.sink,
        usageDir: opts.usageDir,
        reporter,
        now: deps.now,
        connect: settings.connect,
        connectApi: deps.connectApi,
      },
    );
    for (const { file } of collected.files)
      reporter.info(`usage file ${file.usageFileId}: ${file.records.length} credits`);
    if (!collected.files.length) reporter.info('nothing to collect');
  }
  const statements = opts.statementsDir
    ? await writeMonthStatements(opts.statementsDir, [...sync.periods].sort().pop()!, {
        sink: deps.sink,
        usageDir: settings.usageDir,
      })
    : null;
  if (statements) reporter.info(statementLines(statements)[0].replace(/:$/, ''));
  const attention: string[] = [];
  for (const r of collected?.rejected ?? []) attention.push(rejectedText(r.usageFileId, r.credits));
  const connect = deps.connectApi ? await followInConnect(deps, opts, attention) : null;
  // The sheet as it is now, with the CUR totals this run read, so the Check column is filled in.
  const cur = sync.merge.totals.map((t) => ({ period: t.period, currency: t.currency, amount: t.source }));
  const summary = await loadSummary(deps, undefined, cur);

  const failed = sync.rules?.failed.length ?? 0;
  // Every PENDING_ASSIGN credit is tried, not only this run's new ones: "new" would be false on a re-run.
  if (failed)
    attention.push(
      `${credits(failed)} PENDING_ASSIGN that neither a rule nor the default configuration could assign (the sync's "unassigned" row says why); fix the Accounts tab or assign ${failed === 1 ? 'it' : 'them'} by hand`,
    );
  for (const p of differingPeriods(summary))
    attention.push(
      `${p.period} ${p.currency}: the sheet (${displayMoney(p.amount, p.currency)}) differs from the CUR (${displayMoney(p.cur ?? 0, p.currency)})`,
    );
  // Rules never assign a correction of an invoiced credit (docs/decisions/0006): a person confirms each one.
  const corrections = [...sync.merge.corrections, ...sync.merge.awaitingCorrections];
  if (corrections.length)
    attention.push(
      `${corrections.length} correction credit(s) of invoiced credits the CUR changed wait for a person to confirm their allocation: ${corrections
        .slice(0, 3)
        .map((c) =>
          c.proposal ? assignCommand(c, sync.sheetArgs) : `${c.credit.creditId} (type an allocation)`,
        )
        .join('; ')}${corrections.length > 3 ? '; … (credit-desk sync lists them all)' : ''}`,
    );
  // Credits left ASSIGNED because AWS has not finalised their month (core/aws-bill.ts): collected by a later run.
  const notFinal = new Map<string, number>();
  for (const k of collected?.skipped ?? [])
    if (k.notFinalPeriod) notFinal.set(k.notFinalPeriod, (notFinal.get(k.notFinalPeriod) ?? 0) + 1);
  for (const [period, n] of notFinal)
    attention.push(
      `${n} credit(s) of ${period} not collected: AWS has not finalised ${period} yet (Config tab, AWS bill)`,
    );
  const stale = summary.staleUnassigned.reduce((n, t) => n + t.credits, 0);
  if (stale) attention.push(`${credits(stale)} unassigned for more than one period`);
  if (statements) pushAll(attention, statementAttention(statements));
  if (sync.budget?.warn) pushAll(attention, cellBudgetLines(sync.budget, sync.currentPeriod).slice(1));
  for (const a of attention) reporter.warn(a);

  const text = monthText(sync, collected, summary, attention, statements);
  let webhook: WebhookResult | null = null;
  if (opts.webhook) {
    webhook = await postWebhook(
      opts.webhook,
      { text, status: attention.length ? 'attention' : 'ok' },
      {
        fetchImpl: deps.fetchImpl,
      },
    );
    if (webhook.ok) reporter.info(`summary posted to the chat webhook (${webhook.detail})`);
    else reporter.warn(`the chat webhook did not take the summary (${webhook.detail})`);
  }
  return {
    exitCode: attention.length ? EXIT_ATTENTION : EXIT_OK,
    attention,
    sync,
    collected,
    statements,
    connect,
    summary,
    webhook,
    text,
  };
}

const credits = (n: number) => `${n} credit${n === 1 ? '' : 's'}`;

function rejectedText(usageFileId: string, credits: number): string {
  return `Connect rejected ${usageFileId}: ${credits} credit(s) are ASSIGNED again (flag REJECTED); the next collection takes them`;
}

/**
 * The usage files in Connect: read back (and, with --collect, the new ones submitted). Connect being down or a
 * file it found invalid is something a person should look at, never a failed month.
 */
async function followInConnect(
  deps: RunMonthDeps,
  opts: RunMonthOptions,
  attention: string[],
): Promise<ConnectTripResult | null> {
  try {
    const trip = await runConnectTrip(
      { submit: Boolean(opts.collect) },
      {
        sink: deps.sink,
        usageDir: opts.usageDir,
        reporter: deps.reporter,
        now: deps.now,
        api: deps.connectApi!,
      },
    );
    for (const f of trip.files) {
      pushAll(attention, f.problems);
      if (f.reopened) attention.push(rejectedText(f.usageFileId, f.reopened));
      if (f.processed)
        deps.reporter.info(`${f.usageFileId}: ${f.processed} credit(s) closed in Connect, PROCESSED`);
    }
    return trip;
  } catch (e) {
    if (!isConnectFailure(e)) throw e;
    attention.push(
      `Connect could not be read (${(e as Error).message.split('\n')[0]}); run \`credit-desk usage status\` once it answers`,
    );
    return null;
  }
}

/** The chat message: a few lines a person reads on a phone. */
export function monthText(
  sync: SyncReport,
  collected: CollectResult | null,
  summary: Summary,
  attention: string[],
  statements: MonthStatements | null = null,
): string {
  const target = [...sync.periods].sort().pop();
  const lines = [
    `Credit Desk month run, ${target} → ${sync.sinkLabel}: ${attention.length ? 'needs attention' : 'done'}`,
    `Synced ${sync.periods.join(' and ')}: ${sync.merge.adds.length} added, ${sync.merge.updates.length} updated, ${sync.rules?.outcomes.length ?? 0} assigned by rules.`,
  ];
  for (const { file } of collected?.files ?? [])
    lines.push(`Usage file ${file.usageFileId}: ${file.records.length} credits collected.`);
  for (const p of summary.periods.filter((x) => sync.periods.includes(x.period))) {
    const parts = STATUSES.filter((s) => p.byStatus[s].credits).map(
      (s) => `${s} ${p.byStatus[s].credits} (${displayMoney(p.byStatus[s].amount, p.currency)})`,
    );
    lines.push(
      `${p.period} ${p.currency}: ${p.credits} credits, ${displayMoney(p.amount, p.currency)} — ${parts.join(', ')}`,
    );
  }
  if (statements) pushAll(lines, statementLines(statements, true));
  if (sync.budget) lines.push(cellBudgetLines(sync.budget, sync.currentPeriod)[0]);
  for (const a of attention) lines.push(`• ${a}`);
  return lines.join('\n');
}

/** The message posted when the run fails: what failed, never a credential or the webhook URL. */
export function failureText(message: string): string {
  return `Credit Desk month run FAILED: ${message.split('\n')[0]}\nRuns are safe to repeat: fix the cause and run again.`;
}
