/**
 * `credit-desk archive --before YYYY-MM`: PROCESSED credits of closed periods before YYYY-MM, and their Audit
 * rows, move from the live sheet to `archive/credits-YYYY.xlsx` (one workbook per year of the period).
 *
 * Order, so a kill -9 at any point loses nothing: (1) each year's archive is written (merged by key with what
 * it already holds, atomically replaced), (2) the archived-keys index gains the credits, (3) only then are
 * the rows removed from the live sheet (one atomic save, with the rebuilt Summary). A run killed after (1) or
 * (2) leaves the credits in both places; the next run archives them again — the merge by key and by Audit row
 * makes that a no-op — and removes them, so after a re-run nothing is in both places.
 */
import { checkArchiveBefore, mergeArchive, planArchive } from '../../core/archive';
import type { AuditField } from '../../core/sheet-contract';
import { buildSummary } from '../../core/summary';
import { summaryLayout } from '../../core/summary-layout';
import { readRecords } from '../../core/table';
import { addToArchivedIndex, archivePath, readArchive, writeArchive } from '../archive/archive-files';
import { currentPeriod } from '../../core/periods';
import type { Reporter } from '../progress';
import { readState } from '../../core/sheet-state';
import type { Sink } from '../sinks/sink';

export interface ArchiveResult {
  credits: number;
  auditRows: number;
  files: string[];
}

export async function runArchive(
  opts: { before: string; dir: string; dryRun?: boolean; crashAfterArchive?: boolean },
  deps: { sink: Sink; reporter: Reporter; now: Date },
): Promise<ArchiveResult> {
  const current = currentPeriod(deps.now);
  checkArchiveBefore(opts.before, current);
  const state = readState(await deps.sink.read());
  const audit = readRecords<AuditField>('audit', state.snapshot.tabs.audit).map((r) => r.record);
  const credits = state.credits.map((e) => e.credit);
  const plan = planArchive(credits, audit, opts.before);
  const files = plan.batches.map((b) => archivePath(opts.dir, b.year));
  const result = {
    credits: plan.keys.size,
    auditRows: plan.batches.reduce((n, b) => n + b.audit.length, 0),
    files,
  };
  if (plan.keys.size === 0 || opts.dryRun) return result;

  for (const b of plan.batches) {
    const path = archivePath(opts.dir, b.year);
    deps.reporter.progress(`writing ${path} (${b.credits.length} credits)…`);
    await writeArchive(path, mergeArchive(await readArchive(path), b));
  }
  await addToArchivedIndex(
    opts.dir,
    plan.batches.flatMap((b) => b.credits),
  );
  // Test hook: stop as a killed process would, with the archive written and the live sheet untouched.
  if (opts.crashAfterArchive) throw new Error('simulated crash after writing the archive');

  const left = credits.filter((c) => !plan.keys.has(c.key));
  deps.reporter.progress(`removing ${plan.keys.size} archived credits from ${deps.sink.label}…`);
  await deps.sink.write({
    updates: [],
    appends: [],
    audit: [],
    remove: { keys: [...plan.keys], auditCreditIds: [...plan.creditIds] },
    summary: summaryLayout(buildSummary(left, { directory: state.directory, currentPeriod: current })),
  });
  deps.reporter.done();
  return result;
}
