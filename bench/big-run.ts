/**
 * One measured run of one job on a big month, in its own process (bench/big.ts starts it), so peak RSS is the
 * job's own. Prints one JSON line: wall seconds, CPU seconds, peak RSS in MiB and the job's counts.
 *
 *   node bin/run-ts.cjs bench/big-run.ts <job> <dir> [sheetsRootUrl spreadsheetId]
 *
 * Jobs: sync (new credits, --accounts --rules --apply-rules), resync (same data again), assign (one credit),
 * export (JSON), sync-google / resync-google / assign-google (the same against the local Sheets server), sync-gslib /
 * resync-gslib (the same sync through the `google-spreadsheet` library instead: bench/gs-lib-sink.ts), and prep (not
 * measured: every 4th credit becomes PROCESSED, interleaved, as after a few usage runs), collect (`usage collect`
 * of every ASSIGNED credit into <dir>/usage), close (`usage close` of every ready usage file in <dir>/usage),
 * sync-pending (a sync that applies no rule: every credit PENDING_ASSIGN) and apply-rules (`apply-rules` on such a
 * workbook; its counts give the CPU ms of its three parts: reading the sheet, choosing the rules, writing the
 * result — the change set, the Summary and the sink's write).
 *
 * <dir> holds rows.json (the CUR query's rows), accounts.csv, rules.csv and the workbook. The source reads
 * rows.json inside fetchCredits, so parsing it counts like a real source's work would. With BENCH_CHANGE_EVERY=N
 * every Nth credit's amount changes by (run + 1) cents (the fifth argument is the run), as a CUR that AWS
 * revised: a re-sync with that many updates.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ledgerCells } from '../core/ledger';
import { runAssign } from '../sync-service/jobs/assign';
import { planAndApplyRules, rulesChangeSet } from '../sync-service/jobs/apply-rules';
import { runExport } from '../sync-service/jobs/export';
import { readReconciled } from '../sync-service/reconcile-step';
import { runSync } from '../sync-service/jobs/sync';
import { runClose, runCollect } from '../sync-service/jobs/usage';
import { loadUsageFiles } from '../sync-service/usage/usage-files';
import { silentReporter } from '../sync-service/progress';
import { resolveSettings } from '../sync-service/settings';
import { createGoogleSheetsSink } from '../sync-service/sinks/google/google-sheets';
import { buildChangeSet, readState, type CreditChange } from '../core/sheet-state';
import type { Sink } from '../sync-service/sinks/sink';
import { createWorkbookSink } from '../sync-service/sinks/workbook/workbook';
import type { CreditSource, RawCreditRow } from '../sync-service/sources/source';
import { createGoogleSpreadsheetLibSink } from './gs-lib-sink';

export type Job =
  | 'sync'
  | 'resync'
  | 'assign'
  | 'export'
  | 'sync-google'
  | 'resync-google'
  | 'assign-google'
  | 'sync-gslib'
  | 'resync-gslib'
  | 'collect'
  | 'close'
  | 'prep'
  | 'prep-google'
  | 'sync-pending'
  | 'apply-rules';

/** Assign alternates between two allocations, so every run really changes the credit. */
export const ALLOCATIONS = ['customer 60%, reseller 40%', 'customer 50%, reseller 50%'];

async function main(): Promise<void> {
  const [job, dir, rootUrl, spreadsheetId, runArg] = process.argv.slice(2) as [
    Job,
    string,
    string | undefined,
    string | undefined,
    string | undefined,
  ];
  const meta = JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8')) as {
    period: string;
    assignId: string;
  };
  const source: CreditSource = {
    listPeriods: async () => [meta.period],
    fetchCredits: async () => ({
      rows: revised(
        JSON.parse(readFileSync(join(dir, 'rows.json'), 'utf8')) as RawCreditRow[],
        Number(runArg ?? 0),
      ),
      label: 'bench CUR rows',
    }),
    close: async () => {},
  };
  const google = job.endsWith('-google');
  const sink: Sink = job.endsWith('-gslib')
    ? await createGoogleSpreadsheetLibSink(rootUrl!, spreadsheetId!)
    : google
      ? createGoogleSheetsSink({
          spreadsheetId: spreadsheetId!,
          rootUrl,
          syncIdentity: 'credit-sync@bench.iam.gserviceaccount.com',
          maxWriteRequestsPerMinute: 1_000_000,
        })
      : createWorkbookSink({ path: join(dir, 'credits.xlsx') });
  const settings = resolveSettings(
    {
      workbook: join(dir, 'credits.xlsx'),
      period: meta.period,
      ...(job === 'sync' || job === 'sync-google' || job === 'sync-gslib' || job === 'sync-pending'
        ? { accounts: join(dir, 'accounts.csv'), rules: join(dir, 'rules.csv') }
        : {}),
    },
    {},
  );
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const counts: Record<string, number> = {};
  if (job === 'prep' || job === 'prep-google') {
    await prepProcessed(sink);
  } else if (job === 'assign' || job === 'assign-google') {
    await runAssign(meta.assignId, ALLOCATIONS[Number(runArg ?? 0) % 2], {
      sink,
      now: new Date('2026-11-28T00:00:00Z'),
      actor: 'bench@example.com',
    });
  } else if (job === 'collect') {
    const collected = await runCollect(
      {},
      { sink, usageDir: join(dir, 'usage'), reporter: silentReporter, now: new Date('2026-11-27T00:00:00Z') },
    );
    counts.files = collected.files.length;
    counts.credits = collected.files.reduce((n, f) => n + f.file.records.length, 0);
    counts.records = collected.files.reduce(
      (n, f) => n + f.file.records.reduce((m, r) => m + (r.billed?.length ?? 0), 0),
      0,
    );
    counts.skipped = collected.skipped.length;
  } else if (job === 'apply-rules') {
    Object.assign(counts, await applyRulesInParts(sink));
  } else if (job === 'close') {
    const ready = loadUsageFiles(join(dir, 'usage')).filter((f) => f.status === 'ready');
    counts.files = ready.length;
    // Every ready file in one command (`usage close A B …`), as an operator closes a month's files.
    counts.closed = (
      await runClose(
        ready.map((f) => f.usageFileId),
        {
          sink,
          usageDir: join(dir, 'usage'),
          reporter: silentReporter,
          now: new Date('2026-11-28T00:00:00Z'),
        },
      )
    ).closed;
  } else if (job === 'export') {
    counts.credits = (await runExport({ format: 'json', out: join(dir, 'export.json') }, { sink })).count;
  } else {
    const report = await runSync(
      settings,
      { applyRules: job !== 'sync-pending', previous: false },
      { source, sink, reporter: silentReporter, now: new Date('2026-11-26T00:00:00Z') },
    );
    counts.added = report.merge.adds.length;
    counts.unchanged = report.merge.unchanged;
    counts.locked = report.merge.locked;
    counts.assigned = report.rules?.outcomes.length ?? 0;
    counts.auditRows = report.changes.audit.length;
    counts.written = report.written ? 1 : 0;
  }
  await sink.close();
  const cpu = process.cpuUsage(cpu0);
  console.log(
    JSON.stringify({
      wall: (performance.now() - t0) / 1000,
      cpu: (cpu.user + cpu.system) / 1e6,
      rssMiB: process.resourceUsage().maxRSS / 1024,
      counts,
    }),
  );
}

/** Every BENCH_CHANGE_EVERY-th credit's amount moved by (run + 1) cents; the rows as they are without it. */
function revised(rows: RawCreditRow[], run: number): RawCreditRow[] {
  const every = Number(process.env.BENCH_CHANGE_EVERY ?? 0);
  if (!every) return rows;
  return rows.map((r, i) =>
    i % every === 0 && r.amount !== null
      ? { ...r, amount: (Number(r.amount) - (run + 1) / 100).toFixed(2) }
      : r,
  );
}

/**
 * Every 4th credit (in sheet order) becomes PROCESSED with a usage file, as the usage process would leave it:
 * the Credits rows and their Ledger rows. (Without the Ledger rows every later command's reconciliation put
 * the 12,500 rows back to ASSIGNED first, and that repair was what the `assign` figure measured.)
 */
async function prepProcessed(sink: Sink): Promise<void> {
  const state = readState(await sink.read());
  const changes: CreditChange[] = [];
  state.credits.forEach((e, i) => {
    if (i % 4 !== 0 || e.credit.status !== 'ASSIGNED') return;
    changes.push({
      before: e,
      after: {
        ...e.credit,
        status: 'PROCESSED',
        usageFileId: 'UF-2026-11-0001-0001',
        usageRecordId: `UR-${e.credit.creditId.slice(5)}`,
        processingDate: '2026-11-27',
      },
    });
  });
  const set = buildChangeSet(changes, []);
  set.ledger = {
    appends: changes.map(({ after: c }) =>
      ledgerCells({
        ...c,
        status: 'PROCESSED',
        collectedAt: '2026-11-27T00:00:00.000Z',
        closedAt: '2026-11-28T00:00:00.000Z',
      }),
    ),
    updates: [],
  };
  await sink.write(set);
}

/**
 * What runApplyRules does (sync-service/jobs/apply-rules.ts), with the CPU of each part: the target is
 * writing ≤ choosing + reading. Counts: creditsAssigned, creditsLeft and readMs, chooseMs, writeMs.
 */
async function applyRulesInParts(sink: Sink): Promise<Record<string, number>> {
  const now = new Date('2026-11-27T00:00:00Z');
  const cpuMs = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
  const t0 = cpuMs();
  const { snapshot } = await readReconciled(sink, { now, reporter: silentReporter, write: true });
  const state = readState(snapshot);
  const pending = state.credits.map((e) => e.credit).filter((c) => c.status === 'PENDING_ASSIGN');
  const t1 = cpuMs();
  const outcome = planAndApplyRules(pending, state, {
    overwriteManual: false,
    actor: 'bench@example.com',
    now: now.toISOString(),
  });
  const t2 = cpuMs();
  await sink.write(rulesChangeSet(state, outcome, now));
  const t3 = cpuMs();
  return {
    creditsAssigned: outcome.outcomes.length,
    creditsLeft: outcome.failed.length + outcome.plan.skippedHeld.length,
    readMs: Math.round(t1 - t0),
    chooseMs: Math.round(t2 - t1),
    writeMs: Math.round(t3 - t2),
  };
}

main().catch((e: unknown) => {
  console.error((e as Error).stack ?? e);
  process.exit(1);
});
