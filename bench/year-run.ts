/**
 * One measured job of the two-sink year bench (bench/year-both.ts starts it), in its own process so peak RSS is
 * the job's own. Prints one JSON line: wall seconds, CPU seconds, peak RSS in MiB and the job's counts.
 *
 *   node bin/run-ts.cjs bench/year-run.ts <job> <dir> <month> workbook
 *   node bin/run-ts.cjs bench/year-run.ts <job> <dir> <month> google <sheetsRootUrl> <spreadsheetId>
 *
 * Jobs, each through its job module (sync-service/jobs/*), as the CLI runs it, so the bench measures whatever
 * the jobs do when it runs: sync (the month's new credits; the first month with --accounts --rules), resync (the
 * same again, nothing to write), validate (`rules validate`), apply-rules, assign (one credit), export (JSON),
 * collect (`usage collect`), close (`usage close` of every file collect made). <dir> holds month-<m>.json (the
 * month's CUR rows), accounts.csv, rules.csv, and meta-<sink>.json, which collect and apply-rules update for the
 * jobs after them (the usage files to close, the credit to assign).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runApplyRules } from '../sync-service/jobs/apply-rules';
import { runAssign } from '../sync-service/jobs/assign';
import { runExport } from '../sync-service/jobs/export';
import { runValidateRules } from '../sync-service/jobs/rules-validate';
import { runSync } from '../sync-service/jobs/sync';
import { runClose, runCollect } from '../sync-service/jobs/usage';
import { silentReporter } from '../sync-service/progress';
import { resolveSettings } from '../sync-service/settings';
import { createGoogleSheetsSink } from '../sync-service/sinks/google/google-sheets';
import type { Sink } from '../sync-service/sinks/sink';
import { createWorkbookSink } from '../sync-service/sinks/workbook/workbook';
import type { CreditSource, RawCreditRow } from '../sync-service/sources/source';
import { BENCH_IDENTITY, YEAR_JOBS, yearPeriod, type YearJob, type YearSink } from './year-kit';

/** What one job leaves for the next ones, per sink. */
interface Meta {
  assignId?: string;
  usageFileIds?: string[];
}

/** Assign alternates between two allocations, so each run really changes the credit. */
const ALLOCATIONS = ['customer 60%, reseller 40%', 'customer 50%, reseller 50%'];

async function main(): Promise<void> {
  const [job, dir, monthArg, sinkKind, rootUrl, spreadsheetId] = process.argv.slice(2) as [
    YearJob,
    string,
    string,
    YearSink,
    string | undefined,
    string | undefined,
  ];
  const m = Number(monthArg);
  const period = yearPeriod(m);
  // Early in the month after, as the month's work is done in practice (and AWS has finalised it: the rows say so).
  const now = new Date(Date.UTC(2026, m + 1, 3 + YEAR_JOBS.indexOf(job)));
  const metaPath = join(dir, `meta-${sinkKind}.json`);
  const meta = (existsSync(metaPath) ? JSON.parse(readFileSync(metaPath, 'utf8')) : {}) as Meta;
  const workbook = join(dir, 'credits.xlsx');
  const usageDir = join(dir, `usage-${sinkKind}`);
  const sink: Sink =
    sinkKind === 'google'
      ? createGoogleSheetsSink({
          spreadsheetId: spreadsheetId!,
          rootUrl,
          syncIdentity: BENCH_IDENTITY,
          maxWriteRequestsPerMinute: 1_000_000,
        })
      : createWorkbookSink({ path: workbook });
  const source: CreditSource = {
    listPeriods: async () => [period],
    // Parsed inside the job, as a real source's answer would be.
    fetchCredits: async () => ({
      rows: JSON.parse(readFileSync(join(dir, `month-${m}.json`), 'utf8')) as RawCreditRow[],
      label: 'bench CUR rows',
    }),
    close: async () => {},
  };
  const actor = 'bench@example.com';
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const counts: Record<string, number> = {};
  if (job === 'sync' || job === 'resync') {
    const first = job === 'sync' && m === 0;
    const settings = resolveSettings(
      {
        workbook,
        usageDir,
        period,
        ...(first ? { accounts: join(dir, 'accounts.csv'), rules: join(dir, 'rules.csv') } : {}),
      },
      {},
    );
    // Without --apply-rules: apply-rules is measured on its own, as issue #25 asks.
    const report = await runSync(
      settings,
      { applyRules: false, previous: false },
      { source, sink, reporter: silentReporter, now },
    );
    counts.added = report.merge.adds.length;
    counts.unchanged = report.merge.unchanged;
    counts.auditRows = report.changes.audit.length;
  } else if (job === 'validate') {
    const v = await runValidateRules(sink);
    counts.rules = v.ruleCount;
    counts.problems = v.problems.length;
  } else if (job === 'apply-rules') {
    const { outcome } = await runApplyRules({}, { sink, reporter: silentReporter, now, actor, usageDir });
    counts.assigned = outcome.outcomes.length;
    counts.failed = outcome.failed.length;
    meta.assignId = outcome.outcomes[0]?.credit.creditId ?? meta.assignId;
  } else if (job === 'assign') {
    if (!meta.assignId) throw new Error('no credit to assign: apply-rules assigned none');
    await runAssign(meta.assignId, ALLOCATIONS[m % 2], {
      sink,
      now,
      actor,
      usageDir,
      reporter: silentReporter,
    });
  } else if (job === 'export') {
    counts.credits = (await runExport({ format: 'json', out: join(dir, 'export.json') }, { sink })).count;
  } else if (job === 'collect') {
    const collected = await runCollect({}, { sink, usageDir, reporter: silentReporter, now });
    counts.files = collected.files.length;
    counts.credits = collected.files.reduce((n, f) => n + f.file.records.length, 0);
    counts.skipped = collected.skipped.length;
    meta.usageFileIds = collected.files.map((f) => f.file.usageFileId);
  } else if (job === 'close') {
    // The month's files, one per currency, in one command (`usage close A B …`), as an operator closes a month.
    const ids = meta.usageFileIds ?? [];
    counts.closed = ids.length
      ? (await runClose(ids, { sink, usageDir, reporter: silentReporter, now })).closed
      : 0;
    meta.usageFileIds = [];
  } else {
    throw new Error(`unknown job "${String(job)}"; choose from ${YEAR_JOBS.join(', ')}`);
  }
  await sink.close();
  const cpu = process.cpuUsage(cpu0);
  const wall = (performance.now() - t0) / 1000;
  writeFileSync(metaPath, JSON.stringify(meta));
  console.log(
    JSON.stringify({
      wall,
      cpu: (cpu.user + cpu.system) / 1e6,
      rssMiB: process.resourceUsage().maxRSS / 1024,
      counts,
    }),
  );
}

main().catch((e: unknown) => {
  console.error((e as Error).stack ?? e);
  process.exit(1);
});
